// Trove datastore versions and their configuration parameters as real Pulumi resources: the real
// engine drives the DatastoreVersion and DatastoreParameters dynamic providers against the dev
// cloud's trove-api, and every effect is checked through Trove's own API.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { destroyAndRemove, inlineStack } from "../support/stack";
import { Datastores } from "../../components/datastores/datastores";
import { TROVE_TEMPLATES } from "../support/dev-config";
import { DatastoreVersionSpec, TROVE_REGISTRY_EXT_DEFAULTS, TROVE_REPLICATION_STRATEGIES } from "../../components/model/datastore-spec";
import { TroveManageArgs } from "../../components/datastores/datastores";
import { parseValidationRules, splitByLoadPath } from "../../components/datastores/validation-rules";
import { OpenStackApi } from "../support/openstack-api";
import { requireRealEnvironment, devConnection } from "../support/real-env";

const connection = devConnection;

/** The program under test: one Datastores component, its versions given by the current test. */
let versions: DatastoreVersionSpec[] = [];
let troveManage: TroveManageArgs | undefined;
async function program(): Promise<Record<string, unknown>> {
    const ds = new Datastores("ds", {
        connection: pulumi.secret(connection()),
        versions,
        parametersDir: TROVE_TEMPLATES,
        troveManage,
    });
    return { versionIds: ds.versionIds };
}

interface Version {
    id: string; name: string; datastore_name: string; version: string; active: boolean; default: boolean; image_tags: string[];
    registry_ext: string | null; repl_strategy: string | null;
}

// Trove 26 stores registry_ext and repl_strategy without importing them (the guest agent does, when a
// guest of the version starts; this test starts none), so classes of no real module do here.
const CUSTOM_EXT = "trove_region_test.guest.Manager";
const CUSTOM_REPL = "trove_region_test.replication.Custom";

describe("datastore versions against the dev cloud's trove-api", () => {
    let stack: Stack;
    let api: OpenStackApi;
    let imageId = "";
    const restRules = splitByLoadPath(parseValidationRules(
        fs.readFileSync(path.join(TROVE_TEMPLATES, "mysql", "validation-rules.json"), "utf8"))).rest;

    const version = async (id: string): Promise<Version | undefined> => {
        const { versions: all } = await api.get<{ versions: Version[] }>("database", "/mgmt/datastore-versions");
        return all.find((v) => v.id === id);
    };

    beforeAll(async () => {
        requireRealEnvironment();
        api = await OpenStackApi.login();
        // Trove looks the image up by tags when a version is created: it must exist first.
        imageId = await api.createImage("trove-region-real-test", ["trove", "mysql"], Buffer.from("QFI\xfb not a real image"));
        stack = await inlineStack("trove-region-datastores-test", "datastores-test", program);
        // An interrupted earlier run may have left resources behind: start from empty.
        versions = [];
        await stack.destroy();
    });

    afterAll(async () => {
        await destroyAndRemove(stack, "datastores-test");
        if (imageId) await api.request("DELETE", "image", `/v2/images/${imageId}`).catch(() => undefined);
    });

    let ids: Record<string, string> = {};

    test("tags no image carries: a clear error before Trove is asked, and nothing is created", async () => {
        versions = [{ datastore: "mysql", version: "5.7.29", sourceImage: "mysql:5.7.29", imageTags: ["trove", "no-such-tag"] }];
        await expect(stack.up()).rejects.toThrow(/no active Glance image visible to trove carries all of the tags trove,no-such-tag for datastore version mysql 5.7.29/);
        const { versions: all } = await api.get<{ versions: Version[] }>("database", "/mgmt/datastore-versions");
        expect(all.filter((v) => v.datastore_name === "mysql")).toEqual([]);
    });

    test("create: two versions by image tags, one default, with their REST parameters", async () => {
        versions = [
            { datastore: "mysql", version: "5.7.29", sourceImage: "mysql:5.7.29", default: true },
            { datastore: "mysql", version: "8.0.36", sourceImage: "mysql:8.0.36", default: false, registryExt: CUSTOM_EXT, replicationStrategy: CUSTOM_REPL },
        ];
        const result = await stack.up();
        ids = result.outputs.versionIds.value as Record<string, string>;
        const v57 = await version(ids["mysql-5.7.29"]);
        expect(v57).toMatchObject({ name: "5.7.29", datastore_name: "mysql", version: "5.7.29", active: true, default: true, image_tags: ["trove", "mysql"] });
        expect(await version(ids["mysql-8.0.36"])).toMatchObject({ default: false, active: true, registry_ext: CUSTOM_EXT, repl_strategy: CUSTOM_REPL });
        // Unset: Trove filled in its defaults for the manager (constants.py; trove.conf's [mysql] defaults).
        expect(v57).toMatchObject({ registry_ext: TROVE_REGISTRY_EXT_DEFAULTS.mysql, repl_strategy: TROVE_REPLICATION_STRATEGIES.mysql[0] });
        const params = await api.get<{ "configuration-parameters": { name: string; type: string }[] }>(
            "database", `/datastores/versions/${ids["mysql-5.7.29"]}/parameters`);
        expect(params["configuration-parameters"].map((p) => p.name).sort()).toEqual(restRules.map((r) => r.name).sort());
        expect(restRules.length).toBeGreaterThan(10);
    });

    test("a second up changes nothing", async () => {
        const preview = await stack.preview();
        expect(preview.changeSummary.create ?? 0).toBe(0);
        expect(preview.changeSummary.update ?? 0).toBe(0);
        expect(preview.changeSummary.replace ?? 0).toBe(0);
    });

    test("update in place: the default moves to 8.0.36 without replacing either version", async () => {
        versions = [
            { ...versions[0], default: false },
            { ...versions[1], default: true },
        ];
        const preview = await stack.preview();
        expect(preview.changeSummary).toMatchObject({ update: 2 });
        expect(preview.changeSummary.replace ?? 0).toBe(0);
        await stack.up();
        expect(await version(ids["mysql-5.7.29"])).toMatchObject({ default: false });
        expect(await version(ids["mysql-8.0.36"])).toMatchObject({ default: true });
    });

    test("registryExt and replicationStrategy update in place: a preview shows an update, and the id stays", async () => {
        // Back to Trove's own classes: the strategy by its class name, stored as its import path.
        versions = [versions[0], { ...versions[1], registryExt: TROVE_REGISTRY_EXT_DEFAULTS.mysql, replicationStrategy: "MysqlGTIDReplication" }];
        const preview = await stack.preview({ diff: true });
        expect(preview.changeSummary).toMatchObject({ update: 1 });
        expect(preview.changeSummary.replace ?? 0).toBe(0);
        expect(preview.stdout).toMatch(/registryExt/);
        expect(preview.stdout).toMatch(/replicationStrategy/);
        const result = await stack.up();
        expect((result.outputs.versionIds.value as Record<string, string>)["mysql-8.0.36"]).toBe(ids["mysql-8.0.36"]);
        expect(await version(ids["mysql-8.0.36"])).toMatchObject({
            registry_ext: TROVE_REGISTRY_EXT_DEFAULTS.mysql, repl_strategy: TROVE_REPLICATION_STRATEGIES.mysql[0], default: true,
        });
    });

    test("drift: a replication strategy changed out of band is seen by refresh and restored by up; unset ones show no diff", async () => {
        // 5.7.29 leaves both unset: what Trove filled in is read into the state and must stay quiet.
        await api.request("PATCH", "database", `/mgmt/datastore-versions/${ids["mysql-8.0.36"]}`, { repl_strategy: CUSTOM_REPL });
        await api.request("PATCH", "database", `/mgmt/datastore-versions/${ids["mysql-5.7.29"]}`, { registry_ext: CUSTOM_EXT });
        const refresh = await stack.refresh();
        // The engine asks the provider's diff whether a refreshed resource changed: 8.0.36's set
        // strategy did; 5.7.29's unset registryExt is Trove's business, so it counts as unchanged.
        expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
        // Both values Trove now has are in the state all the same.
        const outputs = async (versionName: string): Promise<Record<string, unknown>> => {
            const state = await stack.exportStack();
            const resources = (state.deployment as { resources: { urn: string; outputs?: Record<string, unknown> }[] }).resources;
            return resources.find((r) => r.urn.endsWith(`::ds-mysql-${versionName}`))!.outputs!;
        };
        expect(await outputs("8.0.36")).toMatchObject({ replicationStrategy: CUSTOM_REPL });
        expect(await outputs("5.7.29")).toMatchObject({ registryExt: CUSTOM_EXT });
        const preview = await stack.preview({ diff: true });
        // Only the version whose strategy is set: 5.7.29's registryExt is unset, so Trove's value is not fought.
        expect(preview.changeSummary).toMatchObject({ update: 1 });
        expect(preview.changeSummary.replace ?? 0).toBe(0);
        await stack.up();
        expect(await version(ids["mysql-8.0.36"])).toMatchObject({ repl_strategy: TROVE_REPLICATION_STRATEGIES.mysql[0] });
        expect(await version(ids["mysql-5.7.29"])).toMatchObject({ registry_ext: CUSTOM_EXT });
        // Put 5.7.29 back as Trove had it, and check a refresh then leaves nothing to do.
        await api.request("PATCH", "database", `/mgmt/datastore-versions/${ids["mysql-5.7.29"]}`, { registry_ext: TROVE_REGISTRY_EXT_DEFAULTS.mysql });
        await stack.refresh();
        const again = await stack.preview();
        expect(again.changeSummary.update ?? 0).toBe(0);
        expect(again.changeSummary.replace ?? 0).toBe(0);
    });

    test("replace: a new version number makes a new version", async () => {
        versions = [{ ...versions[0], versionNumber: "5.7.30" }, versions[1]];
        const preview = await stack.preview();
        expect(preview.changeSummary).toMatchObject({ replace: 2 }); // the version and its parameters
        const result = await stack.up();
        const newIds = result.outputs.versionIds.value as Record<string, string>;
        expect(newIds["mysql-5.7.29"]).not.toBe(ids["mysql-5.7.29"]);
        expect(await version(ids["mysql-5.7.29"])).toBeUndefined();
        expect(await version(newIds["mysql-5.7.29"])).toMatchObject({ version: "5.7.30" });
        ids = newIds;
    });

    test("drift: a version deleted out of band is noticed by refresh and recreated by up", async () => {
        await api.request("DELETE", "database", `/mgmt/datastore-versions/${ids["mysql-8.0.36"]}`);
        const refresh = await stack.refresh();
        // The version and its parameters are both gone.
        expect(refresh.summary.resourceChanges).toMatchObject({ delete: 2 });
        const result = await stack.up();
        expect(result.summary.resourceChanges).toMatchObject({ create: 2 });
        const recreated = (result.outputs.versionIds.value as Record<string, string>)["mysql-8.0.36"];
        expect(await version(recreated)).toMatchObject({ name: "8.0.36", default: true });
    });

    test("trove-manage loads every parameter type, booleans and floats included; a rules change re-runs it", async () => {
        // The dev cloud's wrapper of Debian's trove-manage, with the dev cloud's trove.conf.
        const configFile = process.env.DEVCLOUD_TROVE_CONF;
        if (!configFile) throw new Error("DEVCLOUD_TROVE_CONF is not set: run with the variables of scripts/devcloud.sh env");
        troveManage = { command: path.join(__dirname, "..", "..", "scripts", "devcloud", "trove-manage"), configFile };
        versions = [{ datastore: "mysql", version: "5.7.29", sourceImage: "mysql:5.7.29", default: true }];
        const result = await stack.up();
        const id = (result.outputs.versionIds.value as Record<string, string>)["mysql-5.7.29"];
        const all = parseValidationRules(fs.readFileSync(path.join(TROVE_TEMPLATES, "mysql", "validation-rules.json"), "utf8"));
        const { "configuration-parameters": loaded } = await api.get<{ "configuration-parameters": { name: string; type: string }[] }>(
            "database", `/datastores/versions/${id}/parameters`);
        expect(loaded.map((p) => p.name).sort()).toEqual(all.map((r) => r.name).sort());
        expect(new Set(loaded.map((p) => p.type))).toEqual(new Set(["integer", "string", "boolean", "float"]));
        const again = await stack.preview();
        expect(again.changeSummary.update ?? 0).toBe(0);
        troveManage = undefined;
    });

    test("a version in use (here by a configuration group) is not deleted: Trove's refusal is explained", async () => {
        const group = await api.request<{ configuration: { id: string } }>("POST", "database", "/configurations", {
            configuration: { name: "trove-region-in-use", values: { max_connections: 100 }, datastore: { type: "mysql", version: "5.7.29" } },
        });
        try {
            // Trove's own words, then what to do about them.
            await expect(stack.destroy()).rejects.toThrow(/Trove answered 400 to DELETE [^\n]*in use[^\n]*\. Delete or move the instances, backups and configuration groups that use it/i);
            const { versions: all } = await api.get<{ versions: Version[] }>("database", "/mgmt/datastore-versions");
            expect(all.some((v) => v.datastore_name === "mysql" && v.name === "5.7.29")).toBe(true);
        } finally {
            await api.request("DELETE", "database", `/configurations/${group!.configuration.id}`);
        }
    });

    test("destroy removes the versions from Trove", async () => {
        const result = await stack.destroy();
        expect(result.summary.result).toBe("succeeded");
        const { versions: all } = await api.get<{ versions: Version[] }>("database", "/mgmt/datastore-versions");
        expect(all.filter((v) => v.datastore_name === "mysql")).toEqual([]);
    });
});
