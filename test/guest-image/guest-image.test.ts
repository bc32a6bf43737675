import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { installMocks, isSecretInput, named, ofType, plain, settle } from "../mocks";
import { GuestImage, GuestImageArgs, imageTags, validateGuestImageArgs } from "../../components/guest-image/guest-image";
import { tempDir } from "../tmp";

const mocks = installMocks();
beforeEach(() => mocks.reset());

const troveDir = tempDir("trove");
fs.mkdirSync(path.join(troveDir, "integration", "scripts"), { recursive: true });
fs.writeFileSync(path.join(troveDir, "integration", "scripts", "trovestack"), "#!/bin/bash\n");
const outputDir = tempDir("images");
const qcow2 = path.join(outputDir, "prebuilt.qcow2");
fs.writeFileSync(qcow2, "not really qcow2");
const connection = { authUrl: "http://127.0.0.1:5000/v3", username: "trove", password: "pw", projectName: "service" };

describe("GuestImage", () => {
    test("build with trovestack: one command keyed by the input hash, then a private qcow2 upload tagged trove + datastores", async () => {
        const image = new GuestImage("guest", {
            source: { mode: "build", troveDir, outputDir },
            datastores: ["mysql", "mariadb", "mysql"],
            connection,
        });
        await settle();
        const build = named(mocks.resources, "guest-build").inputs as { create: string; triggers: string[]; environment: Record<string, string> };
        expect(build.triggers).toEqual([image.inputHash]);
        // noble: devstack's and trovestack's default since 2025.2.
        expect(build.create).toContain("./trovestack build-image ubuntu noble false ubuntu");
        expect(build.environment.DIB_CLOUD_INIT_DATASOURCES).toBe("ConfigDrive, OpenStack");
        expect(image.imagePath).toBe(path.join(outputDir, `trove-guest-ubuntu-noble-${image.inputHash!.slice(0, 16)}.qcow2`));
        const upload = named(mocks.resources, "guest-image");
        expect(upload.type).toBe("pulumi-nodejs:dynamic/trove-region:GlanceImage");
        expect(upload.inputs).toMatchObject({
            name: "trove-guest-ubuntu-noble",
            containerFormat: "bare",
            diskFormat: "qcow2",
            filePath: image.imagePath,
            fileStamp: `inputs:${image.inputHash}`,
            visibility: "private",
            tags: ["trove", "mysql", "mariadb"],
            properties: { hw_rng_model: "virtio" },
        });
    });

    test("a custom builder and raw format", async () => {
        const image = new GuestImage("guest", {
            source: { mode: "build", outputDir, builderCommand: 'qemu-img create -f raw "$GUEST_IMAGE_OUTPUT" 1M', format: "raw" },
            datastores: ["postgresql"],
            properties: { hw_rng_model: "virtio", hw_qemu_guest_agent: "yes" },
            connection,
        });
        await settle();
        expect((named(mocks.resources, "guest-build").inputs.create as string)).toContain("qemu-img create -f raw");
        expect(image.imagePath!.endsWith(".raw")).toBe(true);
        expect(named(mocks.resources, "guest-image").inputs).toMatchObject({ diskFormat: "raw", properties: { hw_qemu_guest_agent: "yes" } });
    });

    test("the build and delete commands take an output directory with $, backticks, quotes and spaces literally", async () => {
        const root = tempDir("images");
        const hostile = path.join(root, `it's "my" $HOME \`touch pwned\` dir`);
        fs.mkdirSync(hostile);
        const image = new GuestImage("guest", {
            source: { mode: "build", outputDir: hostile, builderCommand: 'echo image > "$GUEST_IMAGE_OUTPUT"', format: "raw" },
            datastores: ["mysql"],
            connection,
        });
        await settle();
        const build = named(mocks.resources, "guest-build").inputs as { create: string; delete: string; environment: Record<string, string> };
        const run = (script: string) => execFileSync("bash", ["-c", script], { cwd: root, env: { ...process.env, ...build.environment }, encoding: "utf8" });
        expect(run(build.create)).toBe(`guest image built: ${image.imagePath}\n`);
        expect(fs.readFileSync(image.imagePath!, "utf8")).toBe("image\n");
        expect(run(build.create)).toBe(`guest image already built: ${image.imagePath}\n`);
        run(build.delete);
        expect(fs.readdirSync(hostile)).toEqual([]);
        expect(fs.readdirSync(root)).toEqual([path.basename(hostile)]);
    });

    test("a prebuilt file: no build command; its size and modification time stamp its content", async () => {
        const stamp = (time: number) => {
            fs.utimesSync(qcow2, time, time);
            new GuestImage("guest", { source: { mode: "file", path: qcow2 }, datastores: ["mysql"], connection });
        };
        stamp(1_700_000_000);
        await settle();
        expect(ofType(mocks.resources, "command:local:Command")).toHaveLength(0);
        const first = named(mocks.resources, "guest-image").inputs;
        expect(first).toMatchObject({ filePath: qcow2, diskFormat: "qcow2", fileStamp: "size:16,mtime:1700000000000" });
        await mocks.reset();
        stamp(1_700_000_060);
        await settle();
        expect(named(mocks.resources, "guest-image").inputs.fileStamp).toBe("size:16,mtime:1700000060000");
    });

    test("the connection Glance is called with (it holds the password) is a secret input", async () => {
        new GuestImage("guest", { source: { mode: "file", path: qcow2 }, datastores: ["mysql"], connection });
        await settle();
        const inputs = named(mocks.resources, "guest-image").inputs;
        expect(isSecretInput(inputs.connection)).toBe(true);
        expect(plain(inputs.connection)).toEqual(connection);
    });

    test("a URL: the OpenStack provider's image resource downloads it, no connection needed", async () => {
        new GuestImage("guest", { source: { mode: "url", url: "https://images.example/guest.qcow2", format: "qcow2" }, datastores: ["mysql"] });
        await settle();
        const image = named(mocks.resources, "guest-image");
        expect(image.type).toBe("openstack:images/image:Image");
        expect(image.inputs).toMatchObject({ imageSourceUrl: "https://images.example/guest.qcow2", verifyChecksum: true });
    });

    test("tags: trove first, each datastore once", () => {
        expect(imageTags(["mysql", "mysql", "postgresql"])).toEqual(["trove", "mysql", "postgresql"]);
    });
});

describe("validateGuestImageArgs", () => {
    test.each<[string, GuestImageArgs, string, RegExp]>([
        ["no trove checkout", { source: { mode: "build", outputDir, troveDir: "/nonexistent" }, datastores: ["mysql"] }, "source.troveDir", /has no integration\/scripts\/trovestack/],
        ["dev mode", { source: { mode: "build", outputDir, troveDir, devMode: true }, datastores: ["mysql"] }, "source.devMode", /production images need devMode false/],
        ["a release trovestack has no guests of", { source: { mode: "build", outputDir, troveDir, release: "focal" }, datastores: ["mysql"] }, "source.release", /"focal" is not an Ubuntu release trovestack builds Trove guests of; choose "noble" or "jammy" \(default "noble"\)/],
        ["no OpenStack datasource", { source: { mode: "build", outputDir, troveDir, cloudInitDatasources: ["ConfigDrive"] }, datastores: ["mysql"] }, "source.cloudInitDatasources", /lacks "OpenStack"/],
        ["missing file", { source: { mode: "file", path: "/nonexistent.qcow2" }, datastores: ["mysql"] }, "source.path", /does not exist/],
        ["unknown extension", { source: { mode: "file", path: __filename }, datastores: ["mysql"] }, "source.path", /not .qcow2, .raw or .img/],
        ["bad url", { source: { mode: "url", url: "ftp://x", format: "qcow2" }, datastores: ["mysql"] }, "source.url", /not an http\(s\) URL/],
        ["mode", { source: { mode: "download" } as never, datastores: ["mysql"] }, "source.mode", /choose "build", "file" or "url"/],
        ["no datastores", { source: { mode: "file", path: qcow2 }, datastores: [] }, "datastores", /at least one datastore/],
        ["long tag", { source: { mode: "file", path: qcow2 }, datastores: ["a-very-long-datastore-name"] }, "datastores", /longer than Trove's 20 characters/],
        ["a file without a connection", { source: { mode: "file", path: qcow2 }, datastores: ["mysql"] }, "connection", /is required to upload a file to Glance/],
        ["a build without a connection", { source: { mode: "build", outputDir, troveDir }, datastores: ["mysql"] }, "connection", /is required to upload a built image to Glance/],
    ])("%s", async (_label, args, p, message) => {
        expect(validateGuestImageArgs(args)).toContainEqual({ path: p, message: expect.stringMatching(message) });
        expect(() => new GuestImage("bad", args)).toThrow(message);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });
});
