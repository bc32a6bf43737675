import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const GUEST = path.join(__dirname, "..", "..", "scripts", "devcloud", "guest", "guest.py");

/**
 * scripts/devcloud/guest/guest.py: plays a Nova server's guest on this host (cloud-init's files from
 * the server's user_data, Trove's guest agent in namespaces of its own, its own Docker engine).
 * Nova's admin credentials come from `adminEnv` (the OS_* of `scripts/devcloud.sh env`).
 */
export class GuestHarness {
    constructor(private readonly adminEnv: NodeJS.ProcessEnv) {}

    private run(args: string[], timeoutMs = 180_000): string {
        return execFileSync("/usr/bin/python3", [GUEST, ...args], {
            env: this.adminEnv, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs,
        }).toString();
    }

    /**
     * Starts the server's guest. `forward`: loopback ports the guest reaches beyond those its
     * configuration names (RabbitMQ, the registry), e.g. Swift's for backups.
     */
    start(serverId: string, options: { forward?: number[] } = {}): string {
        return this.run(["start", "--server", serverId, ...(options.forward ?? []).flatMap((port) => ["--forward", String(port)])]);
    }

    /**
     * The end of one of the guest's logs under its state dir's log/ (`agent`, `dockerd`, ...;
     * `trove/trove-guestagent` is the agent's own log file), for a failure's message.
     */
    logTail(serverId: string, log: string, lines = 40): string {
        try {
            const text = fs.readFileSync(path.join(this.stateDir(serverId), "log", `${log}.log`), "utf8");
            return text.split("\n").slice(-lines).join("\n");
        } catch (e) {
            return `(no ${log} log: ${(e as Error).message})`;
        }
    }

    /** A command inside the guest's namespaces (DOCKER_HOST is the guest's own engine). */
    exec(serverId: string, command: string[]): string {
        return this.run(["exec", "--server", serverId, "--", ...command], 120_000);
    }

    /** Where the guest's state (mount sources, sockets, logs) lives on the host. */
    stateDir(serverId: string): string {
        return this.run(["where", "--server", serverId]).trim();
    }

    stop(serverId: string): string {
        return this.run(["stop", "--server", serverId]);
    }
}
