import { installMocks, named, settle } from "../mocks";
import { ServiceQuotas, validateQuotaValues, QuotaValues } from "../../components/quotas/service-quotas";

const mocks = installMocks();
beforeEach(() => mocks.reset());

describe("ServiceQuotas", () => {
    test("the seeds' numbers by default, on compute, network and block storage", async () => {
        new ServiceQuotas("q", { projectId: "service-project" });
        await settle();
        expect(named(mocks.resources, "q-compute").inputs).toEqual({ projectId: "service-project", instances: 200, serverGroups: 200 });
        expect(named(mocks.resources, "q-network").inputs).toEqual({ projectId: "service-project", port: 400, securityGroup: 200 });
        expect(named(mocks.resources, "q-block-storage").inputs).toEqual({ projectId: "service-project", volumes: 200 });
        expect(mocks.resources).toHaveLength(4);
    });

    test("optional quotas are set only when given", async () => {
        new ServiceQuotas("q", { projectId: "p", instances: 50, ports: 100, cores: 400, ramMb: 819200, gigabytes: 10000, snapshots: 100, securityGroupRules: 2000 });
        await settle();
        expect(named(mocks.resources, "q-compute").inputs).toEqual({ projectId: "p", instances: 50, serverGroups: 200, cores: 400, ram: 819200 });
        expect(named(mocks.resources, "q-network").inputs).toEqual({ projectId: "p", port: 100, securityGroup: 200, securityGroupRule: 2000 });
        expect(named(mocks.resources, "q-block-storage").inputs).toEqual({ projectId: "p", volumes: 200, gigabytes: 10000, snapshots: 100 });
    });

    test("unlimited (-1) instances with unlimited ports is accepted", () => {
        expect(validateQuotaValues({ instances: -1, ports: -1 })).toEqual([]);
    });
});

describe("validateQuotaValues", () => {
    test.each<[string, QuotaValues, string, RegExp]>([
        ["ports below 2 x instances", { instances: 200, ports: 399 }, "ports", /399 ports cannot serve 200 instances with two NICs each; set ports to at least 400/],
        ["default ports, more instances", { instances: 300 }, "ports", /set ports to at least 600/],
        ["bounded ports, unlimited instances", { instances: -1, ports: 1000 }, "ports", /set ports to -1/],
        ["negative", { volumes: -5 }, "volumes", /whole number >= 0, or -1 for unlimited/],
        ["fraction", { cores: 1.5 }, "cores", /not a quota/],
        ["unknown quota", { floatingIps: 10 } as QuotaValues, "floatingIps", /not a quota this package sets/],
    ])("%s", async (_label, values, path, message) => {
        expect(validateQuotaValues(values)).toContainEqual({ path, message: expect.stringMatching(message) });
        expect(() => new ServiceQuotas("bad", { ...values, projectId: "p" })).toThrow(message);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });
});
