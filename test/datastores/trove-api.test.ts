import { createVersionBody, DatastoreVersionFields, fieldsOf, normaliseList, TroveApiError, updateVersionBody } from "../../components/datastores/trove-api";
import { diffVersion } from "../../components/datastores/datastore-version";

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
    ])("%s", (_label, change, changes, replaces) => {
        expect(diffVersion(fields, { ...fields, ...change })).toEqual({ changes, replaces });
    });
});
