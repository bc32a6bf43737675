import { installMocks, ofType, settle } from "../mocks";
import { quotaChanges, TROVE_DEFAULT_QUOTAS, validateTroveQuotaLimits } from "../../components/quotas/trove-tenant-quotas";
import { TroveRegion } from "../../components/region/trove-region";
import { validateTroveRegionArgs } from "../../components/region/region-plan";
import { fixtures, regionArgs } from "../region/fixtures";

const mocks = installMocks();
beforeEach(() => mocks.reset());
const defaults = { ...TROVE_DEFAULT_QUOTAS, instances: 10, backups: 50 };

describe("quotaChanges", () => {
    test("create: only the limits given", () => {
        expect(quotaChanges({}, { instances: 20, ram: 4096 }, defaults)).toEqual({ instances: 20, ram: 4096 });
    });
    test("update: changed limits, and the default back for a limit no longer managed", () => {
        expect(quotaChanges({ instances: 20, backups: 5 }, { instances: 30 }, defaults)).toEqual({ instances: 30, backups: 50 });
    });
    test("no change, no call; delete writes every default back", () => {
        expect(quotaChanges({ instances: 20 }, { instances: 20 }, defaults)).toEqual({});
        expect(quotaChanges({ instances: 20, volumes: 100 }, {}, defaults)).toEqual({ instances: 10, volumes: 40 });
    });
});

describe("validateTroveQuotaLimits", () => {
    test.each<[Record<string, unknown>, string, RegExp]>([
        [{ instance: 5 }, "instance", /is not a resource Trove counts; it counts instances, backups, volumes, ram/],
        [{ backups: -2 }, "backups", /-2 is not a quota/],
        [{ ram: 1.5 }, "ram", /1.5 is not a quota/],
    ])("%j is refused at %s", (limits, path, message) => {
        expect(validateTroveQuotaLimits(limits)).toEqual([{ path, message: expect.stringMatching(message) }]);
    });
    test("-1 and whole numbers are fine", () => {
        expect(validateTroveQuotaLimits({ instances: -1, backups: 0, volumes: 500, ram: 65536 })).toEqual([]);
    });
});

describe("TroveRegion with tenant quotas", () => {
    const f = fixtures();

    test("one resource per project, with trove.conf's limits as the defaults it writes back", async () => {
        new TroveRegion("trove", { ...regionArgs(f), limits: { maxInstancesPerTenant: 7 }, tenantQuotas: { "project-a": { instances: 20 }, "project-b": { backups: 3 } } });
        await settle();
        const quotas = ofType(mocks.resources, "pulumi-nodejs:dynamic/trove-region:TroveTenantQuotas");
        expect(quotas.map((q) => q.name).sort()).toEqual(["trove-tenant-quotas-project-a", "trove-tenant-quotas-project-b"]);
        const a = quotas.find((q) => q.name === "trove-tenant-quotas-project-a")!;
        expect(a.inputs.projectId).toBe("project-a");
        expect(a.inputs.limits).toEqual({ instances: 20 });
        expect(a.inputs.defaults).toEqual({ instances: 7, backups: 50, volumes: 40, ram: -1 });
    });

    test("a tenant's instances beyond maxInstances, and an unknown resource, are named", () => {
        const problems = validateTroveRegionArgs({ ...regionArgs(f), maxInstances: 100, tenantQuotas: { p1: { instances: 500 }, p2: { bogus: 1 } as never } });
        expect(problems).toContainEqual({ path: "tenantQuotas.p1.instances", message: expect.stringMatching(/500 is more than maxInstances \(100\)/) });
        expect(problems).toContainEqual({ path: "tenantQuotas.p2.bogus", message: expect.stringMatching(/is not a resource Trove counts/) });
    });
});
