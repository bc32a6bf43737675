import * as fs from "fs";
import * as path from "path";
import { installMocks, isSecretInput, named, ofType, plain, settle, valueOf } from "../mocks";
import { DatastoreImages, DatastoreImagesArgs, validateDatastoreImagesArgs } from "../../components/registry/datastore-images";
import { buildContextDigest } from "../../components/registry/build-context";
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
    test("every version: source found or pulled, tagged and pushed as trove-datastores/<ds>:<ver>", async () => {
        const images = new DatastoreImages("img", { registry: "10.0.0.5:4000", versions, backupContext: backupDir });
        await settle();
        expect(ofType(mocks.resources, "docker:index/tag:Tag")).toHaveLength(3);
        expect(named(mocks.resources, "img-mysql-8.0-source").inputs).toEqual({ name: "mysql:8.0", keepLocally: true });
        expect(named(mocks.resources, "img-mysql-8.0-tag").inputs).toEqual({
            sourceImage: "sha256:image-img-mysql-8.0-source",
            targetImage: "10.0.0.5:4000/trove-datastores/mysql:8.0",
        });
        // Re-pushed when, and only when, the source's content changes.
        expect(named(mocks.resources, "img-mysql-8.0-push").inputs).toMatchObject({
            name: "10.0.0.5:4000/trove-datastores/mysql:8.0",
            keepRemotely: true,
            triggers: { sourceImageId: "sha256:image-img-mysql-8.0-source" },
        });
        // The config options carry no tag: Trove appends the datastore version.
        expect(images.dockerImages).toEqual({ mysql: "10.0.0.5:4000/trove-datastores/mysql", mariadb: "10.0.0.5:4000/trove-datastores/mariadb" });
        expect(images.published["mysql-8.0"].datastoreImage).toBe("10.0.0.5:4000/trove-datastores/mysql:8.0");
        expect(await valueOf(images.published["mysql-5.7.29"].datastoreDigest)).toBe("sha256:pushed-img-mysql-5.7.29-push");
    });

    test("a version whose name differs from its number is tagged by the number, the tag the guest pulls", async () => {
        const images = new DatastoreImages("img", {
            registry: "10.0.0.5:4000",
            versions: [{ datastore: "mariadb", version: "10.11-ha", versionNumber: "10.11", sourceImage: "mariadb:10.11" }],
            backupContext: backupDir,
        });
        await settle();
        expect(named(mocks.resources, "img-mariadb-10.11-ha-tag").inputs.targetImage).toBe("10.0.0.5:4000/trove-datastores/mariadb:10.11");
        expect(named(mocks.resources, "img-mariadb-10.11-ha-push").inputs.name).toBe("10.0.0.5:4000/trove-datastores/mariadb:10.11");
        expect(named(mocks.resources, "img-mariadb-10.11-ha-backup").inputs).toMatchObject({
            name: "10.0.0.5:4000/trove-datastores/db-backup-mariadb:10.11",
            build: { buildArgs: { DATASTORE: "mariadb", DATASTORE_VERSION: "10.11" } },
        });
        expect(images.published["mariadb-10.11-ha"].datastoreImage).toBe("10.0.0.5:4000/trove-datastores/mariadb:10.11");
    });

    test("every version's backup image: built from the context with the build args, keyed by the context's digest, pushed", async () => {
        const images = new DatastoreImages("img", { registry: "10.0.0.5:4000", versions, backupContext: backupDir, buildNetwork: "host" });
        await settle();
        const backup = named(mocks.resources, "img-mariadb-10.4-backup").inputs;
        expect(backup).toEqual({
            name: "10.0.0.5:4000/trove-datastores/db-backup-mariadb:10.4",
            keepLocally: true,
            build: { context: path.resolve(backupDir), buildArgs: { DATASTORE: "mariadb", DATASTORE_VERSION: "10.4" }, networkMode: "host", useLegacyBuilder: true },
            triggers: { contextDigest: buildContextDigest(backupDir) },
        });
        expect(named(mocks.resources, "img-mariadb-10.4-backup-push").inputs).toMatchObject({
            name: "10.0.0.5:4000/trove-datastores/db-backup-mariadb:10.4",
            triggers: { imageId: "sha256:image-img-mariadb-10.4-backup" },
        });
        expect(images.backupDockerImages.mysql).toBe("10.0.0.5:4000/trove-datastores/db-backup-mysql");
        expect(images.published["mysql-8.0"].backupImage).toBe("10.0.0.5:4000/trove-datastores/db-backup-mysql:8.0");
        expect(await valueOf(images.published["mysql-8.0"].backupDigest!)).toBe("sha256:pushed-img-mysql-8.0-backup-push");
    });

    test("one docker provider of its own: the engine named, the registry's entry over http:// when insecure, the password secret", async () => {
        new DatastoreImages("img", {
            registry: "10.0.0.5:4000", insecure: true, versions, backupContext: false, dockerHost: "ssh://ubuntu@10.0.0.5",
            credentials: { username: "trove", password: "s3cret" },
        });
        await settle();
        const providers = ofType(mocks.resources, "pulumi:providers:docker");
        expect(providers.map((p) => p.name)).toEqual(["img-docker"]);
        expect(providers[0].inputs.host).toBe("ssh://ubuntu@10.0.0.5");
        expect(isSecretInput(providers[0].inputs.registryAuth)).toBe(true);
        expect(JSON.parse(plain<string>(providers[0].inputs.registryAuth))).toEqual([{ address: "http://10.0.0.5:4000", username: "trove", password: "s3cret" }]);
        for (const push of ofType(mocks.resources, "docker:index/registryImage:RegistryImage")) expect(push.inputs.insecureSkipVerify).toBe(true);
    });

    test("an anonymous registry: its provider entry has auth disabled, so no Docker config file is needed", async () => {
        new DatastoreImages("img", { registry: "10.0.0.5:4000", versions, backupContext: false });
        await settle();
        const [provider] = ofType(mocks.resources, "pulumi:providers:docker");
        expect(JSON.parse(plain<string>(provider.inputs.registryAuth))).toEqual([{ address: "10.0.0.5:4000", authDisabled: true }]);
    });

    test("backups off: no builds and no backup images", async () => {
        const images = new DatastoreImages("img", { registry: "r:4000", versions: versions.slice(0, 1), backupContext: false });
        await settle();
        expect(ofType(mocks.resources, "docker:index/remoteImage:RemoteImage").map((r) => r.name)).toEqual(["img-mysql-5.7.29-source"]);
        expect(images.backupDockerImages).toEqual({});
    });
});

describe("DatastoreImages: series tags and the registry check", () => {
    const series = [
        { datastore: "mariadb", version: "11.4.5", sourceImage: "mariadb:11.4.5" },
        { datastore: "mariadb", version: "11.4.7", sourceImage: "mariadb:11.4.7" },
        { datastore: "mariadb", version: "11.8-ha", versionNumber: "11.8", sourceImage: "mariadb:11.8" },
    ];

    test("without seriesTags: one tag per version number, nothing else", async () => {
        new DatastoreImages("img", { registry: "10.0.0.5:4000", versions: series, backupContext: backupDir });
        await settle();
        expect(mocks.resources.filter((r) => r.name.includes("series"))).toEqual([]);
        expect(ofType(mocks.resources, "docker:index/registryImage:RegistryImage")).toHaveLength(6);
    });

    test("with seriesTags: each series tag pushed once, from the newest version's backup image; datastore images get none", async () => {
        const images = new DatastoreImages("img", { registry: "10.0.0.5:4000", versions: series, backupContext: backupDir, seriesTags: true });
        await settle();
        const seriesPushes = ofType(mocks.resources, "docker:index/registryImage:RegistryImage").filter((r) => r.name.includes("series"));
        expect(seriesPushes.map((r) => String(r.inputs.name)).sort()).toEqual([
            "10.0.0.5:4000/trove-datastores/db-backup-mariadb:11",
            "10.0.0.5:4000/trove-datastores/db-backup-mariadb:11.4",
        ]);
        // 11 and 11.4 both go to the newest: 11.8 for 11, 11.4.7 for 11.4 (11.8 is a version's own number).
        expect(named(mocks.resources, "img-mariadb-backup-series-11").inputs.sourceImage).toBe("sha256:image-img-mariadb-11.8-ha-backup");
        expect(named(mocks.resources, "img-mariadb-backup-series-11.4").inputs.sourceImage).toBe("sha256:image-img-mariadb-11.4.7-backup");
        expect(images.published["mariadb-11.4.7"].backupSeriesTags).toEqual(["11.4"]);
        expect(images.published["mariadb-11.8-ha"].backupSeriesTags).toEqual(["11"]);
        expect(images.published["mariadb-11.4.5"].backupSeriesTags).toEqual([]);
    });

    test("one check per version: the datastore image by its exact number, the backup image by the guest's fallbacks, with the registry's credentials secret", async () => {
        const images = new DatastoreImages("img", {
            registry: "10.0.0.5:4000", insecure: true, versions: series, backupContext: backupDir,
            credentials: { username: "trove-guest", password: "pw" },
        });
        await settle();
        const checks = ofType(mocks.resources, "pulumi-nodejs:dynamic/trove-region:RegistryImageCheck");
        expect(checks.map((c) => c.name).sort()).toEqual(["img-mariadb-11.4.5-check", "img-mariadb-11.4.7-check", "img-mariadb-11.8-ha-check"]);
        const check = named(mocks.resources, "img-mariadb-11.8-ha-check").inputs;
        expect(check).toMatchObject({
            address: "10.0.0.5:4000",
            plainHttp: true,
            username: "trove-guest",
            requirements: [
                { purpose: "datastore image of mariadb 11.8-ha", repository: "trove-datastores/mariadb", tags: ["11.8"] },
                { purpose: "backup image of mariadb 11.8-ha", repository: "trove-datastores/db-backup-mariadb", tags: ["11.8", "11"] },
            ],
        });
        expect(isSecretInput(check.password)).toBe(true);
        expect(Object.keys(images.checks)).toEqual(["mariadb-11.4.5", "mariadb-11.4.7", "mariadb-11.8-ha"]);
    });

    test("backups off: the check asks for the datastore image only", async () => {
        new DatastoreImages("img", { registry: "10.0.0.5:4000", versions: series.slice(0, 1), backupContext: false, seriesTags: true });
        await settle();
        expect(named(mocks.resources, "img-mariadb-11.4.5-check").inputs.requirements).toEqual([
            { purpose: "datastore image of mariadb 11.4.5", repository: "trove-datastores/mariadb", tags: ["11.4.5"] },
        ]);
        expect(mocks.resources.filter((r) => r.name.includes("series"))).toEqual([]);
    });
});

describe("validateDatastoreImagesArgs", () => {
    test.each<[string, Omit<DatastoreImagesArgs, "credentials">, string, RegExp]>([
        ["no Dockerfile", { registry: "r:1", versions, backupContext: "/nonexistent/backup" }, "backupContext", /has no Dockerfile; point it at Trove's backup\/ directory/],
        ["registry", { registry: "http://r", versions, backupContext: false }, "registry", /has a scheme/],
        ["repository", { registry: "r:1", repository: "Bad Repo", versions, backupContext: false }, "repository", /not a Docker repository name/],
        ["docker host", { registry: "r:1", versions, backupContext: false, dockerHost: "/var/run/docker.sock" }, "dockerHost", /is not a Docker host; e.g. "unix:/],
        ["build network", { registry: "r:1", versions, backupContext: false, buildNetwork: "host network" }, "buildNetwork", /is not a network mode/],
        ["version as tag", { registry: "r:1", versions: [{ datastore: "mysql", version: "5.7+1", sourceImage: "m" }], backupContext: false }, "versions[0].version", /not a version name|cannot be a Docker tag/],
    ])("%s", async (_label, args, p, message) => {
        expect(validateDatastoreImagesArgs(args)).toContainEqual({ path: p, message: expect.stringMatching(message) });
        expect(() => new DatastoreImages("bad", args)).toThrow(message);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });
});
