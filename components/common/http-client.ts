/**
 * The transport under the Trove and registry clients: one HTTP(S) call with a timeout, and the same call retried
 * with backoff when that is safe. Used inside dynamic providers, whose code Pulumi serializes: it
 * depends on nothing but Node's own modules, loaded inside the functions that use them, and its
 * errors carry plain fields (checked by shape, not `instanceof`) so a serialized copy behaves alike.
 *
 * Worst case, one call with retries takes `attempts × timeoutMs + (attempts − 1) × maxDelayMs`:
 * with the defaults 4 × 30 s + 3 × 10 s = 150 s.
 */

/** Per attempt: connecting, sending, and reading the whole answer. */
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;
/** Attempts in all, the first included. */
export const DEFAULT_HTTP_ATTEMPTS = 4;
/** The first backoff; each next one doubles, capped at the max delay. */
export const DEFAULT_RETRY_BASE_DELAY_MS = 500;
/** The longest wait between two attempts, a server's Retry-After included. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 10_000;

/** Methods whose repetition has the effect of one call, so a retry cannot do harm. */
const IDEMPOTENT_METHODS = ["GET", "HEAD", "PUT", "DELETE"];
/** Gateway answers: the service behind was away or busy; another attempt may find it back. */
const RETRY_STATUSES = [502, 503, 504];
/** Connection failures worth another attempt; "socket hang up" comes as ECONNRESET. */
const RETRY_CODES = ["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"];

/** How to trust an HTTPS server: a CA bundle (PEM), or no verification at all. */
export interface TlsOptions {
    readonly cacert?: string;
    readonly insecure?: boolean;
}

export interface HttpResponse {
    readonly status: number;
    readonly headers: Record<string, string | string[] | undefined>;
    readonly text: string;
}

export interface HttpRequestInit {
    readonly method: string;
    readonly headers: Record<string, string>;
    readonly body?: string;
    /**
     * Whether repeating the call is harmless, whatever its method (Keystone's POST /auth/tokens is).
     * @default true for GET, HEAD, PUT and DELETE; false otherwise (POST, PATCH)
     */
    readonly idempotent?: boolean;
}

export interface HttpCallOptions {
    /**
     * How long one attempt may take, from connecting to the answer's last byte, in milliseconds.
     * @default DEFAULT_HTTP_TIMEOUT_MS (30 s)
     */
    readonly timeoutMs?: number;
}

export interface HttpRetryOptions extends HttpCallOptions {
    /** Attempts in all, the first included; 1 turns retries off. @default DEFAULT_HTTP_ATTEMPTS (4) */
    readonly attempts?: number;
    /** The wait before the second attempt; doubled for each next one, with jitter. @default DEFAULT_RETRY_BASE_DELAY_MS (500 ms) */
    readonly baseDelayMs?: number;
    /** The longest wait between two attempts, a Retry-After included. @default DEFAULT_RETRY_MAX_DELAY_MS (10 s) */
    readonly maxDelayMs?: number;
    /** How to wait; tests pass one that records. @default a timer */
    readonly sleep?: (ms: number) => Promise<void>;
    /** A number in [0, 1) for the jitter. @default Math.random */
    readonly random?: () => number;
}

/** Every problem with the options, each naming the setting, the value given and what it must be. */
export function httpOptionsProblems(options: HttpRetryOptions): string[] {
    const problems: string[] = [];
    const positive = (name: string, value: number | undefined, integer: boolean) => {
        if (value === undefined) return;
        if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
            problems.push(`${name} is ${value}; it must be a positive ${integer ? "whole number" : "number"}`);
        }
    };
    positive("timeoutMs", options.timeoutMs, false);
    positive("attempts", options.attempts, true);
    if (options.baseDelayMs !== undefined && !(Number.isFinite(options.baseDelayMs) && options.baseDelayMs >= 0)) {
        problems.push(`baseDelayMs is ${options.baseDelayMs}; it must be a number of milliseconds, 0 or more`);
    }
    if (options.maxDelayMs !== undefined && !(Number.isFinite(options.maxDelayMs) && options.maxDelayMs >= 0)) {
        problems.push(`maxDelayMs is ${options.maxDelayMs}; it must be a number of milliseconds, 0 or more`);
    }
    return problems;
}

/**
 * A call that got no complete answer: refused, reset, timed out, or a TLS failure. `reachedServer`
 * is false only when no connection was ever made, so the server cannot have seen the request.
 */
export class HttpTransportError extends Error {
    constructor(
        readonly method: string,
        readonly url: string,
        /** What went wrong, in Node's words or the timeout's. */
        readonly detail: string,
        /** Node's error code (ECONNRESET, ECONNREFUSED, ...); ETIMEDOUT for this client's own timeout. */
        readonly code: string | undefined,
        readonly reachedServer: boolean,
        readonly timedOut: boolean,
        /** How many attempts were made, this one included. */
        readonly attempts = 1,
        /** Why it was not retried, when it could have been but was not. */
        readonly notRetried?: string,
    ) {
        const what = `${detail}${code && !detail.includes(code) ? ` (${code})` : ""}`;
        const message = attempts > 1
            ? `${method} ${url} failed after ${attempts} attempts; the last: ${what}`
            : `${method} ${url}: ${what}${notRetried ? `; not retried: ${notRetried}` : ""}`;
        super(message);
        // Set again: a serialized copy of this class does not get `message` from Error's constructor.
        this.message = message;
        this.name = "HttpTransportError";
    }
}

function isTransportError(e: unknown): e is HttpTransportError {
    return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "HttpTransportError"
        && typeof (e as { reachedServer?: unknown }).reachedServer === "boolean";
}

/**
 * One HTTP(S) call with the connection's TLS settings (fetch cannot take a CA bundle per call), a
 * fresh connection each time (a kept-alive socket the server closed would fail a POST that cannot
 * be retried), and a timeout over the whole call. Any status is an answer; a call with no complete
 * answer rejects with an HttpTransportError. Modules are loaded inside: dynamic providers run a
 * serialized copy of this function.
 */
export async function httpRequest(
    url: string,
    init: HttpRequestInit,
    tls: TlsOptions = {},
    options: HttpCallOptions = {},
): Promise<HttpResponse> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    const target = new URL(url);
    const transport = target.protocol === "https:" ? await import("https") : await import("http");
    return new Promise((resolve, reject) => {
        // Declared before use, every one: Pulumi's closure serializer rejects a function whose
        // inner closures name a `const` declared further down.
        let settled = false;
        let connected = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const fail = (e: Error & { code?: string }, timedOut = false) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            const code = timedOut ? "ETIMEDOUT" : e.code ?? (/socket hang up/i.test(e.message) ? "ECONNRESET" : undefined);
            reject(new HttpTransportError(init.method, url, e.message, code, connected, timedOut));
        };
        const succeed = (response: HttpResponse) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve(response);
        };
        const request = transport.request(target, {
            method: init.method,
            headers: init.body === undefined ? init.headers : { ...init.headers, "Content-Length": Buffer.byteLength(init.body) },
            agent: false,
            ...(target.protocol === "https:" ? { ca: tls.cacert, rejectUnauthorized: !tls.insecure } : {}),
        }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => succeed({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") }));
            response.on("error", (e: Error) => fail(e));
            response.on("close", () => {
                if (!response.complete) fail(Object.assign(new Error("the connection closed before the whole answer arrived"), { code: "ECONNRESET" }));
            });
        });
        timer = setTimeout(() => {
            fail(new Error(`no complete answer within the timeout of ${timeoutMs} ms`), true);
            request.destroy();
        }, timeoutMs);
        request.on("socket", (socket) => {
            if (!socket.connecting) connected = true;
            else socket.once("connect", () => (connected = true));
        });
        request.on("error", (e: Error) => fail(e));
        request.end(init.body);
    });
}

/**
 * Whether a failed attempt may be made again. A gateway status (502, 503, 504) or a connection
 * failure is retried for an idempotent call; a call that is not idempotent (a POST that creates)
 * only when its connection was refused before it was made, since otherwise the server may have
 * acted on it. Any other status (4xx included) and any other error (TLS, DNS) is final.
 */
export function shouldRetry(
    init: Pick<HttpRequestInit, "method" | "idempotent">,
    outcome: { readonly status: number } | Pick<HttpTransportError, "code" | "reachedServer">,
): boolean {
    const idempotent = init.idempotent ?? IDEMPOTENT_METHODS.includes(init.method.toUpperCase());
    if ("status" in outcome) return idempotent && RETRY_STATUSES.includes(outcome.status);
    if (outcome.code === undefined || !RETRY_CODES.includes(outcome.code)) return false;
    return idempotent || (outcome.code === "ECONNREFUSED" && !outcome.reachedServer);
}

/** A Retry-After given in seconds, in milliseconds; undefined when absent or an HTTP date. */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
    const value = Array.isArray(header) ? header[0] : header;
    return value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : undefined;
}

/**
 * The wait after failed attempt `attempt` (1 for the first): the server's Retry-After when it gave
 * one in seconds, else base × 2^(attempt − 1) with "equal jitter" (between half and all of it);
 * never more than maxDelayMs.
 */
export function retryDelayMs(attempt: number, retryAfter: number | undefined, options: HttpRetryOptions = {}): number {
    const max = options.maxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS;
    if (retryAfter !== undefined) return Math.min(retryAfter, max);
    const full = Math.min(max, (options.baseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS) * 2 ** (attempt - 1));
    return Math.round(full / 2 + (options.random ?? Math.random)() * (full / 2));
}

/**
 * httpRequest, retried as `shouldRetry` allows, waiting `retryDelayMs` between attempts. Resolves
 * with the last answer (a 503 too, once the attempts are spent) and how many attempts it took;
 * rejects with an HttpTransportError that counts the attempts and names the last cause.
 */
export async function httpRequestWithRetries(
    url: string,
    init: HttpRequestInit,
    tls: TlsOptions = {},
    options: HttpRetryOptions = {},
): Promise<HttpResponse & { readonly attempts: number }> {
    const problems = httpOptionsProblems(options);
    if (problems.length > 0) throw new Error(`invalid HTTP client options: ${problems.join("; ")}`);
    const attempts = options.attempts ?? DEFAULT_HTTP_ATTEMPTS;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 1; ; attempt++) {
        let response: HttpResponse;
        try {
            response = await httpRequest(url, init, tls, options);
        } catch (e) {
            if (!isTransportError(e)) throw e;
            if (attempt < attempts && shouldRetry(init, e)) {
                await sleep(retryDelayMs(attempt, undefined, options));
                continue;
            }
            // A connection failure an idempotent call would have retried: say why this one was not.
            const notRetried = attempts > 1 && attempt === 1 && RETRY_CODES.includes(e.code ?? "")
                ? (e.reachedServer
                    ? `${init.method} is not idempotent and the request reached the server, which may have acted on it; check before trying again`
                    : `a ${init.method} is retried only when its connection is refused`)
                : undefined;
            throw new HttpTransportError(e.method, e.url, e.detail, e.code, e.reachedServer, e.timedOut, attempt, notRetried);
        }
        if (attempt < attempts && shouldRetry(init, response)) {
            await sleep(retryDelayMs(attempt, retryAfterMs(response.headers["retry-after"]), options));
            continue;
        }
        return { ...response, attempts: attempt };
    }
}
