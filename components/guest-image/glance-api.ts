/**
 * Glance's image API (v2) for the guest image: create the image record, stream the file into it in
 * one PUT while hashing it (no pass over the file before the upload), read, patch and delete. The
 * Keystone session is the Trove client's, shared per process and connection (`keystoneSession`).
 * Used inside GlanceImage's dynamic provider, whose code Pulumi serializes: Node's own modules are
 * loaded inside the functions that use them.
 */

import type { TroveConnection } from "../model/connection";
import { catalogEndpoint, forgetKeystoneSession, TroveClient, type TroveClientOptions } from "../datastores/trove-api";
import { httpRequestWithRetries, type HttpRequestInit, type HttpResponse, type TlsOptions } from "../common/http-client";

/** The settings of a Glance image this package manages. */
export interface GlanceImageFields {
    readonly name: string;
    readonly containerFormat: string;
    readonly diskFormat: string;
    readonly visibility: string;
    readonly tags: readonly string[];
    /** Glance's free-form properties (hw_rng_model and the like), each a string. */
    readonly properties: Readonly<Record<string, string>>;
    /** @default 0 (Glance's "no minimum") */
    readonly minDiskGb?: number;
    /** @default 0 (Glance's "no minimum") */
    readonly minRamMb?: number;
}

/** An image as Glance's v2 API shows it: its own fields, then every property as a top-level key. */
export interface GlanceImageRecord {
    readonly id: string;
    readonly name: string | null;
    readonly status: string;
    readonly visibility: string;
    readonly tags: readonly string[];
    readonly container_format: string | null;
    readonly disk_format: string | null;
    readonly min_disk: number;
    readonly min_ram: number;
    /** MD5 of the data, once uploaded. */
    readonly checksum: string | null;
    readonly size: number | null;
    readonly [property: string]: unknown;
}

/** Glance's JSON-patch media type for `PATCH /v2/images/{id}`. */
export const GLANCE_PATCH_TYPE = "application/openstack-images-v2.1-json-patch";

/** How long the upload may go without sending a byte or getting its answer before it is given up. */
export const DEFAULT_UPLOAD_IDLE_TIMEOUT_MS = 120_000;

/** How long an uploaded image may stay in `saving` (or an import's states) before the create fails. */
export const DEFAULT_ACTIVE_TIMEOUT_MS = 15 * 60_000;

/** Image states that end in `active` without anything more being sent. */
const PENDING_STATES = ["saving", "importing", "uploading"];

/** Body of `POST /v2/images`: Glance takes the properties as top-level keys beside its own fields. */
export function createImageBody(f: GlanceImageFields): Record<string, unknown> {
    return {
        ...f.properties,
        name: f.name,
        container_format: f.containerFormat,
        disk_format: f.diskFormat,
        visibility: f.visibility,
        tags: [...f.tags],
        min_disk: f.minDiskGb ?? 0,
        min_ram: f.minRamMb ?? 0,
    };
}

/** Tags as sets: Glance keeps no order. */
export function sameTags(a: readonly string[], b: readonly string[]): boolean {
    const x = new Set(a);
    const y = new Set(b);
    return x.size === y.size && [...x].every((t) => y.has(t));
}

/** The JSON patch that turns `olds` into `news` (only what can change in place; formats cannot). */
export function imagePatch(olds: GlanceImageFields, news: GlanceImageFields): { op: string; path: string; value?: unknown }[] {
    const ops: { op: string; path: string; value?: unknown }[] = [];
    // A path is a JSON pointer: "~" and "/" in a property's name are escaped.
    const pointer = (key: string) => `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    if (olds.name !== news.name) ops.push({ op: "replace", path: "/name", value: news.name });
    if (olds.visibility !== news.visibility) ops.push({ op: "replace", path: "/visibility", value: news.visibility });
    if ((olds.minDiskGb ?? 0) !== (news.minDiskGb ?? 0)) ops.push({ op: "replace", path: "/min_disk", value: news.minDiskGb ?? 0 });
    if ((olds.minRamMb ?? 0) !== (news.minRamMb ?? 0)) ops.push({ op: "replace", path: "/min_ram", value: news.minRamMb ?? 0 });
    if (!sameTags(olds.tags, news.tags)) ops.push({ op: "replace", path: "/tags", value: [...new Set(news.tags)] });
    for (const [key, value] of Object.entries(news.properties)) {
        if (!(key in olds.properties)) ops.push({ op: "add", path: pointer(key), value });
        else if (olds.properties[key] !== value) ops.push({ op: "replace", path: pointer(key), value });
    }
    for (const key of Object.keys(olds.properties)) {
        if (!(key in news.properties)) ops.push({ op: "remove", path: pointer(key) });
    }
    return ops;
}

/**
 * The managed fields as Glance has them: `propertyKeys` are the properties to read (those the
 * inputs set; Glance adds its own, which are not this package's to manage).
 */
export function fieldsOfImage(image: GlanceImageRecord, propertyKeys: readonly string[]): GlanceImageFields {
    const properties: Record<string, string> = {};
    for (const key of propertyKeys) {
        const value = image[key];
        if (value !== undefined && value !== null) properties[key] = String(value);
    }
    return {
        name: image.name ?? "",
        containerFormat: image.container_format ?? "",
        diskFormat: image.disk_format ?? "",
        visibility: image.visibility,
        tags: [...image.tags],
        properties,
        minDiskGb: image.min_disk || undefined,
        minRamMb: image.min_ram || undefined,
    };
}

export class GlanceApiError extends Error {
    constructor(readonly method: string, readonly url: string, readonly status: number, readonly body: string) {
        const message = `Glance answered ${status} to ${method} ${url}: ${GlanceApiError.reason(body)}`;
        super(message);
        // Set again: a serialized copy of this class does not get `message` from Error's constructor.
        this.message = message;
        this.name = "GlanceApiError";
    }

    /** Glance's errors come as HTML pages: their text, on one line. */
    static reason(body: string): string {
        return body.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 500) || "(empty body)";
    }
}

/** What one streamed upload sent. */
export interface UploadResult {
    readonly bytes: number;
    /** MD5 of what was sent, hex: Glance's `checksum` of the stored data must equal it. */
    readonly md5: string;
}

/**
 * `PUT <url>` with the file as the body, read once and hashed as it goes; the
 * request waits whenever the socket is full, so memory stays flat whatever the size. Fails when
 * no byte moves for `idleTimeoutMs` (a total timeout would cap the size of an image). Not retried:
 * the body is a stream, and Glance takes one upload per image.
 */
export async function streamFile(url: string, token: string, filePath: string, tls: TlsOptions = {},
    idleTimeoutMs = DEFAULT_UPLOAD_IDLE_TIMEOUT_MS): Promise<UploadResult> {
    const fs = await import("fs");
    const crypto = await import("crypto");
    const target = new URL(url);
    const transport = target.protocol === "https:" ? await import("https") : await import("http");
    const size = (await fs.promises.stat(filePath)).size;
    return new Promise((resolve, reject) => {
        // Declared before use, every one: Pulumi's closure serializer rejects a function whose inner
        // closures name a `const` declared further down.
        let settled = false;
        let bytes = 0;
        let request: import("http").ClientRequest | undefined;
        const hash = crypto.createHash("md5");
        // Node's 64 KiB reads: measured against 256 KiB, 1 MiB and 4 MiB on a 4 GiB upload to the dev
        // cloud's Glance (npm run bench:upload), larger reads were no faster, 1 MiB slower (0.90 x
        // the CLI's throughput against 1.09 x, mean of runs).
        const file = fs.createReadStream(filePath);
        const fail = (e: Error) => {
            if (settled) return;
            settled = true;
            file.destroy();
            request?.destroy();
            reject(new Error(`uploading ${filePath} to PUT ${url} failed after ${bytes} of ${size} bytes: ${e.message}`));
        };
        request = transport.request(target, {
            method: "PUT",
            headers: { "X-Auth-Token": token, "Content-Type": "application/octet-stream", "Content-Length": size },
            agent: false,
            ...(target.protocol === "https:" ? { ca: tls.cacert, rejectUnauthorized: !tls.insecure } : {}),
        }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("error", (e: Error) => fail(e));
            response.on("end", () => {
                if (settled) return;
                const status = response.statusCode ?? 0;
                if (status !== 204 && status !== 200) {
                    settled = true;
                    file.destroy();
                    reject(new GlanceApiError("PUT", url, status, Buffer.concat(chunks).toString("utf8")));
                    return;
                }
                if (bytes !== size) {
                    fail(new Error(`the file changed size while it was read (${size} bytes at the start)`));
                    return;
                }
                settled = true;
                resolve({ bytes, md5: hash.digest("hex") });
            });
        });
        request.setTimeout(idleTimeoutMs, () => fail(new Error(`nothing moved for ${idleTimeoutMs} ms`)));
        request.on("error", (e: Error) => fail(e));
        file.on("error", (e: Error) => fail(e));
        file.on("data", (chunk: Buffer | string) => {
            const data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
            bytes += data.length;
            hash.update(data);
        });
        file.pipe(request);
    });
}

/**
 * Glance for one connection: the image endpoint comes from the Keystone catalog (the connection's
 * region and interface), the token from the session the Trove client shares per connection. Calls
 * other than the upload time out and are retried when safe, as the options say.
 */
export class GlanceClient {
    private readonly keystone: TroveClient;

    constructor(private readonly connection: TroveConnection, private readonly options: TroveClientOptions = {}) {
        this.keystone = new TroveClient(connection, options);
    }

    /** The session's token and Glance's v2 base URL. */
    private async endpoint(): Promise<{ token: string; base: string }> {
        const session = await this.keystone.session();
        const image = catalogEndpoint(session.catalog, "image", this.connection);
        if (!image) {
            throw new Error(`Keystone at ${this.connection.authUrl} lists no ${this.connection.endpointInterface ?? "public"} "image" endpoint` +
                `${this.connection.region ? ` in region ${this.connection.region}` : ""}; is Glance registered in the catalog?`);
        }
        const base = image.replace(/\/+$/, "");
        return { token: session.token, base: /\/v2$/.test(base) ? base : `${base}/v2` };
    }

    /** A call with the session's token; a 401 drops the session and the call is made once more. */
    private async call(method: string, path: string, init: Omit<HttpRequestInit, "method" | "headers"> & { contentType?: string } = {}):
        Promise<{ url: string; response: HttpResponse }> {
        for (let attempt = 1; ; attempt++) {
            const { token, base } = await this.endpoint();
            const url = `${base}${path}`;
            const response = await httpRequestWithRetries(url, {
                method,
                headers: { "X-Auth-Token": token, Accept: "application/json", ...(init.body === undefined ? {} : { "Content-Type": init.contentType ?? "application/json" }) },
                body: init.body,
                idempotent: init.idempotent,
            }, this.connection, this.options);
            if (response.status !== 401 || attempt === 2) return { url, response };
            forgetKeystoneSession(this.connection, token);
        }
    }

    private async expect<T>(method: string, path: string, ok: number[], init: Omit<HttpRequestInit, "method" | "headers"> & { contentType?: string } = {}): Promise<T> {
        const { url, response } = await this.call(method, path, init);
        if (!ok.includes(response.status)) throw new GlanceApiError(method, url, response.status, response.text);
        return (response.text ? JSON.parse(response.text) : undefined) as T;
    }

    /** A new image record, `queued` until its data arrives. */
    create(fields: GlanceImageFields): Promise<GlanceImageRecord> {
        return this.expect("POST", "/images", [201], { body: JSON.stringify(createImageBody(fields)) });
    }

    /** The image, or undefined when Glance has none with this id (deleted). */
    async get(id: string): Promise<GlanceImageRecord | undefined> {
        const { url, response } = await this.call("GET", `/images/${encodeURIComponent(id)}`);
        if (response.status === 404) return undefined;
        if (response.status !== 200) throw new GlanceApiError("GET", url, response.status, response.text);
        return JSON.parse(response.text) as GlanceImageRecord;
    }

    /** Streams the file into the image (see streamFile). */
    async upload(id: string, filePath: string, idleTimeoutMs?: number): Promise<UploadResult> {
        const { token, base } = await this.endpoint();
        return streamFile(`${base}/images/${encodeURIComponent(id)}/file`, token, filePath, this.connection, idleTimeoutMs);
    }

    /**
     * Waits until the image is `active`, polling from 100 ms up to every 2 s: a plain upload is
     * active when its PUT returns, so the first look usually settles it.
     */
    async waitActive(id: string, timeoutMs = DEFAULT_ACTIVE_TIMEOUT_MS, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<GlanceImageRecord> {
        const deadline = Date.now() + timeoutMs;
        for (let wait = 100; ; wait = Math.min(2_000, wait * 2)) {
            const image = await this.get(id);
            if (!image) throw new Error(`Glance image ${id} disappeared while it was being uploaded`);
            if (image.status === "active") return image;
            if (!PENDING_STATES.includes(image.status)) {
                throw new Error(`Glance image ${id} is ${image.status} after its upload, not active; Glance's log says why (a disk format it refused, a full store)`);
            }
            if (Date.now() > deadline) throw new Error(`Glance image ${id} is still ${image.status} after ${Math.round(timeoutMs / 1000)} s`);
            await sleep(wait);
        }
    }

    /** Applies a JSON patch; nothing is sent for an empty one. */
    async update(id: string, patch: readonly { op: string; path: string; value?: unknown }[]): Promise<void> {
        if (patch.length === 0) return;
        await this.expect("PATCH", `/images/${encodeURIComponent(id)}`, [200], { body: JSON.stringify(patch), contentType: GLANCE_PATCH_TYPE, idempotent: true });
    }

    /** Deletes the image; one that is gone already counts as deleted. */
    async delete(id: string): Promise<void> {
        const { url, response } = await this.call("DELETE", `/images/${encodeURIComponent(id)}`);
        if (response.status === 204 || response.status === 404) return;
        if (response.status === 403) {
            throw new Error(`${new GlanceApiError("DELETE", url, response.status, response.text).message}. A protected image cannot be deleted: ` +
                `openstack image set --unprotected ${id}, then run pulumi up again`);
        }
        throw new GlanceApiError("DELETE", url, response.status, response.text);
    }
}
