// bench/provision-report.ts: which goals a run of bench/provision.sh measures, which it says it did
// not, and how its options and event logs are taken.
import { parseEventLog } from "../../bench/critical-path";
import { chooseEventLog, figuresFromOptions, reportLines } from "../../bench/provision-report";

const URN = "urn:pulumi:bench::trove-region::";
const NET = `${URN}openstack:networking/network:Network::net`;
const SUBNET = `${URN}openstack:networking/subnet:Subnet::subnet`;

function log(stampOffset?: number): string {
    const lines = [
        { sequence: 0, timestamp: 100, resourcePreEvent: { metadata: { op: "create", urn: NET, type: "openstack:networking/network:Network", new: { custom: true } } } },
        { sequence: 1, timestamp: 106, resOutputsEvent: { metadata: { op: "create", urn: NET, type: "openstack:networking/network:Network", new: { custom: true } } } },
        { sequence: 2, timestamp: 106, resourcePreEvent: { metadata: { op: "create", urn: SUBNET, type: "openstack:networking/subnet:Subnet", new: { custom: true } } } },
        { sequence: 3, timestamp: 111, resOutputsEvent: { metadata: { op: "create", urn: SUBNET, type: "openstack:networking/subnet:Subnet", new: { custom: true } } } },
    ].map((e) => JSON.stringify(e));
    return lines.map((l, i) => (stampOffset === undefined ? l : `${100 + stampOffset + i * 2.6}\t${l}`)).join("\n");
}
const STATE = [{ urn: NET, custom: true }, { urn: SUBNET, custom: true, dependencies: [NET] }];

function goals(lines: string[]): Map<string, string> {
    return new Map(lines.filter((l) => l.startsWith("  goal ")).map((l) => [l.slice(7, 9), l]));
}

describe("reportLines", () => {
    it("measures goals 1 and 3 from the run and says goals 2 and 5 were not measured", () => {
        const lines = reportLines({ upEmpty: 12, upSame: 7.5, previewSame: 3, previewOneChange: 3.3, cli: 32 }, parseEventLog(log()), STATE);
        const byId = goals(lines);
        expect([...byId.keys()]).toEqual(["1a", "1b", "2a", "2b", "2c", "2d", "3a", "3b", "5a", "5b"]);
        expect(byId.get("1a")).toMatch(/0\.09  \(target <= 0\.10\)  PASS/);
        expect(byId.get("1b")).toMatch(/1\.10  \(target <= 1\.20\)  PASS/);
        expect(byId.get("3a")).toMatch(/1\.09  \(target <= 1\.15\)  PASS  \[12\.00 \/ 11\.00\]/);
        expect(byId.get("3b")).toMatch(/0\.38  \(target <= 0\.50\)  PASS/);
        for (const id of ["2a", "2b", "2c", "2d", "5a", "5b"]) expect(byId.get(id)).toMatch(/NOT MEASURED/);
        expect(lines.join("\n")).toMatch(/net\s+openstack:networking\/network:Network\s+6 s/);
    });

    it("has no PASS for goal 3a without an event log, and FAILs what is over its target", () => {
        const lines = reportLines({ upEmpty: 21.9, previewSame: 7.3, cli: 32.1 }, undefined, STATE);
        expect(lines[0]).toBe("  critical path: not measured (no event log)");
        const byId = goals(lines);
        expect(byId.get("3a")).toMatch(/NOT MEASURED/);
        expect(byId.get("1a")).toMatch(/0\.23  \(target <= 0\.10\)  FAIL/);
        expect(byId.get("1b")).toMatch(/NOT MEASURED/);
        expect(byId.get("3b")).toMatch(/0\.68  \(target <= 0\.50\)  FAIL/);
    });

    it("prints goals 2 and 5 when their figures are given", () => {
        const byId = goals(reportLines({ previewSame: 3, previewSame30: 7, tokens3: 5, tokens30: 5, unitSuite: 25 }, undefined, undefined));
        expect(byId.get("2a")).toMatch(/2\.33  \(target <= 2\.00\)  FAIL/);
        expect(byId.get("2d")).toMatch(/1\.00  \(target <= 1\.00\)  PASS/);
        expect(byId.get("5a")).toMatch(/25\.00  \(target <= 30 s\)  PASS/);
    });
});

describe("chooseEventLog", () => {
    it("takes the stamped log when it holds the engine's step events, else the engine's", () => {
        const plain = parseEventLog(log());
        const stamped = parseEventLog(log(0.4));
        expect(chooseEventLog(plain, stamped)).toBe(stamped);
        expect(chooseEventLog(plain, parseEventLog(log(0.4).split("\n").slice(0, 2).join("\n")))).toBe(plain);
        expect(chooseEventLog(plain, parseEventLog(""))).toBe(plain);
        expect(chooseEventLog(undefined, undefined)).toBeUndefined();
    });
});

describe("figuresFromOptions", () => {
    it("takes numbers, skips empty values and refuses anything else", () => {
        expect(figuresFromOptions({ "up-empty": "21.9", "preview-one-change": "", cli: "32.1" })).toEqual({ figures: { upEmpty: 21.9, cli: 32.1 }, errors: [] });
        expect(figuresFromOptions({ "up-same": "7,5", "tokens-30": "-1" }).errors).toEqual([
            "--up-same \"7,5\": expected a number of seconds (or a count) >= 0",
            "--tokens-30 \"-1\": expected a number of seconds (or a count) >= 0",
        ]);
    });
});
