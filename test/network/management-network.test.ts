import { installMocks, named, ofType, settle, valueOf } from "../mocks";
import { ManagementNetwork, ManagementNetworkArgs, validateManagementNetworkArgs } from "../../components/network/management-network";

const mocks = installMocks();
beforeEach(() => mocks.reset());

const base: ManagementNetworkArgs = { projectId: "service-project", routing: { mode: "none" } };

describe("ManagementNetwork", () => {
    test("defaults: one private network and a /22 subnet in the service project, DHCP on, pool below the controllers", async () => {
        const network = new ManagementNetwork("mgmt", base);
        await settle();
        expect(mocks.resources.map((r) => r.type).sort()).toEqual([
            "openstack:networking/network:Network",
            "openstack:networking/subnet:Subnet",
            "trove-region:network:ManagementNetwork",
        ]);
        expect(named(mocks.resources, "mgmt-network").inputs).toMatchObject({ name: "trove-mgmt", tenantId: "service-project", shared: false });
        expect(named(mocks.resources, "mgmt-subnet").inputs).toMatchObject({
            networkId: "mgmt-network-id",
            tenantId: "service-project",
            cidr: "10.254.0.0/22",
            ipVersion: 4,
            gatewayIp: "10.254.0.1",
            enableDhcp: true,
            allocationPools: [{ start: "10.254.0.2", end: "10.254.3.251" }],
        });
        expect(network.controllerRange).toEqual({ start: "10.254.3.252", end: "10.254.3.254" });
        expect(await valueOf(network.subnetId)).toBe("mgmt-subnet-id");
        expect(network.routerId).toBeUndefined();
    });

    test("existing router: one interface on it, no new router", async () => {
        const network = new ManagementNetwork("mgmt", { ...base, routing: { mode: "existing-router", routerId: "r-1" } });
        await settle();
        expect(ofType(mocks.resources, "openstack:networking/router:Router")).toHaveLength(0);
        expect(named(mocks.resources, "mgmt-router-interface").inputs).toEqual({ routerId: "r-1", subnetId: "mgmt-subnet-id" });
        expect(await valueOf(network.routerId!)).toBe("r-1");
    });

    test("new router: gateway on the external network, interfaces on the subnet and each control-plane subnet", async () => {
        new ManagementNetwork("mgmt", {
            ...base,
            routing: { mode: "new-router", externalNetworkId: "ext", enableSnat: false, controlPlaneSubnetIds: ["cp-a", "cp-b"] },
        });
        await settle();
        expect(named(mocks.resources, "mgmt-router").inputs).toMatchObject({ externalNetworkId: "ext", enableSnat: false, tenantId: "service-project" });
        const interfaces = ofType(mocks.resources, "openstack:networking/routerInterface:RouterInterface");
        expect(interfaces.map((i) => i.inputs.subnetId).sort()).toEqual(["cp-a", "cp-b", "mgmt-subnet-id"]);
        expect(new Set(interfaces.map((i) => i.inputs.routerId))).toEqual(new Set(["mgmt-router-id"]));
    });

    test("host routes go to the subnet, and no router is made", async () => {
        new ManagementNetwork("mgmt", {
            ...base,
            dnsServers: ["192.0.2.53"],
            routing: { mode: "host-routes", routes: [{ destination: "192.0.2.0/24", nexthop: "10.254.3.254" }] },
        });
        await settle();
        expect(named(mocks.resources, "mgmt-subnet").inputs).toMatchObject({
            hostRoutes: [{ destinationCidr: "192.0.2.0/24", nextHop: "10.254.3.254" }],
            dnsNameservers: ["192.0.2.53"],
        });
        expect(ofType(mocks.resources, "openstack:networking/routerInterface:RouterInterface")).toHaveLength(0);
    });
});

describe("validateManagementNetworkArgs", () => {
    const none = { mode: "none" } as const;
    test.each<[string, Omit<ManagementNetworkArgs, "projectId">, string, RegExp]>([
        ["too small", { routing: none, cidr: "10.0.0.0/29", maxInstances: 200, controllers: 10 }, "cidr", /holds 5 addresses, 211 are needed.*use a \/24/],
        ["host bits", { routing: none, cidr: "10.0.0.5/24" }, "cidr", /did you mean "10.0.0.0\/24"/],
        ["overlap", { routing: none, cidr: "10.254.0.0/22", avoidCidrs: ["10.0.0.0/8"] }, "cidr", /overlaps avoidCidrs\[0\] 10.0.0.0\/8/],
        ["bad avoid", { routing: none, avoidCidrs: ["nope"] }, "avoidCidrs[0]", /not a CIDR/],
        ["dns", { routing: none, dnsServers: ["dns.example"] }, "dnsServers[0]", /not an IP address/],
        ["instances", { routing: none, maxInstances: 0 }, "maxInstances", /not a positive whole number/],
        ["controllers", { routing: none, controllers: -1 }, "controllers", /whole number >= 0/],
        ["mtu", { routing: none, mtu: 100 }, "mtu", /between 1280 and 9216/],
        ["routing mode", { routing: { mode: "bgp" } as never }, "routing.mode", /choose one of "existing-router", "new-router", "host-routes", "none"/],
        ["router id", { routing: { mode: "existing-router", routerId: "" } }, "routing.routerId", /is required/],
        ["router to nowhere", { routing: { mode: "new-router" } }, "routing", /routes nowhere/],
        ["no routes", { routing: { mode: "host-routes", routes: [] } }, "routing.routes", /at least one/],
        ["nexthop outside", { routing: { mode: "host-routes", routes: [{ destination: "192.0.2.0/24", nexthop: "10.9.9.9" }] } }, "routing.routes[0].nexthop", /outside the management subnet/],
    ])("%s", async (_label, args, path, message) => {
        const problems = validateManagementNetworkArgs(args);
        expect(problems).toContainEqual({ path, message: expect.stringMatching(message) });
        expect(() => new ManagementNetwork("bad", { ...args, projectId: "p" })).toThrow(message);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });

    test("valid args have no problems", () => {
        expect(validateManagementNetworkArgs({ routing: { mode: "none" } })).toEqual([]);
    });
});
