// The guest image pipeline for real: the GuestImage component builds with a stand-in builder (qemu-img,
// in place of trovestack) through the command provider plugin, and streams it to the dev cloud's Glance
// through its own dynamic provider (GlanceImage). Checked through Glance's API and the build's own run log.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { GuestImage } from "../../components/guest-image/guest-image";
import { Datastores } from "../../components/datastores/datastores";
import { OpenStackApi } from "../support/openstack-api";
import { changes, destroyAndRemove, inlineStack } from "../support/stack";
import { requireRealEnvironment } from "../support/real-env";
import { tempDir } from "../tmp";

const PROJECT = "guest-image-real";
const STACK = "guest-image-real";
const IMAGE_NAME = `trove-guest-real-${process.pid}`;
/** A datastore version pinned to the image's id, which must follow the image when it is replaced. */
const VERSION = `5.7.29-guest-${process.pid}`;


interface GlanceImage { id: string; name: string; status: string; visibility: string; owner: string; disk_format: string; container_format: string; checksum: string; tags: string[]; hw_rng_model?: string }

describe("GuestImage: built with a stand-in builder and uploaded to the dev cloud's Glance", () => {
    let stack: Stack;
    let api: OpenStackApi;
    let elements: string;
    let outputDir: string;
    let runLog: string;
    let upOutput = "";

    /**
     * Stands in for trovestack: logs progress, writes the elements' content into a raw disk and
     * converts it to qcow2 at $GUEST_IMAGE_OUTPUT, so the image's bytes follow its inputs. Every run
     * is counted in runLog.
     */
    const builder = (fail = false): string => [
        `echo run >> ${runLog}`,
        "for step in 1 2 3; do echo \"guest build step $step/3\"; done",
        `cat ${elements}/* > "$GUEST_IMAGE_OUTPUT.raw"`,
        `truncate -s 16M "$GUEST_IMAGE_OUTPUT.raw"`,
        `qemu-img convert -f raw -O qcow2 "$GUEST_IMAGE_OUTPUT.raw" "$GUEST_IMAGE_OUTPUT"`,
        `rm -f "$GUEST_IMAGE_OUTPUT.raw"`,
        ...(fail ? ["echo 'diskimage-builder: element failed' >&2", "exit 3"] : []),
    ].join("\n");

    const images = async (): Promise<GlanceImage[]> =>
        (await api.get<{ images: GlanceImage[] }>("image", `/v2/images?name=${IMAGE_NAME}`)).images;
    const runs = (): number => (fs.existsSync(runLog) ? fs.readFileSync(runLog, "utf8").split("\n").filter(Boolean).length : 0);
    const versionImage = async (id: string): Promise<string | undefined> =>
        (await api.get<{ version: { image: string } }>("database", `/mgmt/datastore-versions/${id}`)).version.image;
    const md5 = (file: string): string => crypto.createHash("md5").update(fs.readFileSync(file)).digest("hex");

    beforeAll(async () => {
        requireRealEnvironment();
        api = await OpenStackApi.login();
        elements = tempDir("elements");
        fs.writeFileSync(path.join(elements, "00-marker"), "trove guest agent element v1\n");
        outputDir = tempDir("guest-images");
        runLog = path.join(tempDir("runs"), "runs.log");
        stack = await inlineStack(PROJECT, STACK, async () => {
            const config = new pulumi.Config();
            const connection = pulumi.secret({
                authUrl: process.env.OS_AUTH_URL!, username: process.env.OS_USERNAME!, password: process.env.OS_PASSWORD!,
                projectName: process.env.OS_PROJECT_NAME!, region: process.env.OS_REGION_NAME,
            });
            const image = new GuestImage("guest", {
                name: IMAGE_NAME,
                datastores: ["mysql", "postgresql"],
                connection,
                properties: { hw_rng_model: "virtio", ...(config.get("agent") ? { hw_qemu_guest_agent: config.get("agent")! } : {}) },
                source: {
                    mode: "build",
                    builderCommand: config.require("builder"),
                    outputDir,
                    hashPaths: [elements],
                    environment: { DIB_RELEASE: "noble" },
                },
            });
            const datastores = new Datastores("ds", {
                connection,
                versions: [{ datastore: "mysql", version: VERSION, versionNumber: "5.7.29", sourceImage: "mysql:5.7.29" }],
                imageId: image.imageId,
                imageDependency: image,
            });
            return {
                imageId: image.imageId, checksum: image.checksum, imagePath: image.imagePath, inputHash: image.inputHash,
                versionId: datastores.versionIds[`mysql-${VERSION}`],
            };
        });
        await stack.setConfig("builder", { value: builder() });
    });

    afterAll(() => destroyAndRemove(stack, STACK));

    let first: { imageId: string; checksum: string; imagePath: string };

    test("up builds once and uploads a private qcow2, tagged, with its properties and the file's checksum; the build's lines stream into the log", async () => {
        const result = await stack.up({ onOutput: (line) => { upOutput += line; process.stdout.write(line); } });
        expect(result.summary.result).toBe("succeeded");
        first = { imageId: result.outputs.imageId.value, checksum: result.outputs.checksum.value, imagePath: result.outputs.imagePath.value };
        expect(runs()).toBe(1);
        // The file name carries the input hash, so two builds never overwrite each other.
        expect(path.basename(first.imagePath)).toBe(`trove-guest-ubuntu-noble-${(result.outputs.inputHash.value as string).slice(0, 16)}.qcow2`);
        expect(fs.existsSync(first.imagePath)).toBe(true);
        expect(fs.readdirSync(outputDir)).toEqual([path.basename(first.imagePath)]);
        for (const step of [1, 2, 3]) expect(upOutput).toContain(`guest build step ${step}/3`);

        const [image, ...others] = await images();
        expect(others).toEqual([]);
        expect(image).toMatchObject({
            id: first.imageId, status: "active", visibility: "private", owner: api.projectId,
            disk_format: "qcow2", container_format: "bare", hw_rng_model: "virtio",
        });
        expect(image.tags.sort()).toEqual(["mysql", "postgresql", "trove"]);
        expect(image.checksum).toBe(md5(first.imagePath));
        expect(first.checksum).toBe(image.checksum);
        expect(await versionImage(result.outputs.versionId.value as string)).toBe(first.imageId);
    });

    test("an unchanged second up neither rebuilds nor re-uploads", async () => {
        const result = await stack.up();
        expect(changes(result.summary.resourceChanges)).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
        expect(runs()).toBe(1);
        expect((await images()).map((i) => i.id)).toEqual([first.imageId]);
    });

    test("a changed input rebuilds into a new file and replaces the image, the new one uploaded before the old is deleted", async () => {
        fs.writeFileSync(path.join(elements, "00-marker"), "trove guest agent element v2\n");
        const events: string[] = [];
        const result = await stack.up({
            onEvent: (e) => {
                const step = e.resourcePreEvent?.metadata;
                if (step && step.op !== "same" && /Image$|DatastoreVersion$/.test(step.type)) events.push(`${step.type.split(":").pop()} ${step.op}`);
            },
        });
        // The build and the image replaced; the version pinned to the image updated in place.
        expect(changes(result.summary.resourceChanges)).toEqual({ create: 0, update: 1, delete: 0, replace: 2 });
        expect(runs()).toBe(2);
        // The new image first, then the version moved to it, then the old image deleted: the
        // version never points at a missing image.
        expect(events).toEqual(["GlanceImage create-replacement", "GlanceImage replace", "DatastoreVersion update", "GlanceImage delete-replaced"]);
        expect(await versionImage(result.outputs.versionId.value as string)).toBe(result.outputs.imageId.value);
        const now = result.outputs;
        expect(now.imageId.value).not.toBe(first.imageId);
        expect(now.imagePath.value).not.toBe(first.imagePath);
        expect(fs.existsSync(first.imagePath)).toBe(false);
        const left = await images();
        expect(left.map((i) => i.id)).toEqual([now.imageId.value]);
        expect(left[0].checksum).toBe(md5(now.imagePath.value as string));
        expect(left[0].checksum).not.toBe(first.checksum);
        first = { imageId: now.imageId.value, checksum: now.checksum.value, imagePath: now.imagePath.value };
    });

    test("a property added, changed and removed is patched in place: same image, no upload, and a refresh sees no drift", async () => {
        const glanceProperty = async () => (await images())[0] as GlanceImage & { hw_qemu_guest_agent?: string };
        for (const value of ["yes", "no", undefined]) {
            if (value) await stack.setConfig("agent", { value });
            else await stack.removeConfig("agent");
            const result = await stack.up();
            expect(changes(result.summary.resourceChanges)).toEqual({ create: 0, update: 1, delete: 0, replace: 0 });
            const image = await glanceProperty();
            expect(image.id).toBe(first.imageId);
            expect(image.hw_qemu_guest_agent).toBe(value);
            expect(image.hw_rng_model).toBe("virtio");
        }
        expect(runs()).toBe(2);
        const refreshed = await stack.refresh();
        expect(refreshed.summary.resourceChanges?.update ?? 0).toBe(0);
        const preview = await stack.preview();
        expect(changes(preview.changeSummary)).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
    });

    test("a failed build uploads nothing, leaves no partial file and keeps the current image", async () => {
        await stack.setConfig("builder", { value: builder(true) });
        let output = "";
        await expect(stack.up({ onOutput: (line) => { output += line; } })).rejects.toThrow(/guest image build failed \(exit 3\)/);
        expect(output).toContain("diskimage-builder: element failed");
        expect(runs()).toBe(3);
        expect((await images()).map((i) => i.id)).toEqual([first.imageId]);
        expect(fs.readdirSync(outputDir)).toEqual([path.basename(first.imagePath)]);
        // Back to the good builder: the stack converges again.
        await stack.setConfig("builder", { value: builder() });
        await stack.up();
    });

    test("destroy deletes the image, the version and the built file", async () => {
        const versionId = (await stack.outputs()).versionId.value as string;
        const result = await stack.destroy();
        expect(result.summary.result).toBe("succeeded");
        expect(await images()).toEqual([]);
        expect(fs.readdirSync(outputDir)).toEqual([]);
        const { versions } = await api.get<{ versions: { id: string }[] }>("database", "/mgmt/datastore-versions");
        expect(versions.map((v) => v.id)).not.toContain(versionId);
    });
});
