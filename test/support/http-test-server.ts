// Real HTTP servers on 127.0.0.1 for the transport's tests: each records the connections it
// accepted and the requests it read, and plays a scripted part (drop, stall, answer).
import * as http from "http";
import * as net from "net";

export interface SeenRequest {
    readonly method: string;
    readonly url: string;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: string;
}

export interface TestServer {
    /** http://127.0.0.1:<port>, no trailing slash. */
    readonly base: string;
    readonly port: number;
    /** Every request read in full, in order. */
    readonly seen: SeenRequest[];
    /** Connections accepted, those dropped on arrival included. */
    connections(): number;
    close(): Promise<void>;
}

export interface TestServerScript {
    /**
     * Called for each request once its body is read; `n` counts requests from 1. Leave `res`
     * alone to never answer; `req.socket.destroy()` to reset the connection.
     */
    readonly handle: (req: http.IncomingMessage, res: http.ServerResponse, n: number, body: string) => void;
    /** Connections (counted from 1) destroyed as soon as they are accepted, before any request. */
    readonly dropConnections?: readonly number[];
    /** Listen on this port. @default any free one */
    readonly port?: number;
}

export async function startServer(script: TestServerScript): Promise<TestServer> {
    const seen: SeenRequest[] = [];
    let connections = 0;
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
            script.handle(req, res, seen.length, body);
        });
    });
    server.on("connection", (socket: net.Socket) => {
        connections += 1;
        if (script.dropConnections?.includes(connections)) socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(script.port ?? 0, "127.0.0.1", () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    return {
        base: `http://127.0.0.1:${port}`,
        port,
        seen,
        connections: () => connections,
        close: () => new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

/** A port nothing listens on (taken, then released). */
export async function freePort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", () => resolve()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
}

/** A sleep that waits for nothing and records what it was asked to wait. */
export function recordingSleep(): { readonly delays: number[]; readonly sleep: (ms: number) => Promise<void> } {
    const delays: number[] = [];
    return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(JSON.stringify(body));
}
