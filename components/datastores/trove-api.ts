/**
 * A small client for Trove's management API, authenticated through Keystone the way the OpenStack
 * provider is, with its TLS settings. Used inside dynamic providers, so it depends on nothing but
 * Node's own modules.
 */

import type { TroveConnection } from "../model/connection";

interface HttpResponse {
    readonly status: number;
    readonly headers: Record<string, string | string[] | undefined>;
    readonly text: string;
}

/**
 * One HTTP(S) call with the connection's TLS settings (fetch cannot take a CA bundle per call).
 * Modules are loaded inside: dynamic providers run a serialized copy of this function.
 */
export async function httpRequest(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string },
    tls: Pick<TroveConnection, "cacert" | "insecure"> = {},
): Promise<HttpResponse> {
    const target = new URL(url);
    const transport = target.protocol === "https:" ? await import("https") : await import("http");
    return new Promise((resolve, reject) => {
        const request = transport.request(target, {
            method: init.method,
            headers: init.body === undefined ? init.headers : { ...init.headers, "Content-Length": Buffer.byteLength(init.body) },
            ...(target.protocol === "https:" ? { ca: tls.cacert, rejectUnauthorized: !tls.insecure } : {}),
        }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") }));
            response.on("error", reject);
        });
        request.on("error", (e: Error) => reject(new Error(`${init.method} ${url}: ${e.message}`)));
        request.end(init.body);
    });
}

/** A datastore version as Trove's management API shows it. */
export interface TroveDatastoreVersion {
    readonly id: string;
    readonly name: string;
    readonly datastore_id: string;
    readonly datastore_name: string;
    readonly datastore_manager: string;
    readonly image: string;
    readonly image_tags: readonly string[];
    readonly packages: readonly string[];
    readonly active: boolean;
    readonly default: boolean;
    readonly version: string;
}

/** The fields of a datastore version this package manages. */
export interface DatastoreVersionFields {
    readonly datastore: string;
    readonly name: string;
    readonly manager: string;
    readonly versionNumber: string;
    /** Exactly one of image and imageTags is set. */
    readonly image?: string;
    readonly imageTags?: readonly string[];
    readonly packages: readonly string[];
    readonly active: boolean;
    readonly default: boolean;
}

export class TroveApiError extends Error {
    constructor(readonly method: string, readonly url: string, readonly status: number, readonly body: string) {
        const message = `Trove answered ${status} to ${method} ${url}: ${TroveApiError.reason(body)}`;
        super(message);
        // Set again: the dynamic-provider host runs a serialized copy of this class, in which
        // Error's constructor does not set `message` on the subclass instance.
        this.message = message;
        this.name = "TroveApiError";
    }

    /** Trove answers 400 "... cannot be found" as often as 404 for what does not exist. */
    get notFound(): boolean {
        return this.status === 404 || (this.status === 400 && /cannot be found|not found/i.test(this.body));
    }

    /** Trove wraps errors as {"badRequest": {"message": ...}} and the like. */
    static reason(body: string): string {
        try {
            const parsed = JSON.parse(body) as Record<string, { message?: string }>;
            const first = Object.values(parsed)[0];
            if (first && typeof first.message === "string") return first.message;
        } catch {
            // not JSON: fall through to the raw text
        }
        return body.trim().slice(0, 500) || "(empty body)";
    }
}

/** Body of `POST /mgmt/datastore-versions`. */
export function createVersionBody(f: DatastoreVersionFields): { version: Record<string, unknown> } {
    const version: Record<string, unknown> = {
        name: f.name,
        datastore_name: f.datastore,
        datastore_manager: f.manager,
        active: f.active,
        default: f.default,
        version: f.versionNumber,
        packages: [...f.packages],
    };
    if (f.image) version.image = f.image;
    else version.image_tags = [...(f.imageTags ?? [])];
    return { version };
}

/** Flat body of `PATCH /mgmt/datastore-versions/{id}` with only what changed. */
export function updateVersionBody(olds: DatastoreVersionFields, news: DatastoreVersionFields): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    if (olds.name !== news.name) body.name = news.name;
    if (olds.manager !== news.manager) body.datastore_manager = news.manager;
    if (olds.image !== news.image || !sameList(olds.imageTags, news.imageTags)) {
        if (news.image) body.image = news.image;
        else body.image_tags = [...(news.imageTags ?? [])];
    }
    if (!sameList(olds.packages, news.packages)) body.packages = [...news.packages];
    if (olds.active !== news.active) body.active = news.active;
    if (olds.default !== news.default) body.default = news.default;
    return body;
}

/** Trove reads back an empty list as [""]; compare lists as Trove stores them. */
export function normaliseList(list: readonly string[] | undefined | null): string[] {
    return (list ?? []).filter((item) => item !== "");
}

export function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
    const x = normaliseList(a);
    const y = normaliseList(b);
    return x.length === y.length && x.every((item, i) => item === y[i]);
}

/** The managed fields of a version Trove returned. */
export function fieldsOf(v: TroveDatastoreVersion): DatastoreVersionFields {
    const tags = normaliseList(v.image_tags);
    return {
        datastore: v.datastore_name,
        name: v.name,
        manager: v.datastore_manager,
        versionNumber: v.version,
        image: v.image || undefined,
        imageTags: v.image ? undefined : tags,
        packages: normaliseList(v.packages),
        active: v.active,
        default: v.default,
    };
}

interface Session {
    readonly token: string;
    readonly endpoint: string;
    /** Glance, to check image tags before Trove is asked; undefined when the catalog has none. */
    readonly imageEndpoint?: string;
}

/** Trove's management API for one connection. */
export class TroveClient {
    private session: Promise<Session> | undefined;

    constructor(private readonly connection: TroveConnection) {}

    private authenticate(): Promise<Session> {
        this.session ??= (async () => {
            const c = this.connection;
            const url = `${c.authUrl.replace(/\/+$/, "")}/auth/tokens`;
            const response = await httpRequest(url, {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body: JSON.stringify({
                    auth: {
                        identity: {
                            methods: ["password"],
                            password: { user: { name: c.username, domain: { name: c.userDomainName ?? "Default" }, password: c.password } },
                        },
                        scope: { project: { name: c.projectName, domain: { name: c.projectDomainName ?? "Default" } } },
                    },
                }),
            }, c);
            const text = response.text;
            if (response.status !== 201) throw new TroveApiError("POST", url, response.status, text);
            const token = response.headers["x-subject-token"] as string | undefined;
            const body = JSON.parse(text) as {
                token: { project: { id: string }; catalog: { type: string; endpoints: { interface: string; region: string; url: string }[] }[] };
            };
            const find = (type: string) => body.token.catalog.find((s) => s.type === type)?.endpoints.find((e) =>
                e.interface === (c.endpointInterface ?? "public") && (c.region === undefined || e.region === c.region));
            const endpoint = find("database");
            const image = find("image");
            if (!token || !endpoint) {
                throw new Error(`Keystone at ${c.authUrl} lists no ${c.endpointInterface ?? "public"} "database" endpoint${c.region ? ` in region ${c.region}` : ""}; is trove-api registered in the catalog?`);
            }
            // Catalog URLs may still hold the %(tenant_id)s template or end in the project id already.
            const base = endpoint.url.replace(/%\(tenant_id\)s|\$\(tenant_id\)s|%\(project_id\)s/g, body.token.project.id).replace(/\/+$/, "");
            return {
                token,
                endpoint: base.endsWith(body.token.project.id) ? base : `${base}/${body.token.project.id}`,
                imageEndpoint: image?.url.replace(/\/+$/, ""),
            };
        })();
        return this.session;
    }

    async request<T>(method: string, path: string, body?: unknown, okStatuses: number[] = [200, 202, 204]): Promise<T | undefined> {
        const session = await this.authenticate();
        const url = `${session.endpoint}${path}`;
        const response = await httpRequest(url, {
            method,
            headers: { "X-Auth-Token": session.token, "Content-Type": "application/json", Accept: "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
        }, this.connection);
        const text = response.text;
        if (!okStatuses.includes(response.status)) throw new TroveApiError(method, url, response.status, text);
        return text ? (JSON.parse(text) as T) : undefined;
    }

    async listVersions(): Promise<TroveDatastoreVersion[]> {
        const body = await this.request<{ versions: TroveDatastoreVersion[] }>("GET", "/mgmt/datastore-versions");
        return body?.versions ?? [];
    }

    /** The version, or undefined when it no longer exists. */
    async getVersion(id: string): Promise<TroveDatastoreVersion | undefined> {
        try {
            const body = await this.request<{ version: TroveDatastoreVersion }>("GET", `/mgmt/datastore-versions/${encodeURIComponent(id)}`);
            return body?.version;
        } catch (e) {
            if (e instanceof TroveApiError && e.notFound) return undefined;
            throw e;
        }
    }

    /**
     * The ids of the active images visible to this connection that carry every tag, as Trove's own
     * lookup wants them; undefined when the catalog lists no image service.
     */
    async imagesWithTags(tags: readonly string[]): Promise<string[] | undefined> {
        const session = await this.authenticate();
        if (!session.imageEndpoint) return undefined;
        const query = [...tags.map((t) => `tag=${encodeURIComponent(t)}`), "status=active"].join("&");
        const url = `${session.imageEndpoint}${/\/v2$/.test(session.imageEndpoint) ? "" : "/v2"}/images?${query}`;
        const response = await httpRequest(url, { method: "GET", headers: { "X-Auth-Token": session.token, Accept: "application/json" } }, this.connection);
        if (response.status !== 200) throw new TroveApiError("GET", url, response.status, response.text);
        return (JSON.parse(response.text) as { images: { id: string }[] }).images.map((i) => i.id);
    }

    /** Trove answers 202 with no body: find the new version by datastore, name and number. */
    async createVersion(fields: DatastoreVersionFields): Promise<TroveDatastoreVersion> {
        if (!fields.image && fields.imageTags) {
            // Trove's own error for this names no tags; say which, and what to do.
            const images = await this.imagesWithTags(fields.imageTags);
            if (images !== undefined && images.length === 0) {
                throw new Error(
                    `no active Glance image visible to ${this.connection.username} carries all of the tags ${fields.imageTags.join(",")} ` +
                    `for datastore version ${fields.datastore} ${fields.name}; upload the guest image with these tags (GuestImage does) or fix imageTags`);
            }
        }
        await this.request("POST", "/mgmt/datastore-versions", createVersionBody(fields));
        const created = (await this.listVersions()).find((v) =>
            v.datastore_name === fields.datastore && v.name === fields.name && v.version === fields.versionNumber);
        if (!created) throw new Error(`Trove accepted datastore version ${fields.datastore} ${fields.name} but does not list it`);
        return created;
    }

    async updateVersion(id: string, body: Record<string, unknown>): Promise<void> {
        if (Object.keys(body).length > 0) await this.request("PATCH", `/mgmt/datastore-versions/${encodeURIComponent(id)}`, body);
    }

    async deleteVersion(id: string): Promise<void> {
        try {
            await this.request("DELETE", `/mgmt/datastore-versions/${encodeURIComponent(id)}`);
        } catch (e) {
            if (e instanceof TroveApiError && e.notFound) return;
            if (e instanceof TroveApiError && e.status === 400 && /in use|InUse|being used/i.test(e.body)) {
                throw new Error(`${e.message}. Delete or move the instances, backups and configuration groups that use it, then run pulumi up again.`);
            }
            throw e;
        }
    }
}
