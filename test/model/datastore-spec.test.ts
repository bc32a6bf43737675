import { DatastoreVersionSpec, resolveVersions, validateDatastoreVersions } from "../../components/model/datastore-spec";

const mysql = (version: string, extra: Partial<DatastoreVersionSpec> = {}): DatastoreVersionSpec =>
    ({ datastore: "mysql", version, sourceImage: `mysql:${version}`, ...extra });

describe("resolveVersions", () => {
    test("defaults: manager and number from the names, tags trove + datastore, active, a lone version is the default", () => {
        expect(resolveVersions([mysql("5.7.29")])).toEqual([{
            datastore: "mysql", version: "5.7.29", manager: "mysql", versionNumber: "5.7.29", sourceImage: "mysql:5.7.29",
            imageTags: ["trove", "mysql"], active: true, default: true, packages: [],
        }]);
    });

    test("a marked default wins; otherwise the first declared version is the default, so appending one never moves it", () => {
        expect(resolveVersions([mysql("5.7.29"), mysql("8.0", { default: true })]).map((v) => v.default)).toEqual([false, true]);
        expect(resolveVersions([mysql("5.7.29"), mysql("8.0")]).map((v) => v.default)).toEqual([true, false]);
        expect(resolveVersions([mysql("5.7.29", { default: false }), mysql("8.0")]).map((v) => v.default)).toEqual([false, false]);
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
