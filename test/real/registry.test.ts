// The private registry and its images for real: a Docker engine of the test's own (Debian's dockerd
// on loopback), the Registry component running a registry container on it through the docker
// provider plugin, and DatastoreImages mirroring the datastore images and building the backup
// images into it. Everything is checked through the registry's HTTP API.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { Registry } from "../../components/registry/registry";
import { DatastoreImages } from "../../components/registry/datastore-images";
import { RegistryImageCheck } from "../../components/registry/registry-image-check";
import { DatastoreVersionSpec } from "../../components/model/datastore-spec";
import { DockerEngine, freePort } from "../support/docker-engine";
import { RegistryApi } from "../support/registry-api";
import { changes, destroyAndRemove, inlineStack } from "../support/stack";
import { missingPluginsReason, requirePulumiToolchain } from "../support/real-env";
import { tempDir } from "../tmp";

const PROJECT = "registry-real";
const STACK = "registry-real";
const USERNAME = "trove";
const PASSWORD = "registry-test-password-7d1f";


const VERSIONS: DatastoreVersionSpec[] = [
    { datastore: "mysql", version: "5.7.29", sourceImage: "trove-test/mysql:5.7.29" },
    { datastore: "mariadb", version: "10.4", sourceImage: "trove-test/mariadb:10.4" },
    { datastore: "postgresql", version: "12", sourceImage: "trove-test/postgres:12" },
];

describe("Registry and DatastoreImages on a real Docker engine and registry", () => {
    let engine: DockerEngine;
    let stack: Stack;
    let api: RegistryApi;
    let backupContext: string;
    let port: number;

    beforeAll(async () => {
        requirePulumiToolchain();
        const missing = missingPluginsReason(["docker"]);
        if (missing) throw new Error(`${missing}; scripts/pulumi-toolchain.sh builds it`);
        engine = await DockerEngine.start();
        port = await freePort();
        api = new RegistryApi(`127.0.0.1:${port}`, { username: USERNAME, password: PASSWORD });

        // What no public registry can give here: the registry image and the datastores' sources.
        engine.standInImages("trove-test/", ["mysql:5.7.29", "mariadb:10.4", "postgres:12", "mysql:8.0.36"]);
        // A stand-in for Trove's backup/ directory: the same build args, a RUN and a COPY.
        backupContext = tempDir("backup");
        fs.writeFileSync(path.join(backupContext, "Dockerfile"), [
            "FROM trove-test/base:1",
            "ARG DATASTORE",
            "ARG DATASTORE_VERSION",
            "RUN echo \"$DATASTORE $DATASTORE_VERSION\" > /backup-target",
            "COPY backup.sh /usr/local/bin/backup.sh",
            "CMD [\"/bin/sh\", \"/usr/local/bin/backup.sh\"]",
            "",
        ].join("\n"));
        fs.writeFileSync(path.join(backupContext, "backup.sh"), "cat /backup-target\n");

        stack = await inlineStack(PROJECT, STACK, async () => {
            const config = new pulumi.Config();
            const versions = config.requireObject<DatastoreVersionSpec[]>("versions");
            const registry = new Registry("reg", {
                mode: "create", hostAddress: "127.0.0.1", port, listenAddress: "127.0.0.1",
                image: "trove-test/registry:2", containerName: `trove-registry-${port}`, dockerHost: engine.host,
                credentials: { username: USERNAME, password: config.requireSecret("password") },
            });
            const images = new DatastoreImages("img", {
                registry: registry.address, insecure: registry.insecure, versions, backupContext, dockerHost: engine.host, buildNetwork: "host",
                credentials: { username: USERNAME, password: config.requireSecret("password") },
                seriesTags: config.getBoolean("seriesTags"),
            }, { dependsOn: [registry] });
            // A version whose image nobody publishes, as an operator's typo in a version number makes one.
            const missing = config.get("missingTag");
            if (missing) {
                const access = { address: registry.address, plainHttp: registry.insecure, username: USERNAME, password: config.requireSecret("password") };
                const typo = new RegistryImageCheck("typo-check", {
                    ...access, requirements: [{ purpose: "datastore image of mariadb 10.44", repository: "trove-datastores/mariadb", tags: [missing] }],
                }, { dependsOn: [images] });
                // Stands for the datastore version that would hand guests the missing tag.
                new RegistryImageCheck("after-typo", {
                    ...access, requirements: [{ purpose: "datastore image of mariadb 10.4", repository: "trove-datastores/mariadb", tags: ["10.4"] }],
                }, { dependsOn: [typo] });
            }
            return {
                address: registry.address,
                containerId: registry.containerId,
                dockerImages: images.dockerImages,
                backupDockerImages: images.backupDockerImages,
                digests: Object.fromEntries(Object.entries(images.published).map(([key, p]) => [key, { datastore: p.datastoreDigest, backup: p.backupDigest }])),
            };
        });
        await stack.setConfig("versions", { value: JSON.stringify(VERSIONS) });
        await stack.setConfig("password", { value: PASSWORD, secret: true });
    });

    afterAll(async () => {
        await destroyAndRemove(stack, STACK);
        if (engine) await engine.stop();
    });

    let digests: Record<string, { datastore: string; backup: string }>;

    test("up from empty runs the registry and publishes every datastore and backup image, one tag per version", async () => {
        const started = Date.now();
        const result = await stack.up({ onOutput: (line) => process.stdout.write(line) });
        console.log(`cold up: ${((Date.now() - started) / 1000).toFixed(1)} s`);
        expect(result.summary.result).toBe("succeeded");
        digests = result.outputs.digests.value as typeof digests;

        expect((await api.catalog()).sort()).toEqual([
            "trove-datastores/db-backup-mariadb", "trove-datastores/db-backup-mysql", "trove-datastores/db-backup-postgresql",
            "trove-datastores/mariadb", "trove-datastores/mysql", "trove-datastores/postgresql",
        ]);
        for (const v of VERSIONS) {
            for (const [repo, digest] of [[v.datastore, digests[`${v.datastore}-${v.version}`].datastore], [`db-backup-${v.datastore}`, digests[`${v.datastore}-${v.version}`].backup]]) {
                expect(await api.tags(`trove-datastores/${repo}`)).toEqual([v.version]);
                expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
                expect(await api.digest(`trove-datastores/${repo}`, v.version)).toBe(digest);
            }
        }
        expect(result.outputs.dockerImages.value).toEqual({
            mysql: `127.0.0.1:${port}/trove-datastores/mysql`,
            mariadb: `127.0.0.1:${port}/trove-datastores/mariadb`,
            postgresql: `127.0.0.1:${port}/trove-datastores/postgresql`,
        });
    });

    test("the registry wants its credentials, and the pushed images are what the engine built", async () => {
        const anonymous = await api.request("GET", "/v2/_catalog", {}, true);
        expect(anonymous.status).toBe(401);
        // The backup image carries its build args: run it on the engine.
        const out = engine.docker(["run", "--rm", "--network", "host", `127.0.0.1:${port}/trove-datastores/db-backup-mariadb:10.4`]);
        expect(out).toBe("mariadb 10.4");
        const inspect = JSON.parse(engine.docker(["inspect", `trove-registry-${port}`])) as { HostConfig: { RestartPolicy: { Name: string }; NetworkMode: string }; Mounts: { Type: string; Destination: string }[] }[];
        expect(inspect[0].HostConfig).toMatchObject({ RestartPolicy: { Name: "always" }, NetworkMode: "host" });
        expect(inspect[0].Mounts).toEqual(expect.arrayContaining([expect.objectContaining({ Type: "volume", Destination: "/var/lib/registry" })]));
    });

    test("the registry password is a secret: not in plain text in the state on disk", async () => {
        const backend = (process.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, "");
        const checkpoint = path.join(backend, ".pulumi", "stacks", PROJECT, `${STACK}.json`);
        const text = fs.readFileSync(checkpoint, "utf8");
        expect(text).toContain("trove-registry-");
        expect(text).not.toContain(PASSWORD);
    });

    test("a second up changes nothing", async () => {
        const started = Date.now();
        const result = await stack.up();
        console.log(`no-change up: ${((Date.now() - started) / 1000).toFixed(1)} s`);
        expect(changes(result.summary.resourceChanges)).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
        expect(result.outputs.digests.value).toEqual(digests);
    });

    test("a new datastore version adds exactly its two tags and touches nothing else", async () => {
        await stack.setConfig("versions", { value: JSON.stringify([...VERSIONS, { datastore: "mysql", version: "8.0.36", sourceImage: "trove-test/mysql:8.0.36" }]) });
        const result = await stack.up();
        // Source, tag, push; backup build, backup push; the check that the registry serves both.
        expect(changes(result.summary.resourceChanges)).toEqual({ create: 6, update: 0, delete: 0, replace: 0 });
        expect(await api.tags("trove-datastores/mysql")).toEqual(["5.7.29", "8.0.36"]);
        expect(await api.tags("trove-datastores/db-backup-mysql")).toEqual(["5.7.29", "8.0.36"]);
        const now = result.outputs.digests.value as typeof digests;
        for (const key of Object.keys(digests)) expect(now[key]).toEqual(digests[key]);
        expect(await api.digest("trove-datastores/mysql", "8.0.36")).toBe(now["mysql-8.0.36"].datastore);
        digests = now;
    });

    test("a change in the backup context rebuilds and re-pushes the backup images only", async () => {
        fs.writeFileSync(path.join(backupContext, "backup.sh"), "echo backing up; cat /backup-target\n");
        const result = await stack.up();
        const counts = changes(result.summary.resourceChanges);
        // Four backup builds replaced, their four pushes replaced; no datastore image touched.
        expect(counts).toEqual({ create: 0, update: 0, delete: 0, replace: 8 });
        const now = result.outputs.digests.value as typeof digests;
        for (const key of Object.keys(digests)) {
            expect(now[key].datastore).toBe(digests[key].datastore);
            expect(now[key].backup).not.toBe(digests[key].backup);
            const [datastore, version] = [key.slice(0, key.indexOf("-")), key.slice(key.indexOf("-") + 1)];
            expect(await api.digest(`trove-datastores/db-backup-${datastore}`, version)).toBe(now[key].backup);
        }
    });

    test("seriesTags: each series tag pushed once, pointing at the newest backup image of its series", async () => {
        await stack.setConfig("seriesTags", { value: "true" });
        const result = await stack.up();
        // mysql 5.7.29 and 8.0.36 give 5.7, 5, 8.0, 8; mariadb 10.4 gives 10; postgresql 12 none: a tag and a push each.
        expect(changes(result.summary.resourceChanges)).toEqual({ create: 10, update: 0, delete: 0, replace: 0 });
        expect(await api.tags("trove-datastores/db-backup-mysql")).toEqual(["5", "5.7", "5.7.29", "8", "8.0", "8.0.36"]);
        expect(await api.tags("trove-datastores/db-backup-mariadb")).toEqual(["10", "10.4"]);
        expect(await api.tags("trove-datastores/db-backup-postgresql")).toEqual(["12"]);
        // Datastore images are pulled by the exact number only: no series tags there.
        expect(await api.tags("trove-datastores/mysql")).toEqual(["5.7.29", "8.0.36"]);
        const now = result.outputs.digests.value as typeof digests;
        expect(await api.digest("trove-datastores/db-backup-mysql", "8")).toBe(now["mysql-8.0.36"].backup);
        expect(await api.digest("trove-datastores/db-backup-mysql", "8.0")).toBe(now["mysql-8.0.36"].backup);
        expect(await api.digest("trove-datastores/db-backup-mysql", "5.7")).toBe(now["mysql-5.7.29"].backup);
        expect(await api.digest("trove-datastores/db-backup-mysql", "5")).toBe(now["mysql-5.7.29"].backup);
        expect(changes((await stack.up()).summary.resourceChanges)).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
        digests = now;
    });

    test("a tag deleted from the registry out of band: refresh sees it gone, and the next up pushes it again before the check passes", async () => {
        const digest = await api.digest("trove-datastores/mariadb", "10.4");
        const deleted = await api.request("DELETE", `/v2/trove-datastores/mariadb/manifests/${digest}`);
        expect(deleted.status).toBe(202);
        expect(await api.digest("trove-datastores/mariadb", "10.4")).toBeUndefined();
        await stack.refresh();
        const preview = await stack.preview({ diff: true });
        // The push is gone from the state, and the check recorded what it did not find.
        expect(changes(preview.changeSummary)).toEqual({ create: 1, update: 1, delete: 0, replace: 0 });
        expect(preview.stdout).toMatch(/\+ docker:index\/registryImage:RegistryImage: \(create\)\s+\[urn=[^\]]*img-mariadb-10\.4-push\]/);
        expect(preview.stdout).toMatch(/~ pulumi-nodejs:dynamic\/trove-region:RegistryImageCheck: \(update\)\s+(\[id=[^\]]*\]\s+)?\[urn=[^\]]*img-mariadb-10\.4-check\]/);
        expect(preview.stdout).toContain("trove-datastores/mariadb:10.4");
        const result = await stack.up();
        expect(changes(result.summary.resourceChanges)).toEqual({ create: 1, update: 1, delete: 0, replace: 0 });
        expect(await api.digest("trove-datastores/mariadb", "10.4")).toBe(digest);
    });

    test("a tag nobody publishes: the check fails the up, naming the tag and what needs it, and what depends on it is not created", async () => {
        await stack.setConfig("missingTag", { value: "10.44" });
        const failed = await stack.up().then(() => undefined, (e: Error) => e);
        expect(String(failed)).toContain(`the registry 127.0.0.1:${port} lacks an image guests would pull: trove-datastores/mariadb:10.44 (datastore image of mariadb 10.44)`);
        const state = JSON.stringify((await stack.exportStack()).deployment);
        expect(state).not.toContain("typo-check");
        expect(state).not.toContain("after-typo");
        await stack.removeConfig("missingTag");
        expect(changes((await stack.up()).summary.resourceChanges)).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
    });

    test("destroy removes the registry container and its volume", async () => {
        const result = await stack.destroy();
        expect(result.summary.result).toBe("succeeded");
        expect(engine.docker(["ps", "-a", "--filter", `name=trove-registry-${port}`, "--format", "{{.Names}}"])).toBe("");
        expect(engine.docker(["volume", "ls", "--format", "{{.Name}}"]).split("\n")).not.toContain(`trove-registry-${port}-data`);
    });
});
