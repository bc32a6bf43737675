/**
 * A small client for Trove's management API, authenticated through Keystone the way the OpenStack
 * provider is, with its TLS settings; every call has a timeout and is retried when safe (the
 * transport is http-client.ts). Used inside dynamic providers, whose code Pulumi serializes, so it
 * depends on nothing but Node's own modules, loaded inside functions; test/datastores/
 * trove-api-retry.test.ts runs a serialized copy to keep it so.
 */

import type { TroveConnection } from "../model/connection";
import { httpOptionsProblems, type HttpRequestInit, type HttpResponse, httpRequestWithRetries, type HttpRetryOptions } from "../common/http-client";

export { httpRequest, type HttpResponse } from "../common/http-client";

/**
 * How the client waits and retries: every call (Keystone, Trove, Glance) times out after
 * `timeoutMs` per attempt and is retried with backoff when that is safe (see `shouldRetry` in
 * http-client.ts). Not part of the connection, which is stored in the state: code that builds the
 * client chooses these.
 */
export type TroveClientOptions = HttpRetryOptions;

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
    /** The guest agent's manager class; Trove fills in its default for the manager (null for others). */
    readonly registry_ext?: string | null;
    /** Full import path of the replication strategy; Trove fills in trove.conf's default for the manager. */
    readonly repl_strategy?: string | null;
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
    /**
     * Trove's `registry_ext`. Undefined in the inputs: not managed: never sent, never a diff, and
     * Trove's value (its default for the manager) stays; in a read, what Trove has.
     */
    readonly registryExt?: string;
    /** Trove's `repl_strategy`, a full import path; undefined as for registryExt. */
    readonly replicationStrategy?: string;
}

/** The settings a version keeps unless the operator sets them: unset ones are Trove's to fill in. */
export const TROVE_FILLED_FIELDS = ["registryExt", "replicationStrategy"] as const;

export class TroveApiError extends Error {
    constructor(readonly method: string, readonly url: string, readonly status: number, readonly body: string, readonly attempts = 1) {
        const message = `Trove answered ${status} to ${method} ${url}${attempts > 1 ? ` after ${attempts} attempts` : ""}: ${TroveApiError.reason(body)}`;
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
    // Left out when unset: Trove stores its default for the manager.
    if (f.registryExt !== undefined) version.registry_ext = f.registryExt;
    if (f.replicationStrategy !== undefined) version.repl_strategy = f.replicationStrategy;
    return { version };
}

/**
 * Flat body of `PATCH /mgmt/datastore-versions/{id}` with only what changed. An unset registryExt or
 * replicationStrategy is left out (Trove keeps what it has), except when the manager changes: Trove
 * keeps the old manager's values then, so `managerDefaults` (what Trove stores for the new manager)
 * are sent in their place.
 */
export function updateVersionBody(
    olds: DatastoreVersionFields,
    news: DatastoreVersionFields,
    managerDefaults: Pick<DatastoreVersionFields, "registryExt" | "replicationStrategy"> = {},
): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    if (olds.name !== news.name) body.name = news.name;
    const managerChanged = olds.manager !== news.manager;
    if (managerChanged) body.datastore_manager = news.manager;
    const registryExt = news.registryExt ?? (managerChanged ? managerDefaults.registryExt : undefined);
    if (registryExt !== undefined && registryExt !== olds.registryExt) body.registry_ext = registryExt;
    const replicationStrategy = news.replicationStrategy ?? (managerChanged ? managerDefaults.replicationStrategy : undefined);
    if (replicationStrategy !== undefined && replicationStrategy !== olds.replicationStrategy) body.repl_strategy = replicationStrategy;
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
        registryExt: v.registry_ext || undefined,
        replicationStrategy: v.repl_strategy || undefined,
    };
}

/** One endpoint of a service in Keystone's catalog (`token.catalog[].endpoints[]`). */
export interface CatalogEndpoint {
    readonly interface: string;
    readonly region: string;
    readonly url: string;
}

/** One service of Keystone's catalog. */
export interface CatalogService {
    readonly type: string;
    readonly endpoints: readonly CatalogEndpoint[];
}

/**
 * The URL of a service's endpoint in a Keystone catalog, for the connection's region and interface:
 * the one place this package reads the catalog. The rules, as the client has always applied them:
 * - only the first service of the type counts (a catalog that lists "database" twice is read by
 *   its first entry, even when only the second has a matching endpoint);
 * - the interface must match exactly, `endpointInterface` or else "public": there is no fallback
 *   from "internal" or "admin" to "public", nor the other way;
 * - with no region, the first endpoint of that interface, in whichever region; with a region, only
 *   an endpoint whose `region` (Keystone's name, not `region_id`) equals it.
 * Undefined when nothing matches; the URL is returned as the catalog has it.
 */
export function catalogEndpoint(
    catalog: readonly CatalogService[],
    type: string,
    where: Pick<TroveConnection, "region" | "endpointInterface">,
): string | undefined {
    const wanted = where.endpointInterface ?? "public";
    return catalog.find((s) => s.type === type)?.endpoints.find((e) =>
        e.interface === wanted && (where.region === undefined || e.region === where.region))?.url;
}

/** Where the client sends its calls, from the catalog of a token scoped to the project. */
export interface TroveEndpoints {
    /** Trove's API for the project, ending in the project id, no trailing slash. */
    readonly database: string;
    /** Glance, to check image tags before Trove is asked; undefined when the catalog has none. */
    readonly image?: string;
}

/**
 * Trove's and Glance's endpoints as `catalogEndpoint` finds them. Trove's URL may hold the
 * %(tenant_id)s template (or $(tenant_id)s, %(project_id)s), end in the project id already, or in
 * neither: it comes back ending in the project id. Throws, naming what the catalog does list, when
 * it has no database endpoint for the connection.
 */
export function troveEndpoints(
    catalog: readonly CatalogService[],
    projectId: string,
    connection: Pick<TroveConnection, "authUrl" | "region" | "endpointInterface">,
): TroveEndpoints {
    const database = catalogEndpoint(catalog, "database", connection);
    if (database === undefined) {
        const service = catalog.find((s) => s.type === "database");
        const listed = !service
            ? "its catalog has no \"database\" service"
            : service.endpoints.length === 0
                ? "its \"database\" service has no endpoints"
                : `its "database" endpoints: ${service.endpoints.map((e) => `${e.interface} in ${e.region}`).join(", ")}`;
        throw new Error(`Keystone at ${connection.authUrl} lists no ${connection.endpointInterface ?? "public"} "database" endpoint` +
            `${connection.region ? ` in region ${connection.region}` : ""} (${listed}); is trove-api registered in the catalog?`);
    }
    const base = database.replace(/%\(tenant_id\)s|\$\(tenant_id\)s|%\(project_id\)s/g, projectId).replace(/\/+$/, "");
    return {
        database: base.endsWith(projectId) ? base : `${base}/${projectId}`,
        image: catalogEndpoint(catalog, "image", connection)?.replace(/\/+$/, ""),
    };
}

/** A Keystone token scoped to the connection's project, with what came with it. */
export interface KeystoneSession {
    readonly token: string;
    readonly projectId: string;
    readonly catalog: readonly CatalogService[];
    /** When Keystone says the token expires (ms since the epoch). */
    readonly expiresAt: number;
}

/** A cached token is used until this long before it expires: no call should start on a token about to lapse. */
export const TOKEN_REUSE_MARGIN_MS = 5 * 60_000;

/**
 * The process's Keystone sessions, one per connection (user, project, password, Keystone, TLS).
 * Each dynamic-provider operation makes a new client, and the provider host deserializes every
 * resource's provider into a module copy of its own, so a map in this module would be one per
 * resource: the map hangs off globalThis under a registry symbol instead, which Pulumi's serializer
 * leaves to the process (it emits globals by name). One login per provider process and connection,
 * however many versions, parameters and restrictions the stack has.
 */
function sessionCache(): Map<string, CachedSession> {
    const holder = globalThis as unknown as Record<symbol, Map<string, CachedSession> | undefined>;
    const key = Symbol.for("trove-region/keystone-sessions");
    let cache = holder[key];
    if (!cache) {
        cache = new Map();
        holder[key] = cache;
    }
    return cache;
}

/** A login in flight or done; `done` is set as soon as it succeeds, before any caller sees it. */
interface CachedSession {
    readonly login: Promise<KeystoneSession>;
    done?: KeystoneSession;
}

function sessionKey(c: TroveConnection): string {
    return JSON.stringify([c.authUrl.replace(/\/+$/, ""), c.username, c.userDomainName ?? "Default", c.password,
        c.projectName, c.projectDomainName ?? "Default", c.cacert ?? "", c.insecure === true]);
}

/**
 * The connection's Keystone session: the cached one while it is valid for TOKEN_REUSE_MARGIN_MS
 * more, else a new login (`login`). Concurrent callers share one login; a failed login is not kept.
 */
export async function keystoneSession(connection: TroveConnection, login: () => Promise<KeystoneSession>, now: () => number = Date.now): Promise<KeystoneSession> {
    const cache = sessionCache();
    const key = sessionKey(connection);
    const cached = cache.get(key);
    if (cached && !cached.done) return cached.login;
    if (cached?.done && cached.done.expiresAt - TOKEN_REUSE_MARGIN_MS > now()) return cached.done;
    const entry: CachedSession = { login: login() };
    cache.set(key, entry);
    entry.login.then((s) => {
        entry.done = s;
    }, () => {
        if (cache.get(key) === entry) cache.delete(key);
    });
    return entry.login;
}

/** Drops the connection's cached session if it still holds this token (Keystone or Trove refused it). */
export function forgetKeystoneSession(connection: TroveConnection, token: string): void {
    const cache = sessionCache();
    const key = sessionKey(connection);
    if (cache.get(key)?.done?.token === token) cache.delete(key);
}

/** Empties the process's session cache (tests that count logins start from none). */
export function forgetKeystoneSessions(): void {
    sessionCache().clear();
}

interface Session {
    readonly token: string;
    readonly endpoints: TroveEndpoints;
}

/**
 * Trove's management API for one connection. Every call times out and is retried when safe, as
 * the options say (defaults: 30 s per attempt, 4 attempts; see http-client.ts). The Keystone token
 * is shared with every other client of the same connection in the process (`keystoneSession`); a
 * 401 from Trove or Glance drops it and the call is made once more with a new one.
 */
export class TroveClient {
    constructor(private readonly connection: TroveConnection, private readonly options: TroveClientOptions = {}) {
        const problems = httpOptionsProblems(options);
        if (problems.length > 0) throw new Error(`TroveClient options: ${problems.join("; ")}`);
    }

    /** One call with this client's TLS settings, timeout and retries. */
    private call(url: string, init: HttpRequestInit): Promise<HttpResponse & { readonly attempts: number }> {
        return httpRequestWithRetries(url, init, this.connection, this.options);
    }

    /** Keystone's password login, scoped to the connection's project. */
    async login(): Promise<KeystoneSession> {
        const c = this.connection;
        const url = `${c.authUrl.replace(/\/+$/, "")}/auth/tokens`;
        const response = await this.call(url, {
            method: "POST",
            // Issuing a token changes nothing that lasts: safe to retry like a GET.
            idempotent: true,
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
        });
        const text = response.text;
        if (response.status !== 201) throw new TroveApiError("POST", url, response.status, text, response.attempts);
        const token = response.headers["x-subject-token"] as string | undefined;
        if (!token) throw new Error(`Keystone at ${c.authUrl} issued no token: its 201 answer to POST ${url} has no X-Subject-Token header`);
        const body = JSON.parse(text) as { token: { project: { id: string }; catalog: CatalogService[]; expires_at?: string } };
        // A token without a readable expiry is used for this run's first minutes only.
        const expiresAt = Date.parse(body.token.expires_at ?? "");
        return {
            token,
            projectId: body.token.project.id,
            catalog: body.token.catalog,
            expiresAt: Number.isNaN(expiresAt) ? Date.now() + TOKEN_REUSE_MARGIN_MS + 10 * 60_000 : expiresAt,
        };
    }

    /** The connection's Keystone session (shared, see keystoneSession). */
    session(): Promise<KeystoneSession> {
        return keystoneSession(this.connection, () => this.login());
    }

    private async authenticate(): Promise<Session> {
        const s = await this.session();
        return { token: s.token, endpoints: troveEndpoints(s.catalog, s.projectId, this.connection) };
    }

    /**
     * A call with the session's token; when the token is refused (401: expired early or revoked),
     * the session is dropped and the call made once more with a new login.
     */
    private async withToken(url: (session: Session) => string, init: (token: string) => HttpRequestInit): Promise<{ url: string; response: HttpResponse & { readonly attempts: number } }> {
        for (let attempt = 1; ; attempt++) {
            const session = await this.authenticate();
            const target = url(session);
            const response = await this.call(target, init(session.token));
            if (response.status !== 401 || attempt === 2) return { url: target, response };
            forgetKeystoneSession(this.connection, session.token);
        }
    }

    async request<T>(method: string, path: string, body?: unknown, okStatuses: number[] = [200, 202, 204]): Promise<T | undefined> {
        const { url, response } = await this.withToken((session) => `${session.endpoints.database}${path}`, (token) => ({
            method,
            headers: { "X-Auth-Token": token, "Content-Type": "application/json", Accept: "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
        }));
        const text = response.text;
        if (!okStatuses.includes(response.status)) throw new TroveApiError(method, url, response.status, text, response.attempts);
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
        if (!(await this.authenticate()).endpoints.image) return undefined;
        const query = [...tags.map((t) => `tag=${encodeURIComponent(t)}`), "status=active"].join("&");
        const { url, response } = await this.withToken((session) => {
            const image = session.endpoints.image!;
            return `${image}${/\/v2$/.test(image) ? "" : "/v2"}/images?${query}`;
        }, (token) => ({ method: "GET", headers: { "X-Auth-Token": token, Accept: "application/json" } }));
        if (response.status !== 200) throw new TroveApiError("GET", url, response.status, response.text, response.attempts);
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
        try {
            await this.request("POST", "/mgmt/datastore-versions", createVersionBody(fields));
        } catch (e) {
            // Not retried (see shouldRetry): say what may have happened, and what to do about it.
            if (e instanceof Error && e.name === "HttpTransportError" && (e as { reachedServer?: boolean }).reachedServer) {
                throw new Error(`${e.message}. Trove may have created datastore version ${fields.datastore} ${fields.name} all the same: ` +
                    `look for it with \`openstack datastore version list ${fields.datastore}\` and delete it before running pulumi up again, ` +
                    "or Trove will refuse the duplicate", { cause: e });
            }
            throw e;
        }
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
