import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecretInput, named, ofType, plain, settle, valueOf } from "../mocks";
import { Datastores, DatastoresArgs, validateDatastoresArgs } from "../../components/datastores/datastores";
import { troveManageArgv } from "../../components/datastores/trove-manage-parameters";
import { tempDir } from "../tmp";

const mocks = installMocks();
beforeEach(() => mocks.reset());

const VERSION = "pulumi-nodejs:dynamic/trove-region:DatastoreVersion";
const connection = pulumi.secret({ authUrl: "http://127.0.0.1:5000/v3", username: "trove", password: "pw", projectName: "service" });

const templates = tempDir("templates");
for (const manager of ["mysql", "postgresql"]) {
    fs.mkdirSync(path.join(templates, manager));
    fs.writeFileSync(path.join(templates, manager, "validation-rules.json"), JSON.stringify({
        "configuration-parameters": [
            { name: "max_connections", restart_required: false, min: 1, max: 100000, type: "integer" },
            { name: "autocommit", restart_required: false, type: "boolean" },
        ],
    }));
}

const versions = [
    { datastore: "mysql", version: "5.7.29", sourceImage: "mysql:5.7.29" },
    { datastore: "mysql", version: "8.0.36", sourceImage: "mysql:8.0.36", default: true },
    { datastore: "postgresql", version: "12", sourceImage: "postgres:12" },
];

describe("Datastores", () => {
    test("one version resource each, by image tags, with the connection kept secret", async () => {
        const ds = new Datastores("ds", { connection, versions });
        await settle();
        const created = ofType(mocks.resources, VERSION);
        expect(created.map((r) => r.name).sort()).toEqual(["ds-mysql-5.7.29", "ds-mysql-8.0.36", "ds-postgresql-12"]);
        const v = named(mocks.resources, "ds-mysql-8.0.36").inputs;
        expect(v).toMatchObject({
            datastore: "mysql", name: "8.0.36", manager: "mysql", versionNumber: "8.0.36",
            imageTags: ["trove", "mysql"], active: true, default: true, packages: [],
        });
        expect(isSecretInput(v.connection)).toBe(true);
        expect(named(mocks.resources, "ds-mysql-5.7.29").inputs.default).toBe(false);
        expect(named(mocks.resources, "ds-postgresql-12").inputs.default).toBe(true);
        expect(ds.defaultVersions).toEqual({ mysql: "8.0.36", postgresql: "12" });
        expect(await valueOf(ds.versionIds["postgresql-12"])).toBe("ds-postgresql-12-id");
    });

    test("a pinned image id replaces the tags", async () => {
        new Datastores("ds", { connection, versions: versions.slice(2), imageId: "img-1" });
        await settle();
        expect(named(mocks.resources, "ds-postgresql-12").inputs).toMatchObject({ image: "img-1" });
        expect(named(mocks.resources, "ds-postgresql-12").inputs.imageTags).toBeUndefined();
    });

    test("registryExt and replicationStrategy pass through, a strategy's class name as the import path Trove stores; unset, not at all", async () => {
        new Datastores("ds", { connection, versions: [
            { ...versions[0], registryExt: "my.guest.Manager", replicationStrategy: "MysqlGTIDReplication" },
            versions[2],
        ] });
        await settle();
        expect(named(mocks.resources, "ds-mysql-5.7.29").inputs).toMatchObject({
            registryExt: "my.guest.Manager",
            replicationStrategy: "trove.guestagent.strategies.replication.mysql_gtid.MysqlGTIDReplication",
        });
        const unset = named(mocks.resources, "ds-postgresql-12").inputs;
        expect(unset.registryExt).toBeUndefined();
        expect(unset.replicationStrategy).toBeUndefined();
    });

    test("parameters over REST: integer and string only", async () => {
        new Datastores("ds", { connection, versions: versions.slice(2), parametersDir: templates });
        await settle();
        const params = named(mocks.resources, "ds-postgresql-12-parameters").inputs;
        expect(params.versionId).toBe("ds-postgresql-12-id");
        expect(plain<{ name: string }[]>(params.rules).map((r) => r.name)).toEqual(["max_connections"]);
    });

    test("parameters with trove-manage: every type, the rules' text as input so a change re-runs the load", async () => {
        new Datastores("ds", { connection, versions: versions.slice(2), parametersDir: templates, troveManage: { configFile: "/etc/trove/trove.conf" } });
        await settle();
        const load = named(mocks.resources, "ds-postgresql-12-parameters");
        expect(load.type).toBe("pulumi-nodejs:dynamic/trove-region:TroveManageParameters");
        expect(load.inputs).toMatchObject({
            versionId: "ds-postgresql-12-id", datastore: "postgresql", version: "12", configFile: "/etc/trove/trove.conf",
            names: ["max_connections", "autocommit"],
        });
        expect(JSON.parse(load.inputs.rules as string)["configuration-parameters"]).toHaveLength(2);
        expect(isSecretInput(load.inputs.connection)).toBe(true);
    });
});

describe("allowed flavors and volume types", () => {
    const RESTRICTIONS = "pulumi-nodejs:dynamic/trove-region:DatastoreVersionRestrictions";

    test("a version that lists them gets one restrictions resource, run by trove-manage where the parameters loader runs; the others none", async () => {
        new Datastores("ds", {
            connection,
            versions: [
                { datastore: "mariadb", version: "11.8-ha", versionNumber: "11.8", sourceImage: "mariadb:11.8", flavors: ["ds2", "ds4"], volumeTypes: ["trove"] },
                { datastore: "mysql", version: "8.4", sourceImage: "mysql:8.4" },
            ],
            troveManage: { command: "/opt/trove/bin/trove-manage", configFile: "/etc/trove/trove.conf" },
        });
        await settle();
        expect(ofType(mocks.resources, RESTRICTIONS).map((r) => r.name)).toEqual(["ds-mariadb-11.8-ha-restrictions"]);
        const r = named(mocks.resources, "ds-mariadb-11.8-ha-restrictions").inputs;
        expect(r).toMatchObject({
            versionId: "ds-mariadb-11.8-ha-id", datastore: "mariadb", version: "11.8-ha", versionNumber: "11.8",
            flavors: ["ds2", "ds4"], volumeTypes: ["trove"], command: "/opt/trove/bin/trove-manage", configFile: "/etc/trove/trove.conf",
        });
        expect(isSecretInput(r.connection)).toBe(true);
    });

    test.each<[string, Omit<DatastoresArgs, "connection">, string, RegExp]>([
        ["flavors without trove-manage", { versions: [{ ...versions[2], flavors: ["ds2"] }] }, "versions[0].flavors", /only through trove-manage; set troveManage/],
        ["volume types without trove-manage", { versions: [{ ...versions[2], volumeTypes: ["trove"] }] }, "versions[0].volumeTypes", /only through trove-manage/],
        ["a flavor id with a comma", { versions: [{ ...versions[2], flavors: ["ds2,ds4"] }], troveManage: {} }, "versions[0].flavors[0]", /contains a comma, which trove-manage reads as a separator/],
        ["a flavor listed twice", { versions: [{ ...versions[2], flavors: ["ds2", "ds2"] }], troveManage: {} }, "versions[0].flavors[1]", /is already flavors\[0\]/],
    ])("%s", async (_label, args, p, message) => {
        expect(validateDatastoresArgs(args)).toContainEqual({ path: p, message: expect.stringMatching(message) });
        expect(() => new Datastores("bad", { ...args, connection })).toThrow(message);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });

    test("empty lists mean not restricted: accepted, and no resource", async () => {
        const args = { versions: [{ ...versions[2], flavors: [], volumeTypes: [] }], troveManage: {} };
        expect(validateDatastoresArgs(args)).toEqual([]);
        new Datastores("ds", { ...args, connection });
        await settle();
        expect(ofType(mocks.resources, RESTRICTIONS)).toEqual([]);
    });
});

describe("trove-manage command line", () => {
    test("local: trove-manage [--config-file F] db_load_datastore_config_parameters <ds> <version> <rules>", () => {
        expect(troveManageArgv({ datastore: "mysql", version: "5.7.29", configFile: "/etc/trove/trove.conf" }, "/tmp/r.json")).toEqual([
            "trove-manage", "--config-file", "/etc/trove/trove.conf", "db_load_datastore_config_parameters", "mysql", "5.7.29", "/tmp/r.json",
        ]);
        expect(troveManageArgv({ datastore: "mysql", version: "8.0", command: "/opt/trove/bin/trove-manage" }, "r.json"))
            .toEqual(["/opt/trove/bin/trove-manage", "db_load_datastore_config_parameters", "mysql", "8.0", "r.json"]);
    });
});

describe("validateDatastoresArgs", () => {
    test.each<[string, Omit<DatastoresArgs, "connection">, string, RegExp]>([
        ["missing rules file", { versions: [{ datastore: "mariadb", version: "10.4", sourceImage: "m" }], parametersDir: templates }, "parametersDir", /mariadb\/validation-rules.json does not exist/],
        ["two defaults", { versions: [versions[0], { ...versions[1] }, { ...versions[0], version: "5.7.30", default: true }] }, "versions[2].default", /2 default versions/],
        ["another manager's strategy", { versions: [{ ...versions[2], replicationStrategy: "MysqlGTIDReplication" }] }, "versions[0].replicationStrategy",
            /"MysqlGTIDReplication" is not a replication strategy Trove ships for manager postgresql \(PostgresqlReplicationStreaming\)/],
    ])("%s", async (_label, args, p, message) => {
        expect(validateDatastoresArgs(args)).toContainEqual({ path: p, message: expect.stringMatching(message) });
        expect(() => new Datastores("bad", { ...args, connection })).toThrow(message);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });
});

describe("ordering of a datastore's default version", () => {
    test("the default version is written after its siblings, so a moving default is released before it is taken", async () => {
        const order: string[] = [];
        const deps = new Map<string, pulumi.Resource[]>();
        const record: pulumi.ResourceTransformation = (args) => {
            if (args.type.includes("DatastoreVersion")) {
                order.push(args.name);
                deps.set(args.name, (args.opts.dependsOn ?? []) as pulumi.Resource[]);
            }
            return undefined;
        };
        new Datastores("ds", { connection, versions }, { transformations: [record] });
        await settle();
        // versions: mysql 5.7.29 (not default), mysql 8.0.36 (default), postgresql 12 (only, so default).
        expect(order).toEqual(["ds-mysql-5.7.29", "ds-mysql-8.0.36", "ds-postgresql-12"]);
        // Named through their URNs, what a user sees.
        const names = (rs: pulumi.Resource[] | undefined): Promise<string[]> =>
            Promise.all((rs ?? []).map(async (r) => (await valueOf(r.urn)).split("::").pop()!));
        expect(await names(deps.get("ds-mysql-8.0.36"))).toEqual(["ds-mysql-5.7.29"]);
        expect(await names(deps.get("ds-postgresql-12"))).toEqual([]);
        expect(await names(deps.get("ds-mysql-5.7.29"))).toEqual([]);
    });
});
