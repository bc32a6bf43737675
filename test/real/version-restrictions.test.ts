// A datastore version's allowed flavors and volume types as a real Pulumi resource: the real engine
// drives DatastoreVersionRestrictions, which writes with the dev cloud's trove-manage, against the
// dev cloud's Trove, Nova and Cinder; every effect is checked through Trove's REST API (and, for the
// refusal, by a tenant asking Trove for an instance).
import { execFileSync } from "child_process";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { changes, destroyAndRemove, inlineStack } from "../support/stack";
import { DatastoreVersion } from "../../components/datastores/datastore-version";
import { DatastoreVersionRestrictions } from "../../components/datastores/version-restrictions";
import { OpenStackApi } from "../support/openstack-api";
import { devConnection, requireRealEnvironment } from "../support/real-env";

const repo = path.join(__dirname, "..", "..");
const TROVE_MANAGE = path.join(repo, "scripts", "devcloud", "trove-manage");
const suffix = Date.now().toString(36).slice(-5);
// A datastore and an image tag of this test's own: no other test's versions or images are touched.
const DATASTORE = `restrict-${suffix}`;
// Trove takes image tags of at most 20 characters.
const IMAGE_TAG = `rt-img-${suffix}`;
const VERSION = "5.7.29";
const FLAVOR = { a: `rt-a-${suffix}`, b: `rt-b-${suffix}`, c: `rt-c-${suffix}` };
const TYPE = { ssd: `rt-ssd-${suffix}`, hdd: `rt-hdd-${suffix}` };

function configFile(): string {
    const dir = process.env.DEVCLOUD_DIR;
    if (!dir) throw new Error("DEVCLOUD_DIR is not set: run with the variables of scripts/devcloud.sh env (/tmp/real-some.sh does)");
    return path.join(dir, "etc", "trove", "trove.conf");
}

/** The program under test: a version, and (while `restrict`) its restrictions as the current test sets them. */
let flavors: string[] = [];
let volumeTypes: string[] = [];
let restrict = true;
/** The version name trove-manage is given, when a test wants it wrong. */
let versionName: string | undefined;
async function program(): Promise<Record<string, unknown>> {
    const connection = pulumi.secret(devConnection());
    const version = new DatastoreVersion("rt-version", {
        connection, datastore: DATASTORE, name: VERSION, manager: "mysql", versionNumber: VERSION,
        imageTags: [IMAGE_TAG], active: true, default: true,
    });
    if (restrict) {
        new DatastoreVersionRestrictions("rt-restrictions", {
            connection, versionId: version.id, datastore: version.datastore, version: versionName ?? version.name, versionNumber: version.versionNumber,
            flavors, volumeTypes, command: TROVE_MANAGE, configFile: configFile(),
        });
    }
    return { versionId: version.id, datastoreId: version.datastoreId };
}

describe("a datastore version's allowed flavors and volume types, written with trove-manage", () => {
    let stack: Stack;
    let api: OpenStackApi;
    let tenant: OpenStackApi;
    let imageId = "";
    let versionId = "";
    let datastoreId = "";
    const createdFlavors: string[] = [];
    const createdTypes: string[] = [];

    const allowedFlavors = async (): Promise<string[]> => {
        const { flavors: all } = await api.get<{ flavors: { str_id: string }[] }>("database", `/datastores/${DATASTORE}/versions/${versionId}/flavors`);
        return all.map((f) => f.str_id).sort();
    };
    const allowedTypes = async (): Promise<string[]> => {
        const { volume_types: all } = await api.get<{ volume_types: { name: string }[] }>("database", `/datastores/${DATASTORE}/versions/${versionId}/volume-types`);
        return all.map((t) => t.name).sort();
    };
    const novaFlavors = async (): Promise<string[]> =>
        (await api.get<{ flavors: { id: string }[] }>("compute", "/flavors")).flavors.map((f) => f.id).sort();
    const cinderTypes = async (): Promise<string[]> =>
        (await api.get<{ volume_types: { name: string }[] }>("volumev3", "/types")).volume_types.map((t) => t.name).sort();
    const troveManage = (args: string[]): string =>
        execFileSync(TROVE_MANAGE, ["--config-file", configFile(), ...args], { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 }).toString();

    beforeAll(async () => {
        requireRealEnvironment();
        api = await OpenStackApi.login();
        tenant = await OpenStackApi.login({ ...process.env, OS_USERNAME: "demo", OS_PASSWORD: "devcloud-demo", OS_PROJECT_NAME: "demo" });
        // Public, so that Trove finds it by its tag for the demo tenant's instance request too.
        const image = await api.request<{ id: string }>("POST", "image", "/v2/images", {
            name: `trove-region-restrictions-${suffix}`, tags: [IMAGE_TAG], visibility: "public", disk_format: "qcow2", container_format: "bare",
        });
        imageId = image!.id;
        await api.request("PUT", "image", `/v2/images/${imageId}/file`, Buffer.from("QFI\xfb not a real image"));
        for (const id of Object.values(FLAVOR)) {
            await api.request("POST", "compute", "/flavors", { flavor: { name: `${id}.n`, id, ram: 512, vcpus: 1, disk: 1 } });
            createdFlavors.push(id);
        }
        for (const name of Object.values(TYPE)) {
            const { volume_type: type } = (await api.request<{ volume_type: { id: string } }>("POST", "volumev3", "/types", { volume_type: { name } }))!;
            createdTypes.push(type.id);
        }
        stack = await inlineStack("trove-region-version-restrictions-test", "version-restrictions-test", program);
    });

    afterAll(async () => {
        await destroyAndRemove(stack, "version-restrictions-test");
        const quietly = (p: Promise<unknown>, what: string) => p.catch((e: Error) => console.error(`${what}: ${e.message}`));
        if (datastoreId) await quietly(api.request("DELETE", "database", `/datastores/${datastoreId}`), `datastore ${DATASTORE}`);
        if (imageId) await quietly(api.request("DELETE", "image", `/v2/images/${imageId}`), "image");
        for (const id of createdFlavors) await quietly(api.request("DELETE", "compute", `/flavors/${id}`), `flavor ${id}`);
        for (const id of createdTypes) await quietly(api.request("DELETE", "volumev3", `/types/${id}`), `volume type ${id}`);
    });

    test("a flavor Nova does not have, or given by its name: a clear error before anything is written", async () => {
        flavors = [FLAVOR.a, "no-such-flavor", `${FLAVOR.b}.n`];
        volumeTypes = [TYPE.ssd];
        const failed = await stack.up().then(() => "", (e: Error) => e.message);
        console.log(failed.split("\n").find((l) => l.includes("error: flavors of")));
        expect(failed).toMatch(new RegExp(`flavors of datastore version [^\\n]*: "no-such-flavor" does not exist; "${FLAVOR.b}.n" is the name of flavor "${FLAVOR.b}": give its id\\. ` +
            "Trove would never list an association of a flavor Nova does not have, so none was written"));
        // The version was created; its restrictions were not: Trove still allows everything.
        const state = await stack.exportStack();
        const version = (state.deployment as { resources: { urn: string; id?: string; outputs?: Record<string, unknown> }[] }).resources
            .find((r) => r.urn.endsWith("::rt-version"))!;
        versionId = version.id!;
        datastoreId = version.outputs!.datastoreId as string;
        expect(await allowedFlavors()).toEqual(await novaFlavors());
        expect(await allowedTypes()).toEqual(await cinderTypes());
        volumeTypes = ["rt-not-a-type"];
        flavors = [];
        await expect(stack.up()).rejects.toThrow(/volumeTypes of datastore version [^\n]*: "rt-not-a-type" does not exist/);
    });

    test("create: Trove allows exactly the listed flavors and volume types", async () => {
        flavors = [FLAVOR.a, FLAVOR.b];
        volumeTypes = [TYPE.ssd];
        const result = await stack.up();
        expect(result.outputs.versionId.value).toBe(versionId);
        expect(await allowedFlavors()).toEqual([FLAVOR.a, FLAVOR.b].sort());
        expect(await allowedTypes()).toEqual([TYPE.ssd]);
        // Trove's own record of the volume type associations agrees.
        expect(troveManage(["datastore_version_volume_type_list", DATASTORE, VERSION, "--version", VERSION]))
            .toMatch(new RegExp(`Volume Type: ${TYPE.ssd}`));
    });

    test("a second up changes nothing; the lists in another order are no change either", async () => {
        flavors = [FLAVOR.b, FLAVOR.a];
        const preview = await stack.preview();
        expect(changes(preview.changeSummary)).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
    });

    test("trove-manage prints its error and exits 0: the read-back fails the up, quoting what it printed", async () => {
        versionName = "no-such-version";
        flavors = [FLAVOR.a, FLAVOR.b, FLAVOR.c];
        const failed = await stack.up().then(() => "", (e: Error) => e.message);
        console.log(failed.split("\n").find((l) => l.includes("error: trove-manage did not")));
        expect(failed).toMatch(new RegExp(
            `trove-manage did not set the flavors of datastore version ${DATASTORE} no-such-version [^\n]*: wanted \\[${[FLAVOR.a, FLAVOR.b, FLAVOR.c].sort().join(", ")}\\], ` +
            `but Trove now allows \\[${[FLAVOR.a, FLAVOR.b].sort().join(", ")}\\]\\. trove-manage printed: \`[^\`]*datastore_version_flavor_add ${DATASTORE} no-such-version ${FLAVOR.c} --version ${VERSION}\` -> "[^"]*Not Found`));
        expect(await allowedFlavors()).toEqual([FLAVOR.a, FLAVOR.b].sort());
        versionName = undefined;
        flavors = [FLAVOR.a, FLAVOR.b];
        expect(changes((await stack.preview()).changeSummary)).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
    });

    test("update in place: one flavor added, one removed, a volume type added", async () => {
        flavors = [FLAVOR.a, FLAVOR.c];
        volumeTypes = [TYPE.ssd, TYPE.hdd];
        const preview = await stack.preview({ diff: true });
        expect(changes(preview.changeSummary)).toEqual({ create: 0, update: 1, delete: 0, replace: 0 });
        await stack.up();
        expect(await allowedFlavors()).toEqual([FLAVOR.a, FLAVOR.c].sort());
        expect(await allowedTypes()).toEqual([TYPE.hdd, TYPE.ssd].sort());
    });

    test("drift: a flavor removed out of band with trove-manage is seen by refresh, shown by preview, restored by up", async () => {
        expect(troveManage(["datastore_version_flavor_delete", DATASTORE, VERSION, FLAVOR.a, "--version", VERSION])).toMatch(/Deleted flavor/);
        expect(await allowedFlavors()).toEqual([FLAVOR.c]);
        const refresh = await stack.refresh();
        expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
        const preview = await stack.preview({ diff: true });
        expect(changes(preview.changeSummary)).toEqual({ create: 0, update: 1, delete: 0, replace: 0 });
        expect(preview.stdout).toMatch(/flavors/);
        await stack.up();
        expect(await allowedFlavors()).toEqual([FLAVOR.a, FLAVOR.c].sort());
        await stack.refresh();
        expect(changes((await stack.preview()).changeSummary)).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
    });

    test("drift: every flavor removed out of band (Trove then lists all of Nova's) is restored too", async () => {
        for (const id of [FLAVOR.a, FLAVOR.c]) troveManage(["datastore_version_flavor_delete", DATASTORE, VERSION, id, "--version", VERSION]);
        expect(await allowedFlavors()).toEqual(await novaFlavors());
        await stack.refresh();
        expect(changes((await stack.preview()).changeSummary)).toEqual({ create: 0, update: 1, delete: 0, replace: 0 });
        await stack.up();
        expect(await allowedFlavors()).toEqual([FLAVOR.a, FLAVOR.c].sort());
    });

    test("a tenant's instance of a flavor the version does not allow is refused by Trove, naming the association", async () => {
        // DatastoreFlavorAssociationNotFound is a NotFound, but Trove answers it as a 400 badRequest.
        await expect(tenant.request("POST", "database", "/instances", {
            instance: { name: `restricted-${suffix}`, flavorRef: FLAVOR.b, datastore: { type: DATASTORE, version: VERSION } },
        })).rejects.toThrow(new RegExp(`: 400 .*Flavor ${FLAVOR.b} is not supported for datastore version ${versionId}`));
        const { instances } = await tenant.get<{ instances: { name: string }[] }>("database", "/instances");
        expect(instances.filter((i) => i.name === `restricted-${suffix}`)).toEqual([]);
    });

    test("deleting the resource leaves the version unrestricted again", async () => {
        restrict = false;
        const result = await stack.up();
        expect(result.summary.resourceChanges).toMatchObject({ delete: 1 });
        expect(await allowedFlavors()).toEqual(await novaFlavors());
        expect(await allowedTypes()).toEqual(await cinderTypes());
        expect(troveManage(["datastore_version_volume_type_list", DATASTORE, VERSION, "--version", VERSION])).toMatch(/No Volume Type Associations found/);
    });

    test("destroy removes the version", async () => {
        await stack.destroy();
        const { versions } = await api.get<{ versions: { id: string }[] }>("database", "/mgmt/datastore-versions");
        expect(versions.some((v) => v.id === versionId)).toBe(false);
    });
});
