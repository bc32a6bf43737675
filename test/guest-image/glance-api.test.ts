import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { createImageBody, fieldsOfImage, GlanceApiError, type GlanceImageFields, type GlanceImageRecord, imagePatch, streamFile } from "../../components/guest-image/glance-api";
import { diffImage, REPLACE_FIELDS, UPDATE_FIELDS } from "../../components/guest-image/glance-image";
import { tempDir } from "../tmp";

const fields: GlanceImageFields = {
    name: "trove-guest-ubuntu-noble", containerFormat: "bare", diskFormat: "qcow2", visibility: "private",
    tags: ["trove", "mysql"], properties: { hw_rng_model: "virtio" },
};

describe("request bodies", () => {
    test("create: Glance's fields, the properties beside them, 0 for no minimum", () => {
        expect(createImageBody(fields)).toEqual({
            name: "trove-guest-ubuntu-noble", container_format: "bare", disk_format: "qcow2", visibility: "private",
            tags: ["trove", "mysql"], min_disk: 0, min_ram: 0, hw_rng_model: "virtio",
        });
        expect(createImageBody({ ...fields, minDiskGb: 5, minRamMb: 1024 })).toMatchObject({ min_disk: 5, min_ram: 1024 });
    });

    test("a property cannot override Glance's own fields", () => {
        expect(createImageBody({ ...fields, properties: { visibility: "public", name: "x" } })).toMatchObject({ visibility: "private", name: fields.name });
    });

    test("patch: nothing for no change; tags compared as a set", () => {
        expect(imagePatch(fields, fields)).toEqual([]);
        expect(imagePatch(fields, { ...fields, tags: ["mysql", "trove", "mysql"] })).toEqual([]);
    });

    test("patch: each change as its JSON-patch operation", () => {
        const after: GlanceImageFields = {
            ...fields, name: "renamed", visibility: "shared", minDiskGb: 10, tags: ["trove", "postgresql"],
            properties: { hw_qemu_guest_agent: "yes", "a/b~c": "1" },
        };
        expect(imagePatch({ ...fields, minRamMb: 512 }, after)).toEqual([
            { op: "replace", path: "/name", value: "renamed" },
            { op: "replace", path: "/visibility", value: "shared" },
            { op: "replace", path: "/min_disk", value: 10 },
            { op: "replace", path: "/min_ram", value: 0 },
            { op: "replace", path: "/tags", value: ["trove", "postgresql"] },
            { op: "add", path: "/hw_qemu_guest_agent", value: "yes" },
            { op: "add", path: "/a~1b~0c", value: "1" },
            { op: "remove", path: "/hw_rng_model" },
        ]);
        expect(imagePatch(fields, { ...fields, properties: { hw_rng_model: "none" } })).toEqual([{ op: "replace", path: "/hw_rng_model", value: "none" }]);
    });

    test("an image as Glance shows it reads back as the managed fields, only the managed properties", () => {
        const record: GlanceImageRecord = {
            id: "i", name: "trove-guest-ubuntu-noble", status: "active", visibility: "private", tags: ["mysql", "trove"],
            container_format: "bare", disk_format: "qcow2", min_disk: 0, min_ram: 0, checksum: "abc", size: 3,
            hw_rng_model: "virtio", os_hash_algo: "sha512", owner_specified_by: "glance",
        };
        expect(fieldsOfImage(record, ["hw_rng_model", "hw_qemu_guest_agent"])).toEqual({ ...fields, tags: ["mysql", "trove"], minDiskGb: undefined, minRamMb: undefined });
    });
});

describe("diffImage: what a preview shows", () => {
    const state = { ...fields, filePath: "/images/a.qcow2", fileStamp: "inputs:1" };
    test("no change", () => {
        expect(diffImage(state, { ...state, tags: ["mysql", "trove"] })).toEqual({ changes: [], replaces: [] });
        expect(diffImage({ ...state, minDiskGb: 0 }, state)).toEqual({ changes: [], replaces: [] });
    });

    test.each(REPLACE_FIELDS)("%s: a new image", (field) => {
        const { changes, replaces } = diffImage(state, { ...state, [field]: "other" });
        expect(replaces).toEqual([field]);
        expect(changes).toEqual([field]);
    });

    test.each<[(typeof UPDATE_FIELDS)[number], unknown]>([
        ["name", "renamed"], ["visibility", "shared"], ["tags", ["trove"]], ["properties", { hw_rng_model: "none" }], ["minDiskGb", 5], ["minRamMb", 256],
    ])("%s: changed in place", (field, value) => {
        expect(diffImage(state, { ...state, [field]: value })).toEqual({ changes: [field], replaces: [] });
    });
});

/** A Glance stand-in for the upload alone: hashes the raw bytes it reads, answers as scripted. */
async function uploadServer(answer: (res: http.ServerResponse, received: { bytes: number; md5: string }) => void):
    Promise<{ url: string; received: () => { bytes: number; md5: string; headers: http.IncomingHttpHeaders } | undefined; close: () => Promise<void> }> {
    let received: { bytes: number; md5: string; headers: http.IncomingHttpHeaders } | undefined;
    const server = http.createServer((req, res) => {
        const hash = crypto.createHash("md5");
        let bytes = 0;
        req.on("data", (chunk: Buffer) => {
            bytes += chunk.length;
            hash.update(chunk);
        });
        req.on("end", () => {
            received = { bytes, md5: hash.digest("hex"), headers: req.headers };
            answer(res, received);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as net.AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}/v2/images/i/file`,
        received: () => received,
        close: () => new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

describe("streamFile", () => {
    const dir = tempDir("glance-upload");
    const file = path.join(dir, "guest.qcow2");
    // 5 MiB and a bit of random bytes: many of the upload's reads, and a short last one.
    const content = crypto.randomBytes(5 * (1 << 20) + 12345);
    fs.writeFileSync(file, content);
    const md5 = crypto.createHash("md5").update(content).digest("hex");

    test("sends the file in one PUT with its length and the token, and returns the MD5 of what it sent", async () => {
        const server = await uploadServer((res) => res.writeHead(204).end());
        try {
            expect(await streamFile(server.url, "tok", file)).toEqual({ bytes: content.length, md5 });
            expect(server.received()).toMatchObject({ bytes: content.length, md5 });
            expect(server.received()!.headers).toMatchObject({
                "x-auth-token": "tok", "content-type": "application/octet-stream", "content-length": String(content.length),
            });
        } finally {
            await server.close();
        }
    });

    test("Glance's refusal is an error with its status and reason", async () => {
        const server = await uploadServer((res) => res.writeHead(413, { "Content-Type": "text/html" }).end("<html><body><h1>413 Request Entity Too Large</h1>Image storage media is full</body></html>"));
        try {
            const error = await streamFile(server.url, "tok", file).catch((e: unknown) => e);
            expect(error).toBeInstanceOf(GlanceApiError);
            expect((error as Error).message).toMatch(/^Glance answered 413 to PUT http:\/\/127\.0\.0\.1:\d+\/v2\/images\/i\/file: 413 Request Entity Too Large Image storage media is full$/);
        } finally {
            await server.close();
        }
    });

    test("a server that reads everything and never answers fails after the idle timeout, saying how far it got", async () => {
        const server = await uploadServer(() => undefined);
        try {
            await expect(streamFile(server.url, "tok", file, {}, 300)).rejects.toThrow(
                new RegExp(`failed after ${content.length} of ${content.length} bytes: nothing moved for 300 ms`));
        } finally {
            await server.close();
        }
    });

    test("a file that cannot be read is an error before anything is sent", async () => {
        await expect(streamFile("http://127.0.0.1:1/v2/images/i/file", "tok", path.join(dir, "missing.qcow2"))).rejects.toThrow(/ENOENT/);
    });
});
