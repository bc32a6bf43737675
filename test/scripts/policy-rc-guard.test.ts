// scripts/lib.sh's apt_install_quiet: the policy-rc.d guard that keeps package installs from
// starting services is gone again however the install ends, and a failure still reaches the caller.
// A fake apt-get on PATH and APT_POLICY_RC_D in a temporary directory: the real one is never touched.
import * as fs from "fs";
import * as path from "path";
import { spawn, spawnSync } from "child_process";
import { tempDir } from "../tmp";

const repo = path.join(__dirname, "..", "..");

/** apt-get that logs each call with whether the guard is there, then fails as FAKE_APT_FAIL says. */
const FAKE_APT_GET = `#!/bin/sh
guard=absent; [ -x "$APT_POLICY_RC_D" ] && guard=present
echo "$1 guard=$guard" >>"$FAKE_APT_LOG"
if [ -n "$FAKE_APT_SLEEP" ]; then : >"$FAKE_APT_LOG.started"; sleep "$FAKE_APT_SLEEP"; fi
case " $FAKE_APT_FAIL " in *" $1 "*) exit 100;; esac
exit 0
`;

interface Sandbox { dir: string; guard: string; log: string; env: NodeJS.ProcessEnv }

function sandbox(fail = ""): Sandbox {
    const dir = tempDir("policy-rc");
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(path.join(dir, "bin", "apt-get"), FAKE_APT_GET, { mode: 0o755 });
    const guard = path.join(dir, "policy-rc.d");
    const log = path.join(dir, "apt.log");
    return {
        dir, guard, log,
        env: { ...process.env, PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, APT_POLICY_RC_D: guard, FAKE_APT_LOG: log, FAKE_APT_FAIL: fail },
    };
}

/** Runs a bash script that has sourced scripts/lib.sh, with the caller's own EXIT trap set. */
function run(box: Sandbox, body: string, strict = true) {
    const script = `${strict ? "set -euo pipefail; " : ""}source scripts/lib.sh; trap 'echo caller-exit' EXIT\n${body}`;
    const r = spawnSync("bash", ["-c", script], { cwd: repo, env: box.env, encoding: "utf8" });
    return { status: r.status, stdout: r.stdout, log: fs.existsSync(box.log) ? fs.readFileSync(box.log, "utf8") : "" };
}

describe("apt_install_quiet's policy-rc.d guard", () => {
    test("is in place during the install and gone after it", () => {
        const box = sandbox();
        const r = run(box, "apt_install_quiet pkg; echo after");
        expect(r).toEqual({ status: 0, stdout: "after\ncaller-exit\n", log: "install guard=present\n" });
        expect(fs.existsSync(box.guard)).toBe(false);
    });

    test.each([
        ["the install and then apt-get update fail", "install update", "install guard=present\nupdate guard=present\n"],
        ["the install fails before and after apt-get update", "install", "install guard=present\nupdate guard=present\ninstall guard=present\n"],
    ])("is gone when %s under set -e, and the failure stops the caller (whose EXIT trap still runs)", (_label, fail, log) => {
        const box = sandbox(fail);
        const r = run(box, "apt_install_quiet pkg; echo after");
        expect(r).toEqual({ status: 100, stdout: "caller-exit\n", log });
        expect(fs.existsSync(box.guard)).toBe(false);
    });

    test("is gone when the install fails without set -e, and the caller gets the exit status", () => {
        const box = sandbox("install update");
        const r = run(box, 'apt_install_quiet pkg || echo "failed $?"', false);
        expect(r.stdout).toBe("failed 100\ncaller-exit\n");
        expect(fs.existsSync(box.guard)).toBe(false);
    });

    test("is gone when the install is killed", async () => {
        const box = sandbox();
        box.env.FAKE_APT_SLEEP = "30";
        const child = spawn("bash", ["-c", "set -euo pipefail; source scripts/lib.sh; apt_install_quiet pkg"], { cwd: repo, env: box.env, detached: true, stdio: "ignore" });
        const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
        const deadline = Date.now() + 20_000;
        try {
            while (!fs.existsSync(`${box.log}.started`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
            expect(fs.existsSync(box.guard)).toBe(true);
        } finally {
            process.kill(-child.pid!, "SIGTERM");
        }
        expect(await exited).toBe("SIGTERM");
        // The outer bash dies at once; the install's subshell runs its EXIT trap as it goes.
        while (fs.existsSync(box.guard) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(fs.existsSync(box.guard)).toBe(false);
    });

    test("can run again and again (each run puts it up and takes it down)", () => {
        const box = sandbox();
        const r = run(box, "apt_install_quiet a; apt_install_quiet b; echo after");
        expect(r).toEqual({ status: 0, stdout: "after\ncaller-exit\n", log: "install guard=present\ninstall guard=present\n" });
        expect(fs.existsSync(box.guard)).toBe(false);
    });

    test("one that was there already is left as it was, even when the install fails", () => {
        const box = sandbox("install update");
        fs.writeFileSync(box.guard, "#!/bin/sh\n# the operator's own\nexit 101\n", { mode: 0o755 });
        const r = run(box, "apt_install_quiet pkg");
        expect(r.status).toBe(100);
        expect(fs.readFileSync(box.guard, "utf8")).toContain("the operator's own");
    });
});
