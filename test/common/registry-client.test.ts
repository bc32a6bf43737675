import { parseBearerChallenge, tagExists } from "../../components/common/registry-client";
import { startServer, TestServer } from "../support/http-test-server";

let server: TestServer | undefined;
afterEach(async () => {
    await server?.close();
    server = undefined;
});

const address = (s: TestServer) => s.base.replace(/^http:\/\//, "");

describe("tagExists against a real HTTP server playing a registry", () => {
    test("HEAD /v2/<repo>/manifests/<tag> with every manifest type accepted: 200 is there, 404 is not", async () => {
        const headers: Record<string, string | undefined>[] = [];
        server = await startServer({
            handle: (req, res) => {
                headers.push({ accept: req.headers.accept, authorization: req.headers.authorization });
                res.writeHead(req.url === "/v2/trove-datastores/mariadb/manifests/11.8" && req.method === "HEAD" ? 200 : 404).end();
            },
        });
        const access = { address: address(server), plainHttp: true };
        expect(await tagExists(access, "trove-datastores/mariadb", "11.8")).toBe(true);
        expect(await tagExists(access, "trove-datastores/mariadb", "11.4")).toBe(false);
        expect(headers[0].accept).toContain("application/vnd.oci.image.index.v1+json");
        expect(headers[0].authorization).toBeUndefined();
    });

    test("basic credentials go with every call; a refusal names the registry and says to check them", async () => {
        const seen: (string | undefined)[] = [];
        server = await startServer({
            handle: (req, res) => {
                seen.push(req.headers.authorization);
                res.writeHead(req.headers.authorization === `Basic ${Buffer.from("guest:s3cret").toString("base64")}` ? 200 : 401).end();
            },
        });
        expect(await tagExists({ address: address(server), plainHttp: true, username: "guest", password: "s3cret" }, "r/x", "1")).toBe(true);
        await expect(tagExists({ address: address(server), plainHttp: true, username: "guest", password: "wrong" }, "r/x", "1"))
            .rejects.toThrow(`registry ${address(server)} refused to show r/x:1 (401); check the registry credentials`);
        expect(seen[0]).toMatch(/^Basic /);
    });

    test("a token registry: the challenge's realm trades the credentials for a pull token, which the HEAD then carries", async () => {
        const calls: string[] = [];
        server = await startServer({
            handle: (req, res) => {
                calls.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
                if (req.url?.startsWith("/token")) {
                    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: "t0k" }));
                } else if (req.headers.authorization === "Bearer t0k") {
                    res.writeHead(200).end();
                } else {
                    res.writeHead(401, { "www-authenticate": `Bearer realm="${server!.base}/token",service="harbor-registry"` }).end();
                }
            },
        });
        expect(await tagExists({ address: address(server), plainHttp: true, username: "u", password: "p" }, "trove/mysql", "8.4")).toBe(true);
        expect(calls[1]).toBe(`GET /token?service=harbor-registry&scope=repository%3Atrove%2Fmysql%3Apull Basic ${Buffer.from("u:p").toString("base64")}`);
        expect(calls[2]).toBe("HEAD /v2/trove/mysql/manifests/8.4 Bearer t0k");
    });

    test("any other answer is an error that names the registry and the status", async () => {
        server = await startServer({ handle: (_req, res) => res.writeHead(500).end() });
        await expect(tagExists({ address: address(server), plainHttp: true }, "r/x", "1")).rejects.toThrow(/registry 127\.0\.0\.1:\d+: HEAD r\/x:1 answered 500/);
    });
});

test("bearer challenges are parsed; anything else is no challenge", () => {
    expect(parseBearerChallenge('Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"'))
        .toEqual({ realm: "https://auth.example/token", service: "registry", scope: "repository:a:pull" });
    expect(parseBearerChallenge('Basic realm="Registry Realm"')).toBeUndefined();
    expect(parseBearerChallenge(undefined)).toBeUndefined();
});
