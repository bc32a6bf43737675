// Per-tenant Trove quotas as a real resource against the dev cloud's Trove 26: set, read back through
// mgmt/quotas, updated in place, drift seen by refresh and repaired by up, defaults written back when a
// limit is dropped and when the resource is deleted.
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { TroveQuotaLimits, TroveTenantQuotas, TROVE_DEFAULT_QUOTAS } from "../../components/quotas/trove-tenant-quotas";
import { destroyAndRemove, inlineStack } from "../support/stack";
import { OpenStackApi } from "../support/openstack-api";
import { requireRealEnvironment, devConnection } from "../support/real-env";

const connection = devConnection;

/** trove.conf's defaults as the region renders them (the dev cloud runs Trove's own). */
const DEFAULTS = { ...TROVE_DEFAULT_QUOTAS };

let projectId = "";
let limits: TroveQuotaLimits = {};
async function program(): Promise<Record<string, unknown>> {
    const quotas = new TroveTenantQuotas("demo-quotas", { connection: pulumi.secret(connection()), projectId, limits, defaults: DEFAULTS });
    return { limits: quotas.limits };
}

describe("per-tenant Trove quotas against the dev cloud's trove-api", () => {
    let stack: Stack;
    let api: OpenStackApi;

    /** The demo project's limits as Trove reports them. */
    const live = async (): Promise<Record<string, number>> => {
        const { quotas } = await api.get<{ quotas: { resource: string; limit: number }[] }>("database", `/mgmt/quotas/${projectId}`);
        return Object.fromEntries(quotas.map((q) => [q.resource, q.limit]));
    };

    beforeAll(async () => {
        requireRealEnvironment();
        api = await OpenStackApi.login();
        const { projects } = await api.get<{ projects: { id: string }[] }>("identity", "/projects?name=demo");
        projectId = projects[0].id;
        stack = await inlineStack("trove-region-quotas-test", "trove-quotas-test", program);
        limits = {};
        await stack.destroy();
    });

    afterAll(async () => {
        await destroyAndRemove(stack, "trove-quotas-test");
    });

    test("create: the project's limits are set, the others keep the defaults", async () => {
        limits = { instances: 3, backups: 7 };
        const up = await stack.up();
        expect(up.summary.resourceChanges).toMatchObject({ create: 2 });
        expect(await live()).toMatchObject({ instances: 3, backups: 7, volumes: DEFAULTS.volumes, ram: DEFAULTS.ram });
    });

    test("update in place: a changed limit is one update, and a dropped limit gets the default back", async () => {
        limits = { instances: 5 };
        const preview = await stack.preview();
        expect(preview.changeSummary).toMatchObject({ update: 1 });
        expect(preview.changeSummary.replace ?? 0).toBe(0);
        await stack.up();
        expect(await live()).toMatchObject({ instances: 5, backups: DEFAULTS.backups });
    });

    test("drift: a limit changed out of band is seen by refresh and restored by up", async () => {
        await api.request("PUT", "database", `/mgmt/quotas/${projectId}`, { quotas: { instances: 42 } });
        const refresh = await stack.refresh();
        expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
        const preview = await stack.preview();
        expect(preview.changeSummary).toMatchObject({ update: 1 });
        await stack.up();
        expect((await live()).instances).toBe(5);
        expect((await stack.preview()).changeSummary).not.toHaveProperty("update");
    });

    test("delete writes the defaults back", async () => {
        await stack.destroy();
        expect(await live()).toMatchObject({ instances: DEFAULTS.instances, backups: DEFAULTS.backups });
    });
});
