/**
 * What a Docker registry (the Registry HTTP API v2, as registry:2, Harbor and the clouds' registries
 * speak it) holds under a tag, asked the way `docker pull` asks: basic credentials, or the bearer
 * token a registry's `WWW-Authenticate` challenge points to. Used inside dynamic providers, whose
 * code Pulumi serializes: Node's modules only, loaded where used.
 */
import { httpRequestWithRetries, HttpResponse, TlsOptions } from "./http-client";

/** Every manifest kind an engine may push; a registry answers 404 to a kind the client does not accept. */
export const MANIFEST_MEDIA_TYPES = [
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
] as const;

export interface RegistryAccess extends TlsOptions {
    /** host:port, no scheme. */
    readonly address: string;
    /**
     * Plain HTTP (an insecure registry, as Docker's `insecure-registries`); otherwise HTTPS, and
     * `insecure` there means an unverified certificate. @default false
     */
    readonly plainHttp?: boolean;
    readonly username?: string;
    readonly password?: string;
}

/** The parts of a `WWW-Authenticate: Bearer realm="...",service="...",scope="..."` challenge. Exported for testing. */
export function parseBearerChallenge(header: string | undefined): Record<string, string> | undefined {
    if (header === undefined || !/^Bearer\s/i.test(header)) return undefined;
    const fields: Record<string, string> = {};
    for (const m of header.replace(/^Bearer\s+/i, "").matchAll(/([A-Za-z]+)="([^"]*)"/g)) fields[m[1].toLowerCase()] = m[2];
    return fields.realm ? fields : undefined;
}

function first(value: string | string[] | undefined): string | undefined {
    return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether `<repository>:<tag>` exists in the registry: true (200), false (404). Anything else (a
 * refused login, a registry that is down) throws, naming the registry and the answer.
 */
export async function tagExists(access: RegistryAccess, repository: string, tag: string): Promise<boolean> {
    const base = `${access.plainHttp ? "http" : "https"}://${access.address}`;
    const url = `${base}/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
    const tls = { cacert: access.cacert, insecure: access.insecure };
    const basic = access.username !== undefined
        ? `Basic ${Buffer.from(`${access.username}:${access.password ?? ""}`).toString("base64")}`
        : undefined;
    const head = (authorization: string | undefined): Promise<HttpResponse> => httpRequestWithRetries(url, {
        method: "HEAD",
        headers: { Accept: MANIFEST_MEDIA_TYPES.join(", "), ...(authorization ? { Authorization: authorization } : {}) },
    }, tls);
    let answer = await head(basic);
    const challenge = answer.status === 401 ? parseBearerChallenge(first(answer.headers["www-authenticate"])) : undefined;
    if (challenge) {
        // A token registry: trade the credentials (or nothing, for anonymous pulls) for a pull token.
        const tokenUrl = new URL(challenge.realm);
        if (challenge.service) tokenUrl.searchParams.set("service", challenge.service);
        tokenUrl.searchParams.set("scope", `repository:${repository}:pull`);
        const token = await httpRequestWithRetries(tokenUrl.toString(), { method: "GET", headers: basic ? { Authorization: basic } : {} }, tls);
        if (token.status !== 200) throw new Error(`registry ${access.address}: the token service ${challenge.realm} answered ${token.status} for ${repository}; check the registry credentials`);
        const body = JSON.parse(token.text) as { token?: string; access_token?: string };
        answer = await head(`Bearer ${body.token ?? body.access_token ?? ""}`);
    }
    if (answer.status === 200) return true;
    if (answer.status === 404) return false;
    if (answer.status === 401 || answer.status === 403) {
        throw new Error(`registry ${access.address} refused to show ${repository}:${tag} (${answer.status}); check the registry credentials`);
    }
    throw new Error(`registry ${access.address}: HEAD ${repository}:${tag} answered ${answer.status}`);
}
