/**
 * A minimal OpenStack REST client for the real tests: checks what the stack created through the
 * services' own APIs, not through Pulumi's state. Credentials come from the OS_* variables that
 * `scripts/devcloud.sh env` prints.
 */
export interface CatalogEntry {
    type: string;
    endpoints: { interface: string; region: string; url: string }[];
}

export class OpenStackApi {
    private constructor(readonly token: string, readonly projectId: string, private readonly catalog: CatalogEntry[]) {}

    static async login(env: Record<string, string | undefined> = process.env): Promise<OpenStackApi> {
        const need = (k: string): string => {
            const v = env[k];
            if (!v) throw new Error(`${k} is not set; run with the variables of scripts/devcloud.sh env`);
            return v;
        };
        const response = await fetch(`${need("OS_AUTH_URL").replace(/\/+$/, "")}/auth/tokens`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({
                auth: {
                    identity: { methods: ["password"], password: { user: { name: need("OS_USERNAME"), domain: { name: env.OS_USER_DOMAIN_NAME ?? "Default" }, password: need("OS_PASSWORD") } } },
                    scope: { project: { name: need("OS_PROJECT_NAME"), domain: { name: env.OS_PROJECT_DOMAIN_NAME ?? "Default" } } },
                },
            }),
        });
        if (response.status !== 201) throw new Error(`Keystone refused the login: ${response.status} ${await response.text()}`);
        const body = (await response.json()) as { token: { project: { id: string }; catalog: CatalogEntry[] } };
        return new OpenStackApi(response.headers.get("x-subject-token")!, body.token.project.id, body.token.catalog);
    }

    endpoint(type: string): string {
        const entry = this.catalog.find((c) => c.type === type);
        const url = entry?.endpoints.find((e) => e.interface === "public")?.url;
        if (!url) throw new Error(`no public ${type} endpoint in the catalog`);
        return url.replace(/%\((tenant_id|project_id)\)s/g, this.projectId).replace(/\/+$/, "");
    }

    async get<T>(type: string, path: string, headers: Record<string, string> = {}): Promise<T> {
        return (await this.request<T>("GET", type, path, undefined, headers))!;
    }

    /** One call; JSON bodies are encoded, Buffers sent as they are. Answers the parsed JSON, if any. */
    async request<T>(method: string, type: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T | undefined> {
        const url = `${this.endpoint(type)}${path}`;
        const binary = Buffer.isBuffer(body);
        const response = await fetch(url, {
            method,
            headers: {
                "X-Auth-Token": this.token,
                Accept: "application/json",
                ...(body === undefined ? {} : { "Content-Type": binary ? "application/octet-stream" : "application/json" }),
                ...headers,
            },
            body: body === undefined ? undefined : binary ? (body as Buffer) : JSON.stringify(body),
        });
        const text = await response.text();
        if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
        return text ? (JSON.parse(text) as T) : undefined;
    }

    /** A private image owned by the caller's project, with these tags, holding `content`. */
    async createImage(name: string, tags: string[], content: Buffer): Promise<string> {
        const image = await this.request<{ id: string }>("POST", "image", "/v2/images", {
            name, tags, visibility: "private", disk_format: "qcow2", container_format: "bare",
        });
        await this.request("PUT", "image", `/v2/images/${image!.id}/file`, content);
        return image!.id;
    }
}
