import {
    checkRegistryExt, checkReplicationStrategy, DatastoreVersionSpec, replicationStrategyPath, resolveVersions, TROVE_REGISTRY_EXT_DEFAULTS,
    TROVE_REPLICATION_STRATEGIES, troveDefaultsFor, validateDatastoreVersions,
} from "../../components/model/datastore-spec";

const mysql = (version: string, extra: Partial<DatastoreVersionSpec> = {}): DatastoreVersionSpec =>
    ({ datastore: "mysql", version, sourceImage: `mysql:${version}`, ...extra });

describe("resolveVersions", () => {
    test("defaults: manager and number from the names, tags trove + datastore, active, a lone version is the default, no flavor or volume type restriction", () => {
        expect(resolveVersions([mysql("5.7.29")])).toEqual([{
            datastore: "mysql", version: "5.7.29", manager: "mysql", versionNumber: "5.7.29", sourceImage: "mysql:5.7.29",
            imageTags: ["trove", "mysql"], active: true, default: true, packages: [], flavors: [], volumeTypes: [],
            registryExt: undefined, replicationStrategy: undefined,
        }]);
    });

    test("a marked default wins; otherwise the first declared version is the default, so appending one never moves it", () => {
        expect(resolveVersions([mysql("5.7.29"), mysql("8.0", { default: true })]).map((v) => v.default)).toEqual([false, true]);
        expect(resolveVersions([mysql("5.7.29"), mysql("8.0")]).map((v) => v.default)).toEqual([true, false]);
        expect(resolveVersions([mysql("5.7.29", { default: false }), mysql("8.0")]).map((v) => v.default)).toEqual([false, false]);
    });
});

describe("registryExt and replicationStrategy", () => {
    test("unset: left unset, for Trove to fill in", () => {
        const [v] = resolveVersions([mysql("5.7.29")]);
        expect(v.registryExt).toBeUndefined();
        expect(v.replicationStrategy).toBeUndefined();
    });

    test("a strategy Trove ships, by class name, resolves to the import path Trove stores; a dotted path is kept", () => {
        expect(resolveVersions([{ datastore: "mariadb", version: "10.11", sourceImage: "mariadb:10.11", replicationStrategy: "MariaDBGTIDReplication" }])[0].replicationStrategy)
            .toBe("trove.guestagent.strategies.replication.mariadb_gtid.MariaDBGTIDReplication");
        expect(replicationStrategyPath("postgresql", "PostgresqlReplicationStreaming")).toBe("trove.guestagent.strategies.replication.postgresql.PostgresqlReplicationStreaming");
        expect(replicationStrategyPath("mysql", "my.repl.Strategy")).toBe("my.repl.Strategy");
        expect(resolveVersions([mysql("5.7.29", { registryExt: "my.guest.Manager" })])[0].registryExt).toBe("my.guest.Manager");
    });

    test("Trove 26's defaults: REGISTRY_EXT_DEFAULTS and trove.conf's [<manager>] replication_namespace.replication_strategy", () => {
        expect(TROVE_REGISTRY_EXT_DEFAULTS).toEqual({
            mysql: "trove.guestagent.datastore.mysql.manager.Manager",
            mariadb: "trove.guestagent.datastore.mariadb.manager.Manager",
            postgresql: "trove.guestagent.datastore.postgres.manager.PostgresManager",
        });
        expect(troveDefaultsFor("mysql")).toEqual({ registryExt: TROVE_REGISTRY_EXT_DEFAULTS.mysql, replicationStrategy: TROVE_REPLICATION_STRATEGIES.mysql[0] });
        expect(troveDefaultsFor("redis")).toEqual({});
    });

    test("valid values", () => {
        expect(checkRegistryExt("trove.guestagent.datastore.mysql.manager.Manager")).toEqual([]);
        expect(checkRegistryExt(undefined)).toEqual([]);
        for (const [manager, paths] of Object.entries(TROVE_REPLICATION_STRATEGIES)) {
            for (const p of paths) {
                expect(checkReplicationStrategy(manager, p)).toEqual([]);
                expect(checkReplicationStrategy(manager, p.slice(p.lastIndexOf(".") + 1))).toEqual([]);
            }
        }
        expect(checkReplicationStrategy("mysql", "my_company.replication.SemiSync")).toEqual([]);
    });

    test.each<[string, DatastoreVersionSpec, string, RegExp]>([
        ["empty registryExt", mysql("1", { registryExt: "" }), "[0].registryExt", /"" is empty or not a string; give a Python import path/],
        ["registryExt over lines", mysql("1", { registryExt: "a.B\nc.D" }), "[0].registryExt", /spans lines/],
        ["registryExt not dotted", mysql("1", { registryExt: "Manager" }), "[0].registryExt", /"Manager" is not a Python import path of a class/],
        ["registryExt with a colon", mysql("1", { registryExt: "mysql:trove.x.Manager" }), "[0].registryExt", /not a Python import path/],
        ["registryExt too long", mysql("1", { registryExt: `a.${"b".repeat(300)}` }), "[0].registryExt", /is 302 characters; Trove accepts at most 255/],
        ["empty strategy", mysql("1", { replicationStrategy: "" }), "[0].replicationStrategy", /empty/],
        ["another manager's strategy by name", mysql("1", { replicationStrategy: "MariaDBGTIDReplication" }), "[0].replicationStrategy",
            /"MariaDBGTIDReplication" is not a replication strategy Trove ships for manager mysql \(MysqlGTIDReplication\); give one of them, or the full import path/],
        ["another manager's strategy by path", mysql("1", { replicationStrategy: "trove.guestagent.strategies.replication.postgresql.PostgresqlReplicationStreaming" }),
            "[0].replicationStrategy", /is not one of Trove's replication strategies for manager mysql/],
        ["a strategy that is no name", mysql("1", { replicationStrategy: "mysql gtid" }), "[0].replicationStrategy", /neither a class name \(e.g. MysqlGTIDReplication\) nor a Python import path/],
    ])("%s", (_label, spec, path, message) => {
        expect(validateDatastoreVersions([spec])).toContainEqual({ path, message: expect.stringMatching(message) });
    });
});

describe("validateDatastoreVersions", () => {
    test("the seeds' three datastores are valid", () => {
        expect(validateDatastoreVersions([
            mysql("5.7.29"),
            { datastore: "mariadb", version: "10.4", sourceImage: "mariadb:10.4" },
            { datastore: "postgresql", version: "12", sourceImage: "postgres:12" },
        ])).toEqual([]);
    });

    test("a name that is no Docker tag is fine when the number (the tag) is given", () => {
        expect(validateDatastoreVersions([mysql(`8.0-${"x".repeat(130)}`, { versionNumber: "8.0", sourceImage: "mysql:8.0" })])).toEqual([]);
    });

    test.each<[string, DatastoreVersionSpec[], string, RegExp]>([
        ["none", [], "", /at least one datastore version/],
        ["unknown datastore", [{ datastore: "oracle", version: "19", sourceImage: "o" }], "[0].datastore", /unknown datastore manager "oracle"; Trove's container guests support mysql, mariadb, postgresql/],
        ["unknown manager", [mysql("1", { manager: "db2" })], "[0].manager", /unknown datastore manager "db2"/],
        ["duplicate version", [mysql("5.7.29"), mysql("5.7.29")], "[1].version", /already declared at \[0\]/],
        ["one number, two images: one tag the guests pull", [mysql("8.0-a", { versionNumber: "8.0" }), mysql("8.0-b", { versionNumber: "8.0" })],
            "[1].sourceImage", /mysql 8.0-b and 8.0-a \(at \[0\]\) both have version number 8.0, the image tag their guests pull, but different source images/],
        ["a name that cannot be a tag, without a number", [mysql(`8.0-${"x".repeat(130)}`)], "[0].version", /without a versionNumber the guest agent pulls the version name as the image tag/],
        ["two defaults", [mysql("5.7.29", { default: true }), mysql("8.0", { default: true })], "[1].default", /mysql has 2 default versions \(5.7.29, 8.0\); mark exactly one default/],
        ["inactive default", [mysql("5.7.29", { active: false, default: true })], "[0].default", /inactive version cannot be the default/],
        ["too many tags", [mysql("1", { imageTags: ["a", "b", "c", "d", "e", "f"] })], "[0].imageTags", /has 6 tags; Trove accepts 1 to 5/],
        ["long tag", [mysql("1", { imageTags: ["trove", "x".repeat(21)] })], "[0].imageTags[1]", /1 to 20 characters/],
        ["version number", [mysql("5.7", { versionNumber: "five" })], "[0].versionNumber", /not a version number/],
        ["version name", [mysql("")], "[0].version", /not a version name/],
        ["version as a YAML number", [{ datastore: "postgresql", version: 12 as unknown as string, sourceImage: "postgres:12" }], "[0].version", /12 is a number, not a string: quote it in the stack file \("12"\), or set it with `pulumi config set --path --type string/],
        ["version number as a YAML number", [mysql("10.10", { versionNumber: 10.1 as unknown as string })], "[0].versionNumber", /10.1 is a number, not a string.*YAML reads 10.10 as 10.1/],
        ["source image", [{ datastore: "mysql", version: "5.7", sourceImage: "" }], "[0].sourceImage", /not a Docker image reference/],
        ["source image with a space", [{ datastore: "mysql", version: "5.7", sourceImage: "mysql 5.7" }], "[0].sourceImage", /"mysql 5.7" is not a Docker image reference/],
        ["datastore name", [{ datastore: "My SQL", version: "5.7", sourceImage: "m", manager: "mysql" }], "[0].datastore", /not a datastore name/],
        ["two datastores, one manager", [mysql("5.7"), { datastore: "percona", manager: "mysql", version: "5.7", sourceImage: "p" }], "[1].manager", /both use manager mysql/],
    ])("%s", (_label, specs, path, message) => {
        expect(validateDatastoreVersions(specs)).toContainEqual({ path, message: expect.stringMatching(message) });
    });
});
