// The Trove client as a dependable HTTP client, against a real server on 127.0.0.1 that plays
// Keystone and Trove and misbehaves as each test says; last, the same client as Pulumi serializes it
// for a dynamic provider, run in a separate Node process.
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { promisify } from "util";
import * as pulumi from "@pulumi/pulumi";
import { DatastoreVersionFields, forgetKeystoneSessions, TOKEN_REUSE_MARGIN_MS, TroveApiError, TroveClient, TroveClientOptions } from "../../components/datastores/trove-api";
import { TroveConnection } from "../../components/model/connection";
import { json, recordingSleep, startServer, TestServer } from "../support/http-test-server";
import { tempDir } from "../tmp";

// The project allows 20 minutes a test (for the real ones); a broken timeout here should fail fast.
jest.setTimeout(5_000);

const fields: DatastoreVersionFields = {
    datastore: "mysql", name: "5.7.29", manager: "mysql", versionNumber: "5.7.29",
    image: "img-1", packages: [], active: true, default: true,
};
const version = { id: "v1", name: "5.7.29", datastore_id: "d1", datastore_name: "mysql", datastore_manager: "mysql", image: "img-1", image_tags: [], packages: [], active: true, default: true, version: "5.7.29" };

/** What Trove does with a request, or undefined to answer as a healthy Trove would. */
type Misbehaviour = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => boolean;

let server: TestServer;
let misbehave: Misbehaviour = () => false;
/** Keystone's answer: the token's expiry (none: the client assumes a short life), and how many it issued. */
let tokenExpiresAt: string | undefined;
let logins = 0;

beforeAll(async () => {
    server = await startServer({
        handle: (req, res, n) => {
            if (misbehave(req, res, n)) return;
            if (req.method === "POST" && req.url === "/v3/auth/tokens") {
                logins++;
                json(res, 201, { token: { project: { id: "p1" }, expires_at: tokenExpiresAt, catalog: [{ type: "database", endpoints: [{ interface: "public", region: "RegionOne", url: `${server.base}/v1.0/%(tenant_id)s` }] }] } }, { "X-Subject-Token": `tok${logins}` });
            } else if (req.method === "GET" && req.url === "/v1.0/p1/mgmt/datastore-versions") {
                json(res, 200, { versions: [version] });
            } else {
                json(res, 404, { itemNotFound: { message: "Datastore version cannot be found" } });
            }
        },
    });
});

afterAll(() => server.close());

beforeEach(() => {
    server.seen.length = 0;
    misbehave = () => false;
    tokenExpiresAt = undefined;
    logins = 0;
    // Every test counts its own logins.
    forgetKeystoneSessions();
});

const connection: () => TroveConnection = () => ({ authUrl: `${server.base}/v3`, username: "trove", password: "pw", projectName: "service" });
const seen = () => server.seen.map((r) => `${r.method} ${r.url}`);
const fast = (options: TroveClientOptions = {}): TroveClientOptions => ({ baseDelayMs: 1, maxDelayMs: 5, ...options });

describe("TroveClient retries what is safe to retry", () => {
    test("a 503 from Keystone and a reset from Trove are retried; the listing arrives", async () => {
        misbehave = (req, res, n) => {
            // 1: Keystone's first answer; 2: its second, healthy; 3: Trove's first.
            if (n === 1) json(res, 503, {}, { "Retry-After": "1" });
            else if (n === 3) req.socket.destroy();
            return n === 1 || n === 3;
        };
        const { delays, sleep } = recordingSleep();
        expect(await new TroveClient(connection(), { ...fast(), sleep }).listVersions()).toEqual([version]);
        expect(seen()).toEqual(["POST /v3/auth/tokens", "POST /v3/auth/tokens", "GET /v1.0/p1/mgmt/datastore-versions", "GET /v1.0/p1/mgmt/datastore-versions"]);
        // Retry-After: 1 asked for 1 s; maxDelayMs caps it at 5 ms.
        expect(delays).toEqual([5, expect.any(Number)]);
    });

    test("a create whose connection is reset after Trove read it is not retried: one POST, and a clear error", async () => {
        misbehave = (req) => req.method === "POST" && req.url === "/v1.0/p1/mgmt/datastore-versions" && (req.socket.destroy(), true);
        const create = new TroveClient(connection(), fast()).createVersion(fields);
        await expect(create).rejects.toThrow(
            /^POST http:\/\/127\.0\.0\.1:\d+\/v1\.0\/p1\/mgmt\/datastore-versions: .*\(ECONNRESET\); not retried: POST is not idempotent and the request reached the server, which may have acted on it.*\. Trove may have created datastore version mysql 5\.7\.29 all the same: look for it with `openstack datastore version list mysql`/);
        expect(seen()).toEqual(["POST /v3/auth/tokens", "POST /v1.0/p1/mgmt/datastore-versions"]);
        expect(JSON.parse(server.seen[1].body)).toMatchObject({ version: { name: "5.7.29", image: "img-1" } });
    });

    test("a 409 to a create is Trove's answer, not retried", async () => {
        misbehave = (req, res) => req.method === "POST" && req.url !== "/v3/auth/tokens"
            && (json(res, 409, { conflict: { message: "Datastore version 5.7.29 already exists" } }), true);
        const create = new TroveClient(connection(), fast()).createVersion(fields);
        await expect(create).rejects.toBeInstanceOf(TroveApiError);
        await expect(create).rejects.toThrow(/^Trove answered 409 to POST .*\/mgmt\/datastore-versions: Datastore version 5\.7\.29 already exists$/);
        expect(seen().filter((r) => r.startsWith("POST /v1.0"))).toHaveLength(1);
    });

    test("a 404 is not retried: the version is gone", async () => {
        expect(await new TroveClient(connection(), fast()).getVersion("gone")).toBeUndefined();
        expect(seen()).toEqual(["POST /v3/auth/tokens", "GET /v1.0/p1/mgmt/datastore-versions/gone"]);
    });

    test("503 to the end: Trove's error says how many attempts were made", async () => {
        misbehave = (req, res) => req.method === "GET" && (json(res, 503, { serviceUnavailable: { message: "Trove is restarting" } }), true);
        await expect(new TroveClient(connection(), fast({ attempts: 3 })).listVersions())
            .rejects.toThrow(/^Trove answered 503 to GET http:\/\/127\.0\.0\.1:\d+\/v1\.0\/p1\/mgmt\/datastore-versions after 3 attempts: Trove is restarting$/);
        expect(seen().filter((r) => r.startsWith("GET"))).toHaveLength(3);
    });

    test("the client's timeoutMs bounds a call to a Trove that never answers", async () => {
        misbehave = (req) => req.method === "GET";
        const started = Date.now();
        await expect(new TroveClient(connection(), { timeoutMs: 200, attempts: 1 }).listVersions())
            .rejects.toThrow(/^GET http:\/\/127\.0\.0\.1:\d+\/v1\.0\/p1\/mgmt\/datastore-versions: no complete answer within the timeout of 200 ms/);
        expect(Date.now() - started).toBeLessThan(1500);
    });

    test("a failed login is not kept: the next call logs in again", async () => {
        misbehave = (_req, res, n) => n === 1 && (json(res, 401, { error: { message: "The request you have made requires authentication." } }), true);
        const client = new TroveClient(connection(), fast());
        await expect(client.listVersions()).rejects.toThrow(/^Trove answered 401 to POST .*\/v3\/auth\/tokens: The request you have made requires authentication\.$/);
        expect(await client.listVersions()).toEqual([version]);
        expect(seen()).toEqual(["POST /v3/auth/tokens", "POST /v3/auth/tokens", "GET /v1.0/p1/mgmt/datastore-versions"]);
    });

    test("bad options are refused when the client is made, every one named", () => {
        expect(() => new TroveClient(connection(), { timeoutMs: -5, attempts: 0 }))
            .toThrow("TroveClient options: timeoutMs is -5; it must be a positive number; attempts is 0; it must be a positive whole number");
    });
});

describe("one Keystone session per connection in the process", () => {
    const logins = (): number => seen().filter((r) => r === "POST /v3/auth/tokens").length;

    test("clients of the same connection share one token, also when they start together", async () => {
        await Promise.all([new TroveClient(connection(), fast()).listVersions(), new TroveClient(connection(), fast()).listVersions()]);
        expect(await new TroveClient(connection(), fast()).listVersions()).toEqual([version]);
        expect(logins()).toBe(1);
        expect(server.seen.filter((r) => r.url === "/v1.0/p1/mgmt/datastore-versions").map((r) => r.headers["x-auth-token"])).toEqual(["tok1", "tok1", "tok1"]);
    });

    test("another user, password or project is another session", async () => {
        await new TroveClient(connection(), fast()).listVersions();
        await new TroveClient({ ...connection(), password: "other" }, fast()).listVersions();
        await new TroveClient({ ...connection(), projectName: "admin" }, fast()).listVersions();
        await new TroveClient({ ...connection(), username: "admin" }, fast()).listVersions();
        expect(logins()).toBe(4);
    });

    test("a token that expires within the margin is not used: the next client logs in again", async () => {
        tokenExpiresAt = new Date(Date.now() + TOKEN_REUSE_MARGIN_MS - 1000).toISOString();
        await new TroveClient(connection(), fast()).listVersions();
        tokenExpiresAt = new Date(Date.now() + 3_600_000).toISOString();
        await new TroveClient(connection(), fast()).listVersions();
        await new TroveClient(connection(), fast()).listVersions();
        expect(logins()).toBe(2);
    });

    test("a token Trove refuses (401) is dropped: one new login and the call once more, then no loop", async () => {
        await new TroveClient(connection(), fast()).listVersions();
        misbehave = (req, res) => req.method === "GET" && req.headers["x-auth-token"] === "tok1"
            && (json(res, 401, { unauthorized: { message: "The request you have made requires authentication." } }), true);
        expect(await new TroveClient(connection(), fast()).listVersions()).toEqual([version]);
        expect(seen()).toEqual(["POST /v3/auth/tokens", "GET /v1.0/p1/mgmt/datastore-versions", "GET /v1.0/p1/mgmt/datastore-versions",
            "POST /v3/auth/tokens", "GET /v1.0/p1/mgmt/datastore-versions"]);
        // Refused every time: the client gives up after the second try, with Trove's answer.
        misbehave = (req, res) => req.method === "GET" && (json(res, 401, { unauthorized: { message: "Token revoked" } }), true);
        await expect(new TroveClient(connection(), fast()).listVersions()).rejects.toThrow(/^Trove answered 401 to GET .*: Token revoked$/);
        expect(logins()).toBe(3);
    });
});

test("the client as Pulumi serializes it for a dynamic provider retries too, in a process of its own", async () => {
    misbehave = (req, _res, n) => n === 2 && (req.socket.destroy(), true);
    // Like the providers: the client is made inside the function the engine serializes.
    const list = async (authUrl: string) => {
        const client = new TroveClient({ authUrl, username: "trove", password: "pw", projectName: "service" }, { baseDelayMs: 1 });
        return (await client.listVersions()).map((v) => v.id);
    };
    const serialized = await pulumi.runtime.serializeFunction(list);
    const file = path.join(tempDir("serialized"), "list.js");
    fs.writeFileSync(file, `${serialized.text}\nexports.${serialized.exportName}(process.argv[2]).then((ids) => console.log(JSON.stringify(ids)), (e) => { console.error(e.message); process.exit(1); });\n`);
    const { stdout } = await promisify(execFile)(process.execPath, [file, `${server.base}/v3`]);
    expect(JSON.parse(stdout)).toEqual(["v1"]);
    expect(seen()).toEqual(["POST /v3/auth/tokens", "GET /v1.0/p1/mgmt/datastore-versions", "GET /v1.0/p1/mgmt/datastore-versions"]);
});

test("two providers serialized apart (two resources) share one login in the provider host's process", async () => {
    // The dynamic-provider host deserializes each resource's provider into its own module copies:
    // the session cache must live outside them.
    const list = async (authUrl: string) => (await new TroveClient({ authUrl, username: "trove", password: "pw", projectName: "service" }).listVersions()).map((v) => v.id);
    const get = async (authUrl: string) => (await new TroveClient({ authUrl, username: "trove", password: "pw", projectName: "service" }).getVersion("v1"))?.id;
    const dir = tempDir("serialized-two");
    for (const [name, f] of [["list", list], ["get", get]] as const) {
        const serialized = await pulumi.runtime.serializeFunction(f);
        fs.writeFileSync(path.join(dir, `${name}.js`), `${serialized.text}\nmodule.exports = exports.${serialized.exportName};\n`);
    }
    fs.writeFileSync(path.join(dir, "run.js"), `(async () => {
        const ids = await require("./list.js")(process.argv[2]);
        const one = await require("./get.js")(process.argv[2]);
        console.log(JSON.stringify([...ids, one]));
    })().catch((e) => { console.error(e.message); process.exit(1); });\n`);
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(dir, "run.js"), `${server.base}/v3`]);
    // This Trove answers 404 to a GET of one version: getVersion's undefined, null in JSON.
    expect(JSON.parse(stdout)).toEqual(["v1", null]);
    expect(seen()).toEqual(["POST /v3/auth/tokens", "GET /v1.0/p1/mgmt/datastore-versions", "GET /v1.0/p1/mgmt/datastore-versions/v1"]);
});
