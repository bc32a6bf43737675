import * as http from "http";

/** What a registry answered. */
export interface RegistryAnswer { status: number; headers: http.IncomingHttpHeaders; body: string }

/** Accept every manifest kind an engine may push, so the digest is the one Docker recorded. */
const MANIFEST_TYPES = [
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
].join(", ");

/** The Docker Registry HTTP API v2 of a registry on loopback, plain HTTP, optional basic auth. */
export class RegistryApi {
    constructor(private readonly address: string, private readonly auth?: { username: string; password: string }) {}

    request(method: string, urlPath: string, headers: Record<string, string> = {}, anonymous = false): Promise<RegistryAnswer> {
        const [host, port] = this.address.split(":");
        const auth = this.auth && !anonymous
            ? { Authorization: `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString("base64")}` }
            : {};
        return new Promise((resolve, reject) => {
            const req = http.request({ host, port: Number(port), method, path: urlPath, headers: { ...headers, ...auth } }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
            });
            req.on("error", reject);
            req.end();
        });
    }

    private async json<T>(urlPath: string): Promise<T> {
        const answer = await this.request("GET", urlPath);
        if (answer.status !== 200) throw new Error(`GET ${urlPath}: ${answer.status} ${answer.body}`);
        return JSON.parse(answer.body) as T;
    }

    async catalog(): Promise<string[]> {
        return (await this.json<{ repositories: string[] | null }>("/v2/_catalog")).repositories ?? [];
    }

    async tags(repository: string): Promise<string[]> {
        return ((await this.json<{ tags: string[] | null }>(`/v2/${repository}/tags/list`)).tags ?? []).sort();
    }

    /** The manifest's digest (Docker-Content-Digest), or undefined when the tag does not exist. */
    async digest(repository: string, tag: string): Promise<string | undefined> {
        const answer = await this.request("HEAD", `/v2/${repository}/manifests/${tag}`, { Accept: MANIFEST_TYPES });
        if (answer.status === 404) return undefined;
        if (answer.status !== 200) throw new Error(`HEAD /v2/${repository}/manifests/${tag}: ${answer.status}`);
        return answer.headers["docker-content-digest"] as string;
    }
}
