import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * A Docker engine of the test's own: Debian's dockerd on a unix socket in a fresh directory, with
 * the flags this machine allows (vfs, no iptables, no bridge: containers use host networking). No
 * public registry is reachable, so the images the tests need are made here from local files.
 */
export class DockerEngine {
    /** `unix://…/docker.sock`, for DOCKER_HOST and the docker provider's `host`. */
    public readonly host: string;
    private constructor(private readonly dir: string, private readonly daemon: ChildProcess) {
        this.host = `unix://${path.join(dir, "docker.sock")}`;
    }

    /** Starts dockerd and waits until it answers. */
    static async start(): Promise<DockerEngine> {
        if (!fs.existsSync("/usr/sbin/dockerd")) {
            throw new Error("no /usr/sbin/dockerd: run the real suite through `npm test`, which installs docker.io (scripts/lib.sh ensure_docker_tools)");
        }
        // Short paths: containerd's sockets live under the exec root and unix socket paths are
        // limited to 108 bytes.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tdk-"));
        const log = fs.openSync(path.join(dir, "dockerd.log"), "a");
        const daemon = spawn("/usr/sbin/dockerd", [
            "--storage-driver=vfs", "--iptables=false", "--ip6tables=false", "--bridge=none",
            `--host=unix://${path.join(dir, "docker.sock")}`,
            `--data-root=${path.join(dir, "root")}`, `--exec-root=${path.join(dir, "exec")}`,
            `--pidfile=${path.join(dir, "docker.pid")}`,
        ], { detached: true, stdio: ["ignore", log, log] });
        fs.closeSync(log);
        const engine = new DockerEngine(dir, daemon);
        const deadline = Date.now() + 60_000;
        for (;;) {
            try {
                engine.docker(["version", "--format", "{{.Server.Version}}"]);
                return engine;
            } catch (err) {
                if (daemon.exitCode !== null || Date.now() > deadline) {
                    await engine.stop();
                    throw new Error(`dockerd did not start: ${(err as Error).message}\n${engine.log()}`);
                }
                await new Promise((r) => setTimeout(r, 250));
            }
        }
    }

    /** Runs the docker CLI against this engine; returns its stdout. */
    docker(args: string[], input?: string | Buffer): string {
        return execFileSync("docker", args, {
            env: { ...process.env, DOCKER_HOST: this.host },
            input,
            stdio: ["pipe", "pipe", "pipe"],
            maxBuffer: 64 * 1024 * 1024,
        }).toString().trim();
    }

    log(): string {
        try {
            return fs.readFileSync(path.join(this.dir, "dockerd.log"), "utf8").split("\n").slice(-20).join("\n");
        } catch {
            return "";
        }
    }

    /**
     * Stops dockerd by its PID (TERM to its process group, which stops its containers and its
     * containerd; KILL after 30 s) and removes its directory.
     */
    async stop(): Promise<void> {
        const pid = this.daemon.pid;
        if (pid !== undefined && this.daemon.exitCode === null) {
            const exited = new Promise<void>((resolve) => this.daemon.once("exit", () => resolve()));
            try { process.kill(-pid, "SIGTERM"); } catch { /* already gone */ }
            const timer = setTimeout(() => { try { process.kill(-pid, "SIGKILL"); } catch { /* gone */ } }, 30_000);
            await exited;
            clearTimeout(timer);
        }
        // dockerd can leave mounts under its exec root (its network namespace, `netns/default`),
        // which a plain remove cannot unlink: unmount whatever is still mounted below the directory.
        const mounts = fs.readFileSync("/proc/self/mounts", "utf8").split("\n")
            .map((line) => line.split(" ")[1]?.replace(/\\040/g, " "))
            .filter((target): target is string => target !== undefined && target.startsWith(`${this.dir}/`))
            .sort((a, b) => b.length - a.length);
        for (const target of mounts) {
            try { execFileSync("umount", ["-l", target], { stdio: "ignore" }); } catch { /* already gone */ }
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    /**
     * The images a region pulls from Docker Hub, made from local files by
     * scripts/devcloud/stand-in-images.sh under `prefix`: registry:2, base:1 (busybox) and `sources`.
     */
    standInImages(prefix: string, sources: string[]): void {
        execFileSync("bash", [path.join(__dirname, "..", "..", "scripts", "devcloud", "stand-in-images.sh"), "--prefix", prefix, ...sources], {
            env: { ...process.env, DOCKER_HOST: this.host },
            stdio: ["ignore", "pipe", "pipe"],
        });
    }
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export async function freePort(): Promise<number> {
    const net = await import("net");
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as { port: number }).port;
            server.close(() => resolve(port));
        });
    });
}
