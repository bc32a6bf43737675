// The Trove client over HTTPS with the connection's TLS settings, against a small HTTPS server on
// 127.0.0.1 that plays Keystone and Trove, with a certificate this test makes.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as path from "path";
import { TroveClient } from "../../components/datastores/trove-api";
import { TroveConnection } from "../../components/model/connection";
import { troveConnectionFrom } from "../../components/region/trove-connection";
import { valueOf } from "../mocks";
import { tempDir } from "../tmp";

const dir = tempDir("tls");
execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" });
const cert = fs.readFileSync(path.join(dir, "cert.pem"), "utf8");

let server: https.Server;
let base = "";
const seen: string[] = [];

beforeAll(async () => {
    server = https.createServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert }, (req, res) => {
        seen.push(`${req.method} ${req.url}`);
        if (req.url === "/v3/auth/tokens") {
            res.writeHead(201, { "X-Subject-Token": "tok", "Content-Type": "application/json" });
            res.end(JSON.stringify({ token: { project: { id: "p1" }, catalog: [{ type: "database", endpoints: [{ interface: "public", region: "RegionOne", url: `${base}/v1.0/%(tenant_id)s` }] }] } }));
        } else if (req.url === "/v1.0/p1/mgmt/datastore-versions" && req.headers["x-auth-token"] === "tok") {
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ versions: [{ id: "v1", name: "5.7.29" }] }));
        } else {
            res.writeHead(404);
            res.end();
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const connection = (tls: Partial<TroveConnection>): TroveConnection =>
    ({ authUrl: `${base}/v3`, username: "trove", password: "pw", projectName: "service", ...tls });

describe("the Trove client over HTTPS", () => {
    test("an untrusted certificate is refused", async () => {
        await expect(new TroveClient(connection({})).listVersions()).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    });

    test("the connection's CA bundle is trusted: Keystone, then Trove through the catalog", async () => {
        seen.length = 0;
        expect(await new TroveClient(connection({ cacert: cert })).listVersions()).toEqual([{ id: "v1", name: "5.7.29" }]);
        expect(seen).toEqual(["POST /v3/auth/tokens", "GET /v1.0/p1/mgmt/datastore-versions"]);
    });

    test("insecure skips verification, as the provider's insecure does", async () => {
        expect(await new TroveClient(connection({ insecure: true })).listVersions()).toHaveLength(1);
    });

    test("the provider's cacertFile and insecure settings reach the connection", async () => {
        const file = path.join(dir, "cert.pem");
        const config = { get: (k: string) => ({ authUrl: `${base}/v3`, userName: "trove", tenantName: "service", cacertFile: file, insecure: "false" } as Record<string, string>)[k], getSecret: () => undefined };
        const { connection: c, missing } = troveConnectionFrom(config, { OS_PASSWORD: "pw" });
        expect(missing).toEqual([]);
        const resolved = await valueOf(c);
        expect(resolved.cacert).toBe(cert);
        expect(resolved.insecure).toBeUndefined();
        const bad = troveConnectionFrom({ ...config, get: (k: string) => (k === "cacertFile" ? "/nonexistent.pem" : config.get(k)) }, { OS_PASSWORD: "pw" });
        expect(bad.missing).toContainEqual(expect.stringMatching(/cacertFile \(or OS_CACERT\) names \/nonexistent.pem, which does not exist/));
    });
});
