import { createVersionBody, DatastoreVersionFields, fieldsOf, normaliseList, TroveApiError, updateVersionBody } from "../../components/datastores/trove-api";
import { diffVersion, REPLACE_FIELDS, UPDATE_FIELDS } from "../../components/datastores/datastore-version";
import { troveDefaultsFor } from "../../components/model/datastore-spec";

const MYSQL_EXT = "trove.guestagent.datastore.mysql.manager.Manager";
const MYSQL_GTID = "trove.guestagent.strategies.replication.mysql_gtid.MysqlGTIDReplication";
const MARIADB_EXT = "trove.guestagent.datastore.mariadb.manager.Manager";
const MARIADB_GTID = "trove.guestagent.strategies.replication.mariadb_gtid.MariaDBGTIDReplication";
/** A version as Trove 26's GET /mgmt/datastore-versions shows it, defaults filled in. */
const shown = {
    id: "v", name: "5.7.29", datastore_id: "d", datastore_name: "mysql", datastore_manager: "mysql", image: "",
    image_tags: ["trove", "mysql"], packages: [""], active: true, default: true, version: "5.7.29",
    registry_ext: MYSQL_EXT, repl_strategy: MYSQL_GTID,
};

const fields: DatastoreVersionFields = {
    datastore: "mysql", name: "5.7.29", manager: "mysql", versionNumber: "5.7.29",
    imageTags: ["trove", "mysql"], packages: [], active: true, default: true,
};

describe("request bodies", () => {
    test("create: the seeds' `datastore version create 5.7.29 mysql mysql \"\" --image-tags trove,mysql --active --default --version-number 5.7.29`", () => {
        expect(createVersionBody(fields)).toEqual({
            version: {
                name: "5.7.29", datastore_name: "mysql", datastore_manager: "mysql", active: true, default: true,
                version: "5.7.29", packages: [], image_tags: ["trove", "mysql"],
            },
        });
    });

    test("create with a pinned image sends image, not tags", () => {
        const body = createVersionBody({ ...fields, image: "img-1", imageTags: undefined });
        expect(body.version.image).toBe("img-1");
        expect(body.version).not.toHaveProperty("image_tags");
    });

    test("update: a flat body with only what changed", () => {
        expect(updateVersionBody(fields, fields)).toEqual({});
        expect(updateVersionBody(fields, { ...fields, active: false, default: false })).toEqual({ active: false, default: false });
        expect(updateVersionBody(fields, { ...fields, imageTags: ["trove", "mysql", "jammy"] })).toEqual({ image_tags: ["trove", "mysql", "jammy"] });
        expect(updateVersionBody(fields, { ...fields, image: "img-2", imageTags: undefined })).toEqual({ image: "img-2" });
    });

    test("Trove's [\"\"] reads back as an empty list", () => {
        expect(normaliseList([""])).toEqual([]);
        expect(fieldsOf({
            id: "v", name: "5.7.29", datastore_id: "d", datastore_name: "mysql", datastore_manager: "mysql", image: "",
            image_tags: ["trove", "mysql"], packages: [""], active: true, default: true, version: "5.7.29",
        })).toEqual(fields);
    });

    test("create sends registry_ext and repl_strategy only when set: unset, Trove stores its defaults", () => {
        expect(createVersionBody(fields).version).not.toHaveProperty("registry_ext");
        expect(createVersionBody(fields).version).not.toHaveProperty("repl_strategy");
        expect(createVersionBody({ ...fields, registryExt: "my.guest.Manager", replicationStrategy: MYSQL_GTID }).version)
            .toMatchObject({ registry_ext: "my.guest.Manager", repl_strategy: MYSQL_GTID });
    });

    test("update sends registry_ext and repl_strategy when set and changed, never when unset", () => {
        const trove = { ...fields, registryExt: MYSQL_EXT, replicationStrategy: MYSQL_GTID };
        expect(updateVersionBody(trove, { ...fields, registryExt: "my.guest.Manager" })).toEqual({ registry_ext: "my.guest.Manager" });
        expect(updateVersionBody(trove, { ...fields, replicationStrategy: "my.repl.Strategy" })).toEqual({ repl_strategy: "my.repl.Strategy" });
        expect(updateVersionBody(trove, { ...fields, registryExt: MYSQL_EXT, replicationStrategy: MYSQL_GTID })).toEqual({});
        // Unset: whatever Trove has stays (a PATCH without the key keeps it; Trove cannot clear it).
        expect(updateVersionBody(trove, fields)).toEqual({});
    });

    test("a manager change sends the new manager's defaults for unset settings: Trove would keep the old manager's", () => {
        const trove = { ...fields, registryExt: MYSQL_EXT, replicationStrategy: MYSQL_GTID };
        expect(updateVersionBody(trove, { ...fields, manager: "mariadb" }, troveDefaultsFor("mariadb"))).toEqual({
            datastore_manager: "mariadb", registry_ext: MARIADB_EXT, repl_strategy: MARIADB_GTID,
        });
        // Set ones win over the defaults.
        expect(updateVersionBody(trove, { ...fields, manager: "mariadb", registryExt: "my.guest.Manager" }, troveDefaultsFor("mariadb")))
            .toMatchObject({ registry_ext: "my.guest.Manager", repl_strategy: MARIADB_GTID });
        // Same manager: the defaults are not sent.
        expect(updateVersionBody(trove, fields, troveDefaultsFor("mysql"))).toEqual({});
    });

    test("fieldsOf reads registry_ext and repl_strategy; null and empty read as unset", () => {
        expect(fieldsOf(shown)).toEqual({ ...fields, registryExt: MYSQL_EXT, replicationStrategy: MYSQL_GTID });
        expect(fieldsOf({ ...shown, registry_ext: null, repl_strategy: "" })).toEqual(fields);
    });

    test("fieldsOf round trip: what createVersionBody sends reads back as the same fields", () => {
        const set = { ...fields, registryExt: "my.guest.Manager", replicationStrategy: MYSQL_GTID };
        const sent = createVersionBody(set).version;
        // Trove's view of what it stored, as its mgmt views.py renders it.
        const stored = {
            id: "v", datastore_id: "d", name: sent.name as string, datastore_name: sent.datastore_name as string,
            datastore_manager: sent.datastore_manager as string, version: sent.version as string, image: "",
            image_tags: sent.image_tags as string[], packages: [""], active: sent.active as boolean, default: sent.default as boolean,
            registry_ext: sent.registry_ext as string, repl_strategy: sent.repl_strategy as string,
        };
        expect(fieldsOf(stored)).toEqual(set);
        expect(diffVersion(fieldsOf(stored), set)).toEqual({ changes: [], replaces: [] });
    });

    test("errors carry Trove's status and message", () => {
        const e = new TroveApiError("DELETE", "http://x/v", 400, JSON.stringify({ badRequest: { message: "Datastore version is in use by instance." } }));
        expect(e.message).toBe("Trove answered 400 to DELETE http://x/v: Datastore version is in use by instance.");
        expect(TroveApiError.reason("")).toBe("(empty body)");
    });
});

describe("diffVersion", () => {
    test("no change", () => {
        expect(diffVersion(fields, { ...fields, packages: [] })).toEqual({ changes: [], replaces: [] });
    });

    test.each<[string, Partial<DatastoreVersionFields>, string[], string[]]>([
        ["datastore replaces", { datastore: "mariadb" }, ["datastore"], ["datastore"]],
        ["version number replaces", { versionNumber: "5.7.30" }, ["versionNumber"], ["versionNumber"]],
        ["name updates in place", { name: "5.7" }, ["name"], []],
        ["manager updates in place", { manager: "mariadb" }, ["manager"], []],
        ["tags update in place", { imageTags: ["trove"] }, ["imageTags"], []],
        ["active and default update in place", { active: false, default: false }, ["active", "default"], []],
        ["packages update in place", { packages: ["mysql-client"] }, ["packages"], []],
        ["registryExt updates in place", { registryExt: "my.guest.Manager" }, ["registryExt"], []],
        ["replicationStrategy updates in place", { replicationStrategy: "my.repl.Strategy" }, ["replicationStrategy"], []],
    ])("%s", (_label, change, changes, replaces) => {
        expect(diffVersion(fields, { ...fields, ...change })).toEqual({ changes, replaces });
    });
});

describe("diffVersion: registryExt and replicationStrategy against Trove's defaults", () => {
    const trove = fieldsOf(shown);

    test("both update in place, never replace", () => {
        expect(UPDATE_FIELDS).toEqual(expect.arrayContaining(["registryExt", "replicationStrategy"]));
        expect(REPLACE_FIELDS).not.toContain("registryExt");
        expect(REPLACE_FIELDS).not.toContain("replicationStrategy");
    });

    test("unset inputs show no diff against the defaults Trove filled in (a refresh reads them into the state)", () => {
        expect(diffVersion(trove, fields)).toEqual({ changes: [], replaces: [] });
    });

    test("set to what Trove has: no diff; to something else: an update", () => {
        expect(diffVersion(trove, { ...fields, registryExt: MYSQL_EXT, replicationStrategy: MYSQL_GTID })).toEqual({ changes: [], replaces: [] });
        expect(diffVersion(trove, { ...fields, replicationStrategy: "my.repl.Strategy" })).toEqual({ changes: ["replicationStrategy"], replaces: [] });
    });

    test("a value changed out of band (read by refresh) shows as an update back to the set value", () => {
        const drifted = { ...trove, replicationStrategy: "other.repl.Strategy" };
        expect(diffVersion(drifted, { ...fields, replicationStrategy: MYSQL_GTID })).toEqual({ changes: ["replicationStrategy"], replaces: [] });
        expect(updateVersionBody(drifted, { ...fields, replicationStrategy: MYSQL_GTID })).toEqual({ repl_strategy: MYSQL_GTID });
        // Unset, a drift is Trove's business: no diff.
        expect(diffVersion(drifted, fields)).toEqual({ changes: [], replaces: [] });
    });

    test("a state from before these settings (no values recorded) shows no diff while they stay unset", () => {
        expect(diffVersion(fields, fields)).toEqual({ changes: [], replaces: [] });
        expect(diffVersion(fields, { ...fields, registryExt: MYSQL_EXT })).toEqual({ changes: ["registryExt"], replaces: [] });
    });
});
