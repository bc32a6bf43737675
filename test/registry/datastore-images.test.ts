import * as fs from "fs";
import * as path from "path";
import { installMocks, named, ofType, settle, valueOf } from "../mocks";
import { DatastoreImages, DatastoreImagesArgs, validateDatastoreImagesArgs } from "../../components/registry/datastore-images";
import { tempDir } from "../tmp";

const mocks = installMocks();
beforeEach(() => mocks.reset());

const backupDir = tempDir("backup");
fs.writeFileSync(path.join(backupDir, "Dockerfile"), "FROM scratch\n");

const versions = [
    { datastore: "mysql", version: "5.7.29", sourceImage: "mysql:5.7.29" },
    { datastore: "mysql", version: "8.0", sourceImage: "mysql:8.0", default: true },
    { datastore: "mariadb", version: "10.4", sourceImage: "mariadb:10.4" },
];

describe("DatastoreImages", () => {
    test("every version: source pulled, tagged and pushed as trove-datastores/<ds>:<ver>; backup built with the build args", async () => {
        const images = new DatastoreImages("img", { registry: "10.0.0.5:4000", versions, backupContext: backupDir });
        await settle();
        expect(ofType(mocks.resources, "docker:index/remoteImage:RemoteImage")).toHaveLength(3);
        expect(ofType(mocks.resources, "docker:index/registryImage:RegistryImage")).toHaveLength(3);
        expect(ofType(mocks.resources, "docker:index/image:Image")).toHaveLength(3);
        expect(named(mocks.resources, "img-mysql-8.0-tag").inputs).toEqual({
            sourceImage: "sha256:image-img-mysql-8.0-source",
            targetImage: "10.0.0.5:4000/trove-datastores/mysql:8.0",
        });
        expect(named(mocks.resources, "img-mysql-8.0-push").inputs).toMatchObject({
            name: "10.0.0.5:4000/trove-datastores/mysql:8.0",
            triggers: { sourceDigest: "mysql:8.0@sha256:img-mysql-8.0-source" },
        });
        expect(named(mocks.resources, "img-mariadb-10.4-backup").inputs).toMatchObject({
            imageName: "10.0.0.5:4000/trove-datastores/db-backup-mariadb:10.4",
            build: { context: backupDir, args: { DATASTORE: "mariadb", DATASTORE_VERSION: "10.4" } },
        });
        // The config options carry no tag: Trove appends the datastore version.
        expect(images.dockerImages).toEqual({ mysql: "10.0.0.5:4000/trove-datastores/mysql", mariadb: "10.0.0.5:4000/trove-datastores/mariadb" });
        expect(images.backupDockerImages.mysql).toBe("10.0.0.5:4000/trove-datastores/db-backup-mysql");
        expect(await valueOf(images.published["mysql-5.7.29"].datastoreDigest)).toBe("sha256:pushed-img-mysql-5.7.29-push");
    });

    test("backups off: no builds and no backup images", async () => {
        const images = new DatastoreImages("img", { registry: "r:4000", versions: versions.slice(0, 1), backupContext: false });
        await settle();
        expect(ofType(mocks.resources, "docker:index/image:Image")).toHaveLength(0);
        expect(images.backupDockerImages).toEqual({});
    });
});

describe("validateDatastoreImagesArgs", () => {
    test.each<[string, Omit<DatastoreImagesArgs, "credentials">, string, RegExp]>([
        ["no Dockerfile", { registry: "r:1", versions, backupContext: "/nonexistent/backup" }, "backupContext", /has no Dockerfile; point it at Trove's backup\/ directory/],
        ["registry", { registry: "http://r", versions, backupContext: false }, "registry", /has a scheme/],
        ["repository", { registry: "r:1", repository: "Bad Repo", versions, backupContext: false }, "repository", /not a Docker repository name/],
        ["version as tag", { registry: "r:1", versions: [{ datastore: "mysql", version: "5.7+1", sourceImage: "m" }], backupContext: false }, "versions[0].version", /not a version name|cannot be a Docker tag/],
    ])("%s", async (_label, args, p, message) => {
        expect(validateDatastoreImagesArgs(args)).toContainEqual({ path: p, message: expect.stringMatching(message) });
        expect(() => new DatastoreImages("bad", args)).toThrow(message);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });
});
