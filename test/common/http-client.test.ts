// The transport under the Trove client: timeouts and retries, first as pure rules, then against real
// servers on 127.0.0.1 that drop connections, answer 503, reset a POST, or never answer.
import {
    DEFAULT_HTTP_ATTEMPTS, DEFAULT_HTTP_TIMEOUT_MS, DEFAULT_RETRY_BASE_DELAY_MS, DEFAULT_RETRY_MAX_DELAY_MS, httpOptionsProblems,
    httpRequest, httpRequestWithRetries, retryAfterMs, retryDelayMs, shouldRetry,
} from "../../components/common/http-client";
import { freePort, json, recordingSleep, startServer, TestServer } from "../support/http-test-server";

// The project allows 20 minutes a test (for the real ones); a broken timeout here should fail fast.
jest.setTimeout(5_000);

describe("the defaults", () => {
    test("30 s per attempt, 4 attempts, backoff from 500 ms capped at 10 s", () => {
        expect([DEFAULT_HTTP_TIMEOUT_MS, DEFAULT_HTTP_ATTEMPTS, DEFAULT_RETRY_BASE_DELAY_MS, DEFAULT_RETRY_MAX_DELAY_MS]).toEqual([30_000, 4, 500, 10_000]);
    });

    test("the waits of one call add up to at most (attempts - 1) x the max delay", () => {
        const waits = [1, 2, 3].map((attempt) => retryDelayMs(attempt, undefined, { random: () => 0.999999 }));
        expect(waits.every((w) => w <= DEFAULT_RETRY_MAX_DELAY_MS)).toBe(true);
        expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual((DEFAULT_HTTP_ATTEMPTS - 1) * DEFAULT_RETRY_MAX_DELAY_MS);
    });
});

describe("shouldRetry", () => {
    const transport = (code: string | undefined, reachedServer = true) => ({ code, reachedServer });
    test.each<[string, { method: string; idempotent?: boolean }, { status: number } | { code: string | undefined; reachedServer: boolean }, boolean]>([
        ["GET 503", { method: "GET" }, { status: 503 }, true],
        ["GET 502", { method: "GET" }, { status: 502 }, true],
        ["HEAD 504", { method: "HEAD" }, { status: 504 }, true],
        ["PUT 503", { method: "PUT" }, { status: 503 }, true],
        ["DELETE 503", { method: "delete" }, { status: 503 }, true],
        ["GET 500 is final", { method: "GET" }, { status: 500 }, false],
        ["GET 404 is final", { method: "GET" }, { status: 404 }, false],
        ["PUT 409 is final", { method: "PUT" }, { status: 409 }, false],
        ["GET 429 is final", { method: "GET" }, { status: 429 }, false],
        ["POST 503 is final", { method: "POST" }, { status: 503 }, false],
        ["PATCH 503 is final", { method: "PATCH" }, { status: 503 }, false],
        ["a POST marked idempotent, 503", { method: "POST", idempotent: true }, { status: 503 }, true],
        ["GET ECONNRESET", { method: "GET" }, transport("ECONNRESET"), true],
        ["GET ECONNREFUSED", { method: "GET" }, transport("ECONNREFUSED", false), true],
        ["PUT EPIPE", { method: "PUT" }, transport("EPIPE"), true],
        ["DELETE ETIMEDOUT (the timeout)", { method: "DELETE" }, transport("ETIMEDOUT"), true],
        ["GET with a TLS failure is final", { method: "GET" }, transport("DEPTH_ZERO_SELF_SIGNED_CERT"), false],
        ["GET with no code is final", { method: "GET" }, transport(undefined), false],
        ["GET marked not idempotent, ECONNRESET", { method: "GET", idempotent: false }, transport("ECONNRESET"), false],
        ["POST refused before connecting", { method: "POST" }, transport("ECONNREFUSED", false), true],
        ["POST refused after connecting (cannot prove it was not seen)", { method: "POST" }, transport("ECONNREFUSED", true), false],
        ["POST reset", { method: "POST" }, transport("ECONNRESET"), false],
        ["POST reset before connecting is still not a refusal", { method: "POST" }, transport("ECONNRESET", false), false],
        ["POST timed out", { method: "POST" }, transport("ETIMEDOUT"), false],
        ["PATCH reset", { method: "PATCH" }, transport("ECONNRESET"), false],
    ])("%s", (_label, init, outcome, expected) => {
        expect(shouldRetry(init, outcome)).toBe(expected);
    });
});

describe("retryAfterMs and retryDelayMs", () => {
    test.each<[string | string[] | undefined, number | undefined]>([
        ["2", 2000], [" 0 ", 0], [["3"], 3000], [undefined, undefined], ["1.5", undefined], ["-1", undefined],
        ["Wed, 21 Oct 2015 07:28:00 GMT", undefined],
    ])("Retry-After %p -> %p ms", (header, ms) => {
        expect(retryAfterMs(header)).toBe(ms);
    });

    test("doubles from the base, with jitter between half and all of it", () => {
        const options = { baseDelayMs: 100, maxDelayMs: 10_000 };
        expect([1, 2, 3, 4].map((a) => retryDelayMs(a, undefined, { ...options, random: () => 0 }))).toEqual([50, 100, 200, 400]);
        expect([1, 2, 3, 4].map((a) => retryDelayMs(a, undefined, { ...options, random: () => 0.999999 }))).toEqual([100, 200, 400, 800]);
    });

    test("never more than maxDelayMs, a Retry-After included", () => {
        expect(retryDelayMs(20, undefined, { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 })).toBe(1000);
        expect(retryDelayMs(1, 3_600_000, { maxDelayMs: 1000 })).toBe(1000);
        expect(retryDelayMs(1, 2000, { maxDelayMs: 10_000 })).toBe(2000);
    });
});

test("httpOptionsProblems names every bad option and its value", () => {
    expect(httpOptionsProblems({})).toEqual([]);
    expect(httpOptionsProblems({ timeoutMs: 0, attempts: 1.5, baseDelayMs: -1, maxDelayMs: Number.NaN })).toEqual([
        "timeoutMs is 0; it must be a positive number",
        "attempts is 1.5; it must be a positive whole number",
        "baseDelayMs is -1; it must be a number of milliseconds, 0 or more",
        "maxDelayMs is NaN; it must be a number of milliseconds, 0 or more",
    ]);
});

describe("against real servers", () => {
    let server: TestServer | undefined;
    afterEach(async () => {
        await server?.close();
        server = undefined;
    });

    test("a GET survives a dropped connection and two 503s (the second with Retry-After) and the server sees each attempt", async () => {
        server = await startServer({
            dropConnections: [1],
            handle: (_req, res, n) => {
                if (n === 1) json(res, 503, { error: "busy" });
                else if (n === 2) json(res, 503, { error: "busy" }, { "Retry-After": "2" });
                else json(res, 200, { ok: true });
            },
        });
        const { delays, sleep } = recordingSleep();
        const response = await httpRequestWithRetries(`${server.base}/thing`, { method: "GET", headers: {} }, {}, { baseDelayMs: 100, random: () => 0.5, sleep });
        expect(response.status).toBe(200);
        expect(JSON.parse(response.text)).toEqual({ ok: true });
        expect(response.attempts).toBe(4);
        expect(server.connections()).toBe(4);
        expect(server.seen.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /thing", "GET /thing", "GET /thing"]);
        // Backoff after the drop and the plain 503 (100 then 200, jitter at its middle), then the server's 2 s.
        expect(delays).toEqual([75, 150, 2000]);
    });

    test("the backoff really waits when no sleep is injected", async () => {
        server = await startServer({ handle: (_req, res, n) => json(res, n === 1 ? 503 : 200, {}) });
        const started = Date.now();
        const response = await httpRequestWithRetries(`${server.base}/x`, { method: "GET", headers: {} }, {}, { baseDelayMs: 200, random: () => 0.999999 });
        expect(response.status).toBe(200);
        expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    });

    test("503s to the end: the last answer, with the number of attempts", async () => {
        server = await startServer({ handle: (_req, res) => json(res, 503, {}) });
        const { delays, sleep } = recordingSleep();
        const response = await httpRequestWithRetries(`${server.base}/x`, { method: "DELETE", headers: {} }, {}, { attempts: 3, sleep });
        expect(response.status).toBe(503);
        expect(response.attempts).toBe(3);
        expect(server.seen).toHaveLength(3);
        expect(delays).toHaveLength(2);
    });

    test.each([404, 409, 500])("a %i is not retried", async (status) => {
        server = await startServer({ handle: (_req, res) => json(res, status, { itemNotFound: { message: "no" } }) });
        const { delays, sleep } = recordingSleep();
        const response = await httpRequestWithRetries(`${server.base}/x`, { method: "PUT", headers: {}, body: "{}" }, {}, { sleep });
        expect(response.status).toBe(status);
        expect(response.attempts).toBe(1);
        expect(server.seen).toHaveLength(1);
        expect(delays).toEqual([]);
    });

    test("a POST whose connection is reset after the server read it is not retried, and the error says why", async () => {
        server = await startServer({ handle: (req) => req.socket.destroy() });
        const { delays, sleep } = recordingSleep();
        const call = httpRequestWithRetries(`${server.base}/create`, { method: "POST", headers: {}, body: '{"version":{}}' }, {}, { sleep });
        await expect(call).rejects.toThrow(
            /^POST http:\/\/127\.0\.0\.1:\d+\/create: .*\(ECONNRESET\); not retried: POST is not idempotent and the request reached the server, which may have acted on it/);
        await expect(call).rejects.toMatchObject({ code: "ECONNRESET", reachedServer: true, attempts: 1 });
        expect(server.seen.map(({ method, url, body }) => ({ method, url, body }))).toEqual([{ method: "POST", url: "/create", body: '{"version":{}}' }]);
        expect(delays).toEqual([]);
    });

    test("a POST whose connection was refused is retried, since the server never saw it", async () => {
        const port = await freePort();
        let started: TestServer | undefined;
        const sleep = async () => {
            started ??= await startServer({ port, handle: (_req, res) => json(res, 202, {}) });
        };
        try {
            const response = await httpRequestWithRetries(`http://127.0.0.1:${port}/create`, { method: "POST", headers: {}, body: "{}" }, {}, { sleep });
            expect(response.status).toBe(202);
            expect(response.attempts).toBe(2);
            expect(started?.seen).toHaveLength(1);
        } finally {
            await started?.close();
        }
    });

    test("connections refused to the end: the error counts the attempts and names the last cause", async () => {
        const port = await freePort();
        const { delays, sleep } = recordingSleep();
        await expect(httpRequestWithRetries(`http://127.0.0.1:${port}/x`, { method: "POST", headers: {}, body: "{}" }, {}, { attempts: 3, sleep }))
            .rejects.toThrow(new RegExp(`^POST http://127\\.0\\.0\\.1:${port}/x failed after 3 attempts; the last: connect ECONNREFUSED`));
        expect(delays).toHaveLength(2);
    });

    test("a server that never answers: each attempt ends at the timeout, and the error names it", async () => {
        server = await startServer({ handle: () => undefined });
        const started = Date.now();
        await expect(httpRequestWithRetries(`${server.base}/slow`, { method: "GET", headers: {} }, {}, { timeoutMs: 200, attempts: 2, baseDelayMs: 1 }))
            .rejects.toThrow(/^GET http:\/\/127\.0\.0\.1:\d+\/slow failed after 2 attempts; the last: no complete answer within the timeout of 200 ms \(ETIMEDOUT\)$/);
        const elapsed = Date.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(400);
        expect(elapsed).toBeLessThan(2000);
        expect(server.seen).toHaveLength(2);
    });

    test("one call with no retries: the timeout in the message, and the call takes no longer", async () => {
        server = await startServer({ handle: () => undefined });
        const started = Date.now();
        await expect(httpRequest(`${server.base}/slow`, { method: "GET", headers: {} }, {}, { timeoutMs: 200 }))
            .rejects.toThrow(/^GET http:\/\/127\.0\.0\.1:\d+\/slow: no complete answer within the timeout of 200 ms \(ETIMEDOUT\)$/);
        expect(Date.now() - started).toBeLessThan(1000);
    });

    test("the timeout covers the whole answer: headers sent, body stalled", async () => {
        server = await startServer({
            handle: (_req, res) => {
                res.writeHead(200, { "Content-Type": "application/json" });
                res.write('{"versions": [');
            },
        });
        await expect(httpRequest(`${server.base}/partial`, { method: "GET", headers: {} }, {}, { timeoutMs: 200 }))
            .rejects.toMatchObject({ timedOut: true, message: expect.stringMatching(/timeout of 200 ms/) });
    });

    test("a POST that times out is not retried", async () => {
        server = await startServer({ handle: () => undefined });
        await expect(httpRequestWithRetries(`${server.base}/create`, { method: "POST", headers: {}, body: "{}" }, {}, { timeoutMs: 200, baseDelayMs: 1 }))
            .rejects.toThrow(/: no complete answer within the timeout of 200 ms \(ETIMEDOUT\); not retried: POST is not idempotent/);
        expect(server.seen).toHaveLength(1);
    });

    test("bad options fail before any call", async () => {
        server = await startServer({ handle: (_req, res) => json(res, 200, {}) });
        await expect(httpRequestWithRetries(`${server.base}/x`, { method: "GET", headers: {} }, {}, { attempts: 0 }))
            .rejects.toThrow("invalid HTTP client options: attempts is 0; it must be a positive whole number");
        expect(server.connections()).toBe(0);
    });
});
