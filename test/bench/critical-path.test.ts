// bench/critical-path.ts on a hand-made event log and stack export shaped as `pulumi up --event-log`
// and `pulumi stack export` write them: network 6 s -> subnet 5 s -> router interface 1 s, beside a
// router (1 s) and a keypair (2 s) that run in parallel, under a component and the stack.
import { criticalPath, formatCriticalPath, nameOfUrn, parseEventLog, parseStateResources, predecessorsOf, providerUrn, resourceTimings, StateResource, typeOfUrn } from "../../bench/critical-path";

const URN = "urn:pulumi:bench::trove-region::";
const STACK = `${URN}pulumi:pulumi:Stack::trove-region-bench`;
const PROVIDER = `${URN}pulumi:providers:openstack::default_3_15_2`;
const MGMT = `${URN}trove-region:index:Region$trove-region:network:ManagementNetwork::region-mgmt`;
const NET_TYPE = "openstack:networking/network:Network";
const NETWORK = `${URN}trove-region:index:Region$trove-region:network:ManagementNetwork$${NET_TYPE}::region-mgmt-network`;
const SUBNET = `${URN}trove-region:network:ManagementNetwork$openstack:networking/subnet:Subnet::region-mgmt-subnet`;
const ROUTER = `${URN}trove-region:network:ManagementNetwork$openstack:networking/router:Router::region-mgmt-router`;
const INTERFACE = `${URN}trove-region:network:ManagementNetwork$openstack:networking/routerInterface:RouterInterface::region-mgmt-router-interface`;
const KEYPAIR = `${URN}openstack:compute/keypair:Keypair::region-keypair`;
const IMAGE = `${URN}openstack:images/image:Image::region-guest-image`;

const T0 = 1_760_000_000;
let sequence = 0;

function step(kind: "resourcePreEvent" | "resOutputsEvent" | "resOpFailedEvent", urn: string, at: number, custom: boolean, extra: Record<string, unknown> = {}): string {
    const type = typeOfUrn(urn);
    const metadata = { op: "create", urn, type, provider: "", new: { type, urn, id: "", parent: "", inputs: {}, outputs: {}, provider: "", ...(custom ? { custom: true } : {}) } };
    const body = kind === "resOpFailedEvent" ? { metadata, status: 1, steps: 0 } : { metadata, ...extra };
    return JSON.stringify({ sequence: sequence++, timestamp: T0 + at, [kind]: body });
}

function ran(urn: string, from: number, to: number | undefined, custom = true): string[] {
    return [step("resourcePreEvent", urn, from, custom), ...(to === undefined ? [] : [step("resOutputsEvent", urn, to, custom)])];
}

const providerRef = `${PROVIDER}::4c2d0d2a-0000-4000-8000-000000000001`;

function state(extra: StateResource[] = []): StateResource[] {
    return [
        { urn: STACK, type: "pulumi:pulumi:Stack", custom: false },
        { urn: PROVIDER, type: "pulumi:providers:openstack", custom: true },
        { urn: MGMT, type: "trove-region:network:ManagementNetwork", custom: false, parent: STACK },
        { urn: NETWORK, type: NET_TYPE, custom: true, parent: MGMT, provider: providerRef },
        { urn: SUBNET, type: "openstack:networking/subnet:Subnet", custom: true, parent: MGMT, provider: providerRef, dependencies: [NETWORK], propertyDependencies: { networkId: [NETWORK] } },
        { urn: ROUTER, type: "openstack:networking/router:Router", custom: true, parent: MGMT, provider: providerRef },
        { urn: INTERFACE, type: "openstack:networking/routerInterface:RouterInterface", custom: true, parent: MGMT, provider: providerRef, dependencies: [SUBNET, ROUTER] },
        { urn: KEYPAIR, type: "openstack:compute/keypair:Keypair", custom: true, parent: STACK, provider: providerRef },
        ...extra,
    ];
}

function events(extra: string[] = []): string {
    sequence = 0;
    return [
        JSON.stringify({ sequence: sequence++, timestamp: T0, preludeEvent: { config: {} } }),
        ...ran(STACK, 0, undefined, false),
        ...ran(PROVIDER, 0, 0),
        ...ran(MGMT, 0, undefined, false),
        ...ran(NETWORK, 0, 6),
        ...ran(ROUTER, 0, 1),
        ...ran(KEYPAIR, 0, 2),
        ...ran(SUBNET, 6, 11),
        ...ran(INTERFACE, 11, 12),
        ...extra,
        JSON.stringify({ sequence: sequence++, timestamp: T0 + 13, summaryEvent: { maybeCorrupt: false, durationSeconds: 13, resourceChanges: { create: 8 }, PolicyPacks: {} } }),
    ].join("\n") + "\n";
}

describe("URNs", () => {
    it("names a resource by the URN's last part and types it by the last $ part", () => {
        expect(nameOfUrn(SUBNET)).toBe("region-mgmt-subnet");
        expect(typeOfUrn(NETWORK)).toBe(NET_TYPE);
        expect(typeOfUrn(STACK)).toBe("pulumi:pulumi:Stack");
        expect(providerUrn(providerRef)).toBe(PROVIDER);
    });

    it("makes dependencies, property dependencies, the provider and the parent predecessors, once each", () => {
        const subnet = state().find((r) => r.urn === SUBNET) as StateResource;
        expect(predecessorsOf(subnet).sort()).toEqual([MGMT, NETWORK, PROVIDER].sort());
    });
});

describe("parseEventLog", () => {
    it("keeps resource step events with their time, op and custom flag, and the summary's duration", () => {
        const log = parseEventLog(events());
        expect(log.steps).toHaveLength(14);
        expect(log.steps.find((s) => s.urn === SUBNET && s.kind === "outputs")).toMatchObject({ time: T0 + 11, op: "create", custom: true, type: "openstack:networking/subnet:Subnet" });
        expect(log.steps.find((s) => s.urn === MGMT)?.custom).toBeUndefined();
        expect(log).toMatchObject({ firstTime: T0, lastTime: T0 + 13, summarySeconds: 13, fineTimes: false, badLines: [] });
    });

    it("uses an arrival time in front of a line, and says so only when every line has one", () => {
        const stamped = events().trim().split("\n").map((line, i) => `${(T0 + 0.25 * i).toFixed(3)}\t${line}`).join("\n");
        const log = parseEventLog(stamped);
        expect(log.fineTimes).toBe(true);
        expect(log.steps[0].time).toBeCloseTo(T0 + 0.25, 3);
        expect(parseEventLog(`${stamped}\n${JSON.stringify({ sequence: 99, timestamp: T0 + 20, cancelEvent: {} })}`).fineTimes).toBe(false);
    });

    it("skips events of a preview (planning) and counts lines that are not engine events", () => {
        sequence = 0;
        const text = [step("resourcePreEvent", NETWORK, 0, true, { planning: true }), "{not json", JSON.stringify({ hello: 1 }), ""].join("\n");
        const log = parseEventLog(text);
        expect(log.steps).toEqual([]);
        expect(log.badLines).toEqual([2, 3]);
    });
});

describe("parseStateResources", () => {
    it("reads deployment.resources of a stack export, a bare list, and an empty stack", () => {
        expect(parseStateResources({ version: 3, deployment: { manifest: {}, resources: state() } })).toHaveLength(8);
        expect(parseStateResources(state())).toHaveLength(8);
        expect(parseStateResources({ version: 3, deployment: { manifest: {} } })).toEqual([]);
        expect(() => parseStateResources({ version: 3, deployment: { resources: "x" } })).toThrow(/not a stack export/);
    });
});

describe("criticalPath", () => {
    it("finds network -> subnet -> router interface, its 12 s floor and the wall / floor ratio", () => {
        const result = criticalPath(parseEventLog(events()), state(), { wallSeconds: 15 });
        expect(result.chain.map((s) => [s.name, s.type, s.duration])).toEqual([
            ["default_3_15_2", "pulumi:providers:openstack", 0],
            ["region-mgmt-network", NET_TYPE, 6],
            ["region-mgmt-subnet", "openstack:networking/subnet:Subnet", 5],
            ["region-mgmt-router-interface", "openstack:networking/routerInterface:RouterInterface", 1],
        ]);
        expect(result.floorSeconds).toBe(12);
        expect(result).toMatchObject({ wallSeconds: 15, wallSource: "given", problems: [] });
        expect(result.ratio).toBeCloseTo(1.25, 5);
        expect(result.chain.map((s) => s.waited)).toEqual([0, 0, 0, 0]);
    });

    it("takes the summary's duration as wall time when none is given, else the log's span", () => {
        expect(criticalPath(parseEventLog(events()), state())).toMatchObject({ wallSeconds: 13, wallSource: "summary event" });
        const noSummary = events().split("\n").filter((l) => !l.includes("summaryEvent")).join("\n");
        expect(criticalPath(parseEventLog(noSummary), state())).toMatchObject({ wallSeconds: 12, wallSource: "event log span" });
    });

    it("gives components no duration of their own and the parallel branch does not lengthen the floor", () => {
        const timings = resourceTimings(parseEventLog(events()), state());
        expect(timings.find((t) => t.urn === MGMT)).toMatchObject({ custom: false, duration: 0, status: "unfinished" });
        expect(timings.find((t) => t.urn === KEYPAIR)).toMatchObject({ duration: 2, status: "done", start: T0, end: T0 + 2 });
        expect(criticalPath(parseEventLog(events()), state()).chain.some((s) => s.urn === KEYPAIR)).toBe(false);
    });

    it("follows a parent component that waited for a dependency, and keeps the component on the chain", () => {
        const DATASTORES = `${URN}trove-region:datastores:Datastores::region-datastores`;
        const VERSION = `${URN}trove-region:datastores:Datastores$trove-region:trove:DatastoreVersion::region-mysql-8.4`;
        const extraState: StateResource[] = [
            { urn: DATASTORES, type: "trove-region:datastores:Datastores", custom: false, parent: STACK, dependencies: [NETWORK] },
            { urn: VERSION, type: "pulumi-nodejs:dynamic:Resource", custom: true, parent: DATASTORES },
        ];
        const result = criticalPath(parseEventLog(events([...ran(DATASTORES, 6, undefined, false), ...ran(VERSION, 7, 14)])), state(extraState));
        expect(result.chain.map((s) => s.name)).toEqual(["default_3_15_2", "region-mgmt-network", "region-datastores", "region-mysql-8.4"]);
        expect(result.floorSeconds).toBe(13);
        // It could have started at 6 s (network done) and started at 7 s.
        expect(result.chain[3].waited).toBe(1);
        expect(formatCriticalPath(result).join("\n")).toMatch(/region-datastores\s+trove-region:datastores:Datastores\s+component/);
    });

    it("reports a resource with no end event and one that failed, and does not throw", () => {
        const result = criticalPath(
            parseEventLog(events([...ran(IMAGE, 2, undefined), step("resourcePreEvent", `${KEYPAIR}-2`, 3, true), step("resOpFailedEvent", `${KEYPAIR}-2`, 4, true)])),
            state([{ urn: IMAGE, type: "openstack:images/image:Image", custom: true, parent: STACK, dependencies: [KEYPAIR] }]),
        );
        expect(result.timings.find((t) => t.urn === IMAGE)).toMatchObject({ status: "unfinished", start: T0 + 2, end: undefined, duration: undefined });
        expect(result.timings.find((t) => t.urn === `${KEYPAIR}-2`)).toMatchObject({ status: "failed", duration: 1 });
        expect(result.problems).toEqual(["region-guest-image (openstack:images/image:Image): started, no end event", "region-keypair-2 (openstack:compute/keypair:Keypair): failed after 1.0 s"]);
        expect(result.floorSeconds).toBe(12);
        expect(formatCriticalPath(result).join("\n")).toContain("! region-guest-image (openstack:images/image:Image): started, no end event");
    });

    it("reports a resource of the state with no events, a dependency cycle, and an empty log", () => {
        const cycle: StateResource[] = [
            { urn: `${URN}x:y:A::a`, custom: true, dependencies: [`${URN}x:y:B::b`] },
            { urn: `${URN}x:y:B::b`, custom: true, dependencies: [`${URN}x:y:A::a`] },
        ];
        const result = criticalPath(parseEventLog(""), cycle);
        expect(result.problems).toEqual(expect.arrayContaining(["a (x:y:A): in the state, no events", "b (x:y:B): in the state, no events", expect.stringMatching(/^dependency cycle through /)]));
        expect(result).toMatchObject({ floorSeconds: 0, ratio: undefined, wallSource: "none" });
        expect(formatCriticalPath(result).join("\n")).toContain("wall / floor ?");
    });

    it("prints one row per resource on the chain, then the floor, wall and ratio", () => {
        const lines = formatCriticalPath(criticalPath(parseEventLog(events()), state(), { wallSeconds: 15 }), { fineTimes: false });
        expect(lines[0]).toMatch(/critical path .*\(4 resource\(s\); times from the engine's events, whole seconds\)/);
        expect(lines[2]).toMatch(/^ {4}region-mgmt-network\s+openstack:networking\/network:Network\s+6 s\s+waited 0 s$/);
        expect(lines[lines.length - 1]).toBe("  floor (sum along the chain) 12 s; wall 15.0 s (given); wall / floor 1.25");
    });
});
