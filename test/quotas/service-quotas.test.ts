import { installMocks, named, settle } from "../mocks";
import { ServiceQuotas, validateQuotaValues, QuotaValues } from "../../components/quotas/service-quotas";

const mocks = installMocks();
beforeEach(() => mocks.reset());

describe("ServiceQuotas", () => {
    test("the seeds' numbers by default, and every other quota the resources own set explicitly (never 0 by omission)", async () => {
        new ServiceQuotas("q", { projectId: "service-project" });
        await settle();
        expect(named(mocks.resources, "q-compute").inputs).toEqual({ projectId: "service-project", instances: 200, serverGroups: 200 });
        expect(named(mocks.resources, "q-network").inputs).toEqual({
            projectId: "service-project", port: 400, securityGroup: 200, securityGroupRule: 1000,
            floatingip: 50, network: 100, subnet: 100, router: 10, subnetpool: -1, rbacPolicy: 10,
        });
        expect(named(mocks.resources, "q-block-storage").inputs).toEqual({
            projectId: "service-project", volumes: 200, gigabytes: -1, perVolumeGigabytes: -1,
            snapshots: 10, backups: 10, backupGigabytes: 1000, groups: 10,
        });
        expect(mocks.resources).toHaveLength(4);
    });

    test("given quotas win; rules follow security groups", async () => {
        new ServiceQuotas("q", { projectId: "p", instances: 50, ports: 100, securityGroups: 60, cores: 400, ramMb: 819200, gigabytes: 10000, snapshots: 100 });
        await settle();
        expect(named(mocks.resources, "q-compute").inputs).toEqual({ projectId: "p", instances: 50, serverGroups: 200, cores: 400, ram: 819200 });
        expect(named(mocks.resources, "q-network").inputs).toMatchObject({ port: 100, securityGroup: 60, securityGroupRule: 300 });
        expect(named(mocks.resources, "q-block-storage").inputs).toMatchObject({ volumes: 200, gigabytes: 10000, snapshots: 100 });
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
        ["unknown quota", { floatingIp: 10 } as QuotaValues, "floatingIp", /not a quota this package sets/],
    ])("%s", async (_label, values, path, message) => {
        expect(validateQuotaValues(values)).toContainEqual({ path, message: expect.stringMatching(message) });
        expect(() => new ServiceQuotas("bad", { ...values, projectId: "p" })).toThrow(message);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });
});
