// Crash recovery for real (issue 16 part 3): `pulumi up` of a region stack, started as the CLI would
// be by a CI runner (a session and process group of its own), killed with SIGKILL (the whole process
// group) at three points during creation; after each kill, docs/crash-recovery.md's runbook step by
// step: what is left of the run's processes (the runbook's own `pulumi_orphans`, taken from the
// document), the lock and the pending operations, the orphans in every service (deleted), `pulumi
// cancel`, `pulumi refresh --clear-pending-creates`, `pulumi up`; then every named object with the
// stack's suffix is listed through the services' APIs (Neutron, Nova, Glance, Cinder, Trove, Docker):
// no name twice, every id in the state. Finally destroy, and nothing with the suffix is left.
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { OpenStackApi } from "../support/openstack-api";
import { devSettingsNamed } from "../support/dev-config";
import { regionTestStack } from "../support/region-stack";
import { destroyAndRemove } from "../support/stack";
import { missingPluginsReason, requirePulumiToolchain, requireRealEnvironment } from "../support/real-env";
import { tempDir } from "../tmp";

const repo = path.join(__dirname, "..", "..");
const suffix = `k${Date.now().toString(36).slice(-5)}`;
const STACK = `test-crash-${suffix}`;
const PROJECT = "trove-region";
const NAMES = { network: `trove-mgmt-${suffix}`, group: `trove-mgmt-${suffix}` };

/** The dev settings renamed by the suffix, the network and security group included (devSettingsNamed keeps theirs). */
function crashSettings(): Record<string, unknown> {
    const settings = devSettingsNamed(suffix);
    const network = settings["trove-region:managementNetwork"] as Record<string, unknown>;
    const groups = settings["trove-region:securityGroups"] as Record<string, unknown>;
    return {
        ...settings,
        "trove-region:managementNetwork": { ...network, networkName: NAMES.network },
        "trove-region:securityGroups": { ...groups, name: NAMES.group },
    };
}

// ---------------------------------------------------------------------------------------------
// The CLI, as an operator runs it

interface Run { code: number; stdout: string; stderr: string; ms: number }

function cliEnv(): NodeJS.ProcessEnv {
    return { ...process.env, PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "" };
}

/** One `pulumi` command in the repository, for this stack; never throws on a non-zero exit. */
function pulumi(args: string[]): Promise<Run> {
    const started = Date.now();
    return new Promise((resolve) => {
        execFile("pulumi", [...args, "--stack", STACK, "--non-interactive", "--color", "never"],
            { cwd: repo, env: cliEnv(), maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000 },
            (error, stdout, stderr) => {
                const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
                resolve({ code, stdout: stdout.toString(), stderr: stderr.toString(), ms: Date.now() - started });
            });
    });
}

async function mustPulumi(args: string[]): Promise<Run> {
    const run = await pulumi(args);
    if (run.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
    return run;
}

interface StateResource { urn: string; type: string; id?: string; custom?: boolean; inputs?: Record<string, unknown> }
interface PendingOperation { type: string; resource: StateResource }
interface State { resources: StateResource[]; pending: PendingOperation[] }

/** `pulumi stack export`: needs no lock, so it reads the state of a killed run too. */
async function exportState(): Promise<State> {
    const run = await mustPulumi(["stack", "export"]);
    const deployment = (JSON.parse(run.stdout) as { deployment: { resources?: StateResource[]; pending_operations?: PendingOperation[] } }).deployment;
    return { resources: deployment.resources ?? [], pending: deployment.pending_operations ?? [] };
}

/** The stack's lock files on the file backend (docs/crash-recovery.md, "How to tell"). */
function lockFiles(): string[] {
    const backend = (process.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, "");
    const dir = path.join(backend, ".pulumi", "locks", "organization", PROJECT, STACK);
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
}

function shortName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Proc { pid: number; ppid: number; pgid: number; sid: number; start: string; rssKiB: number; args: string }

/** Every process on the machine, from /proc (fields after the command's closing parenthesis). */
function processes(): Proc[] {
    const out: Proc[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            // f[0] is field 3 (state): ppid 4, pgrp 5, session 6, starttime 22, rss 24 (pages).
            if (f[0] === "Z") continue;
            const args = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter((a) => a !== "").join(" ");
            out.push({ pid: Number(entry), ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]), start: f[19], rssKiB: Number(f[21]) * 4, args });
        } catch {
            // Gone while listed.
        }
    }
    return out;
}

/** What a process of a Pulumi run is, for the report. */
function role(p: Proc): string {
    if (/pulumi-language-/.test(p.args)) return "language host";
    if (/@pulumi\/pulumi\/cmd\/run\//.test(p.args)) return "program";
    if (/@pulumi\/pulumi\/cmd\/dynamic-provider\//.test(p.args)) return "dynamic-provider host";
    const plugin = /pulumi-resource-([a-z-]+)/.exec(p.args);
    if (plugin) return `${plugin[1]} provider`;
    if (/^pulumi /.test(p.args) || /\/pulumi /.test(p.args)) return "CLI";
    return p.args.split(" ")[0];
}

/** The runbook's `pulumi_orphans`, exactly as docs/crash-recovery.md prints it. */
function runbookOrphanFunction(): string {
    const doc = fs.readFileSync(path.join(repo, "docs", "crash-recovery.md"), "utf8");
    const block = [...doc.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes("pulumi_orphans() {"));
    if (!block) throw new Error("docs/crash-recovery.md has no bash block defining pulumi_orphans");
    // The function only: the block's last lines are the operator's calls (listing everything, killing).
    return block.slice(0, block.indexOf("\n}\n") + 3);
}

interface Orphan { pid: number; pgid: number; engine: string; cwd: string; args: string }

function runbookOrphans(engine: string): Promise<Orphan[]> {
    const script = `${runbookOrphanFunction()}\npulumi_orphans "$1"\n`;
    return new Promise((resolve, reject) => {
        execFile("bash", ["-c", script, "pulumi_orphans", engine], (error, stdout, stderr) => {
            if (error) return reject(new Error(`pulumi_orphans failed: ${error.message}\n${stderr.toString()}`));
            resolve(stdout.toString().split("\n").filter((l) => l !== "").map((line) => {
                const [pid, pgid, addr, cwd, ...args] = line.split(" ");
                return { pid: Number(pid), pgid: Number(pgid), engine: addr, cwd, args: args.join(" ") };
            }));
        });
    });
}

// ---------------------------------------------------------------------------------------------
// What the services hold

interface Found { kind: string; id: string; name: string; parent?: string }

function docker(args: string[]): Promise<string> {
    if (!process.env.DOCKER_HOST) throw new Error("DOCKER_HOST is not set: run through /tmp/real-some.sh or npm test, which set the dev cloud's engine");
    return new Promise((resolve, reject) => {
        execFile("docker", args, { timeout: 60_000 }, (error, stdout, stderr) => {
            if (error) return reject(new Error(`docker ${args.join(" ")}: ${stderr.toString()}`));
            resolve(stdout.toString());
        });
    });
}

/** Everything with the suffix in its name, in every service the stack writes to; rules of the suffix's groups. */
async function inventory(api: OpenStackApi): Promise<Found[]> {
    const mine = (name: string | null | undefined): boolean => (name ?? "").includes(suffix);
    const found: Found[] = [];
    const { networks } = await api.get<{ networks: { id: string; name: string }[] }>("network", "/v2.0/networks");
    found.push(...networks.filter((n) => mine(n.name)).map((n) => ({ kind: "network", id: n.id, name: n.name })));
    const { subnets } = await api.get<{ subnets: { id: string; name: string }[] }>("network", "/v2.0/subnets");
    found.push(...subnets.filter((s) => mine(s.name)).map((s) => ({ kind: "subnet", id: s.id, name: s.name })));
    const { security_groups: groups } = await api.get<{ security_groups: { id: string; name: string }[] }>("network", "/v2.0/security-groups");
    for (const g of groups.filter((x) => mine(x.name))) {
        found.push({ kind: "security group", id: g.id, name: g.name });
        const { security_group_rules: rules } = await api.get<{ security_group_rules: Record<string, string | number | null>[] }>(
            "network", `/v2.0/security-group-rules?security_group_id=${g.id}`);
        for (const r of rules) {
            const name = `${g.name}: ${r.direction} ${r.ethertype} ${r.protocol ?? "any"} ${r.port_range_min ?? ""}-${r.port_range_max ?? ""} ${r.remote_ip_prefix ?? ""}`;
            found.push({ kind: "security group rule", id: String(r.id), name, parent: g.id });
        }
    }
    const { keypairs } = await api.get<{ keypairs: { keypair: { name: string } }[] }>("compute", "/os-keypairs");
    found.push(...keypairs.filter((k) => mine(k.keypair.name)).map((k) => ({ kind: "keypair", id: k.keypair.name, name: k.keypair.name })));
    const { images } = await api.get<{ images: { id: string; name: string | null }[] }>("image", "/v2/images?limit=1000");
    found.push(...images.filter((i) => mine(i.name)).map((i) => ({ kind: "image", id: i.id, name: i.name ?? "" })));
    const { volume_types: types } = await api.get<{ volume_types: { id: string; name: string }[] }>("volumev3", "/types?is_public=None");
    found.push(...types.filter((t) => mine(t.name)).map((t) => ({ kind: "volume type", id: t.id, name: t.name })));
    const { versions } = await api.get<{ versions: { id: string; name: string; datastore_name: string }[] }>("database", "/mgmt/datastore-versions");
    found.push(...versions.filter((v) => mine(v.name)).map((v) => ({ kind: "datastore version", id: v.id, name: `${v.datastore_name} ${v.name}` })));
    const containers = (await docker(["ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Names}}"])).split("\n").filter((l) => l !== "");
    for (const line of containers) {
        const [id, name] = line.split(" ");
        if (mine(name)) found.push({ kind: "docker container", id, name });
    }
    return found;
}

/** Names that occur more than once, per kind. */
function duplicates(found: Found[]): string[] {
    const seen = new Map<string, number>();
    for (const f of found) seen.set(`${f.kind} ${f.name}`, (seen.get(`${f.kind} ${f.name}`) ?? 0) + 1);
    return [...seen.entries()].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`);
}

/** The runbook's step 2: delete what the cloud has and the state does not (rules of an orphan group go with it). */
async function deleteOrphan(api: OpenStackApi, orphan: Found): Promise<void> {
    switch (orphan.kind) {
        case "security group rule": await api.request("DELETE", "network", `/v2.0/security-group-rules/${orphan.id}`); break;
        case "subnet": await api.request("DELETE", "network", `/v2.0/subnets/${orphan.id}`); break;
        case "network": await api.request("DELETE", "network", `/v2.0/networks/${orphan.id}`); break;
        case "security group": await api.request("DELETE", "network", `/v2.0/security-groups/${orphan.id}`); break;
        case "keypair": await api.request("DELETE", "compute", `/os-keypairs/${encodeURIComponent(orphan.id)}`); break;
        case "image": await api.request("DELETE", "image", `/v2/images/${orphan.id}`); break;
        case "volume type": await api.request("DELETE", "volumev3", `/types/${orphan.id}`); break;
        case "datastore version": await api.request("DELETE", "database", `/mgmt/datastore-versions/${orphan.id}`); break;
        case "docker container": await docker(["rm", "-f", orphan.id]); break;
        default: throw new Error(`no way to delete a ${orphan.kind}`);
    }
}

const ORDER = ["security group rule", "subnet", "network", "security group", "keypair", "image", "datastore version", "volume type", "docker container"];

/**
 * What the pending creates without a name of their own may have written: a volume type's access for
 * the project, a datastore version's configuration parameters. Undone, as the runbook's table says.
 */
async function undoUnnamedPendingCreates(api: OpenStackApi, pending: PendingOperation[], inState: Set<string>): Promise<string[]> {
    const undone: string[] = [];
    for (const op of pending) {
        const inputs = op.resource.inputs ?? {};
        if (op.resource.type === "openstack:blockstorage/volumeTypeAccessV3:VolumeTypeAccessV3") {
            const typeId = String(inputs.volumeTypeId);
            const project = String(inputs.projectId);
            // The volume type of an orphan was deleted with it; one in the state may carry the access.
            if (!inState.has(typeId)) continue;
            const { volume_type_access: access } = await api.get<{ volume_type_access: { project_id: string }[] }>("volumev3", `/types/${typeId}/os-volume-type-access`);
            if (access.some((a) => a.project_id === project)) {
                await api.request("POST", "volumev3", `/types/${typeId}/action`, { removeProjectAccess: { project } });
                undone.push(`access of ${project} to volume type ${typeId}`);
            }
        }
        if (op.resource.type === "pulumi-nodejs:dynamic/trove-region:DatastoreParameters") {
            const versionId = String(inputs.versionId);
            if (!inState.has(versionId)) continue;
            const names = new Set(((inputs.rules ?? []) as { name: string }[]).map((r) => r.name));
            const body = await api.get<{ "configuration-parameters": { name: string }[] }>("database", `/datastores/versions/${versionId}/parameters`);
            const written = body["configuration-parameters"].filter((p) => names.has(p.name));
            for (const p of written) await api.request("DELETE", "database", `/mgmt/datastores/versions/${versionId}/parameters/${encodeURIComponent(p.name)}`);
            if (written.length > 0) undone.push(`${written.length} parameters of version ${versionId}`);
        }
    }
    return undone;
}

// ---------------------------------------------------------------------------------------------
// The killed run

interface CreatedEvent { type: string; urn: string }

/** Custom resources the engine reported created so far, from its event log (one JSON event a line). */
function createdSoFar(eventLog: string): CreatedEvent[] {
    if (!fs.existsSync(eventLog)) return [];
    const created: CreatedEvent[] = [];
    for (const line of fs.readFileSync(eventLog, "utf8").split("\n")) {
        if (!line.startsWith("{")) continue;
        let event: { resOutputsEvent?: { metadata: { op: string; type: string; urn: string; new?: { custom?: boolean } } } };
        try {
            event = JSON.parse(line) as typeof event;
        } catch {
            continue; // the line being written
        }
        const m = event.resOutputsEvent?.metadata;
        if (m && m.op === "create" && m.new?.custom) created.push({ type: m.type, urn: m.urn });
    }
    return created;
}

interface KillPoint { label: string; when: (created: CreatedEvent[]) => boolean }

interface Killed { child: ChildProcess; pgid: number; before: Proc[]; createdAtKill: number; engine: string; killedAt: number }

/**
 * `pulumi up` in a session and process group of its own (spawn's `detached`), killed with SIGKILL to
 * the whole group as soon as `point.when` holds for what the engine has reported created.
 */
async function upKilledAt(point: KillPoint, eventLog: string): Promise<Killed> {
    const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never", "--stack", STACK, "--event-log", eventLog], {
        cwd: repo, detached: true, stdio: ["ignore", "pipe", "pipe"],
        // --event-log is one of the CLI's debug flags (the Automation API sets the same variable).
        env: { ...cliEnv(), PULUMI_DEBUG_COMMANDS: "true" },
    });
    let output = "";
    child.stdout!.on("data", (d: Buffer) => { output += d.toString(); });
    child.stderr!.on("data", (d: Buffer) => { output += d.toString(); });
    let exited: number | null | undefined;
    child.on("exit", (code) => { exited = code; });
    const pgid = child.pid!;
    const deadline = Date.now() + 8 * 60_000;
    for (;;) {
        const created = createdSoFar(eventLog);
        if (point.when(created)) {
            // The run's processes, all in the CLI's session: which of them the group kill takes.
            const before = processes().filter((p) => p.sid === pgid);
            process.kill(-pgid, "SIGKILL");
            const killedAt = Date.now();
            await new Promise<void>((resolve) => (exited !== undefined ? resolve() : child.once("exit", () => resolve())));
            const host = before.find((p) => /pulumi-language-nodejs /.test(p.args));
            const engine = host ? host.args.split(" ").pop()! : "";
            return { child, pgid, before, createdAtKill: created.length, engine, killedAt };
        }
        if (exited !== undefined) throw new Error(`pulumi up ended (exit ${exited}) before the kill point "${point.label}":\n${output}`);
        if (Date.now() > deadline) throw new Error(`the kill point "${point.label}" never came:\n${output}`);
        await new Promise((r) => setTimeout(r, 150));
    }
}

/** Processes of the killed run still alive: the same pid and start time, or anything else naming its session, stack or engine. */
function leftOf(killed: Killed): Proc[] {
    const now = processes();
    const same = (p: Proc): boolean => killed.before.some((b) => b.pid === p.pid && b.start === p.start);
    return now.filter((p) => p.pid !== process.pid && (same(p) || p.sid === killed.pgid || p.pgid === killed.pgid
        || p.args.includes(STACK) || (killed.engine !== "" && p.args.includes(killed.engine))));
}

// ---------------------------------------------------------------------------------------------

interface Row {
    point: string; inStateAtKill: string; pending: string; leftAfterGroupKill: string; orphans: string;
    steps: string; recovery: string; duplicates: number;
}

requirePulumiToolchain();
const blocked = missingPluginsReason(["openstack"]);
if (blocked) console.warn(`SKIPPED the crash recovery suite: ${blocked}`);

(blocked ? describe.skip : describe)("a pulumi up killed with SIGKILL, recovered by docs/crash-recovery.md", () => {
    let stack: Stack | undefined;
    let api: OpenStackApi;
    let work: string;
    let current: Killed | undefined;
    const rows: Row[] = [];
    const details: string[] = [];
    /** Custom resources of the whole stack, from the first recovered state. */
    let total = 0;

    beforeAll(async () => {
        requireRealEnvironment();
        stack = await regionTestStack(STACK, suffix, crashSettings());
        api = await OpenStackApi.login();
        work = tempDir("crash");
    });

    afterAll(async () => {
        // Whatever failed: nothing of a killed run left running, no lock, no pending create, then destroy.
        if (current) for (const p of leftOf(current)) { try { process.kill(-p.pgid, "SIGKILL"); } catch { /* gone */ } }
        if (stack) {
            await pulumi(["cancel", "--yes"]);
            await pulumi(["refresh", "--clear-pending-creates", "--yes", "--skip-preview"]);
        }
        await destroyAndRemove(stack, STACK);
        const header = "| kill point | resources in state at kill | pending operations found | left running after the group kill | orphans deleted | recovery steps | recovery time | duplicates found |";
        const lines = rows.map((r) => `| ${r.point} | ${r.inStateAtKill} | ${r.pending} | ${r.leftAfterGroupKill} | ${r.orphans} | ${r.steps} | ${r.recovery} | ${r.duplicates} |`);
        console.log([header, "| --- | --- | --- | --- | --- | --- | --- | --- |", ...lines, "", ...details].join("\n"));
    });

    /** One kill point: the kill, the runbook, the checks; then destroy for the next one. */
    async function killAndRecover(point: KillPoint): Promise<void> {
        const eventLog = path.join(work, `events-${rows.length + 1}.jsonl`);
        const killed = await upKilledAt(point, eventLog);
        current = killed;
        const t0 = killed.killedAt;
        const steps: string[] = [];
        const timing: string[] = [];
        const mark = (label: string, since: number): number => { timing.push(`${label} ${((Date.now() - since) / 1000).toFixed(1)} s`); return Date.now(); };

        // Step 1: the group kill took the CLI; what else of the run is alive, and the runbook's kill of it.
        await new Promise((r) => setTimeout(r, 1000));
        const survivors = leftOf(killed);
        expect(survivors.some((p) => p.pid === killed.pgid)).toBe(false);
        expect(killed.engine).toMatch(/^127\.0\.0\.1:\d+$/);
        const orphanProcs = await runbookOrphans(killed.engine);
        // The runbook's listing names every survivor still alive, each in the project's directory.
        const alive = leftOf(killed);
        expect(alive.filter((p) => !orphanProcs.some((o) => o.pid === p.pid)).map((p) => `${p.pid} ${p.args}`)).toEqual([]);
        for (const o of orphanProcs) expect(o.cwd).toBe(repo);
        for (const g of new Set(orphanProcs.map((o) => o.pgid))) process.kill(-g, "SIGKILL");
        await new Promise((r) => setTimeout(r, 500));
        expect(leftOf(killed)).toEqual([]);
        expect(await runbookOrphans(killed.engine)).toEqual([]);
        steps.push(`kill ${new Set(orphanProcs.map((o) => o.pgid)).size} plugin group(s)`);
        let t = mark("processes", t0);

        // How to tell: the lock file, the message of the next command, the pending creates.
        expect(lockFiles()).toHaveLength(1);
        const refused = await pulumi(["up", "--yes", "--skip-preview"]);
        expect(refused.code).not.toBe(0);
        expect(refused.stderr + refused.stdout).toContain("the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.");
        expect(refused.stderr + refused.stdout).toContain(`(pid ${killed.pgid})`);
        const atKill = await exportState();
        // A pending create has no id: the answer that carried it never reached the state.
        expect(atKill.pending.every((op) => op.type === "creating" && op.resource.id === undefined)).toBe(true);
        t = mark("diagnosis", t);

        // Step 2: orphans, by name in every service, against the ids of the state; deleted.
        const inState = new Set(atKill.resources.map((r) => r.id).filter((id): id is string => typeof id === "string" && id !== ""));
        const listed = await inventory(api);
        const orphanGroups = new Set(listed.filter((f) => f.kind === "security group" && !inState.has(f.id)).map((f) => f.id));
        const orphans = listed.filter((f) => !inState.has(f.id) && !(f.parent && orphanGroups.has(f.parent)))
            .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
        for (const o of orphans) await deleteOrphan(api, o);
        const undone = await undoUnnamedPendingCreates(api, atKill.pending, inState);
        // Every orphan belongs to a pending create of its kind: nothing else is ever missing from the state.
        const pendingTypes = atKill.pending.map((op) => op.resource.type);
        const kindOf: Record<string, string> = {
            network: "openstack:networking/network:Network", subnet: "openstack:networking/subnet:Subnet",
            "security group": "openstack:networking/secGroup:SecGroup", "security group rule": "openstack:networking/secGroupRule:SecGroupRule",
            keypair: "openstack:compute/keypair:Keypair", image: "pulumi-nodejs:dynamic/trove-region:GlanceImage",
            "volume type": "openstack:blockstorage/volumeTypeV3:VolumeTypeV3", "datastore version": "pulumi-nodejs:dynamic/trove-region:DatastoreVersion",
            "docker container": "docker:index/container:Container",
        };
        for (const o of orphans) expect(pendingTypes).toContain(kindOf[o.kind]);
        steps.push(orphans.length + undone.length > 0 ? "delete orphans" : "look for orphans (none)");
        t = mark("orphans", t);

        // Step 3: the lock.
        const cancel = await mustPulumi(["cancel", "--yes"]);
        expect(cancel.stdout).toContain(`The currently running update for '${STACK}' has been canceled!`);
        expect(lockFiles()).toEqual([]);
        steps.push("pulumi cancel --yes");
        t = mark("cancel", t);

        // Step 4: the pending creates.
        await mustPulumi(["refresh", "--clear-pending-creates", "--yes", "--skip-preview"]);
        expect((await exportState()).pending).toEqual([]);
        steps.push("pulumi refresh --clear-pending-creates --yes");
        t = mark("refresh", t);

        // Step 5: the update, to the end, with no warning about pending operations left.
        const up = await mustPulumi(["up", "--yes", "--skip-preview"]);
        expect(up.stdout + up.stderr).not.toContain("pending operations from previous deployment");
        steps.push("pulumi up --yes");
        t = mark("up", t);
        const recoverySeconds = (Date.now() - t0) / 1000;

        // The check: every name once, every id in the state, nothing pending.
        const after = await exportState();
        expect(after.pending).toEqual([]);
        const ids = new Set(after.resources.map((r) => r.id).filter((id): id is string => typeof id === "string"));
        const now = await inventory(api);
        const dups = duplicates(now);
        expect(dups).toEqual([]);
        expect(now.filter((f) => !ids.has(f.id))).toEqual([]);
        // The whole region is there: one of each named object, a version per datastore.
        const count = (kind: string): number => now.filter((f) => f.kind === kind).length;
        expect([count("network"), count("subnet"), count("security group"), count("keypair"), count("image"), count("volume type"), count("datastore version")])
            .toEqual([1, 1, 1, 1, 1, 1, 3]);
        expect(count("security group rule")).toBe(after.resources.filter((r) => r.type === "openstack:networking/secGroupRule:SecGroupRule").length);
        const customs = after.resources.filter((r) => r.custom).length;
        if (total === 0) total = customs;
        expect(customs).toBe(total);

        rows.push({
            point: point.label,
            inStateAtKill: `${atKill.resources.filter((r) => r.custom).length} of ${total} (${killed.createdAtKill} reported created)`,
            pending: `${atKill.pending.length}: ${atKill.pending.map((op) => shortName(op.resource.urn)).join(", ")}`,
            leftAfterGroupKill: survivors.length === 0 ? "none" : survivors.map((p) => `${role(p)} (${Math.round(p.rssKiB / 1024)} MiB)`).join(", "),
            orphans: orphans.length + undone.length === 0 ? "0" : [...orphans.map((o) => `${o.kind} ${o.name}`), ...undone].join("; "),
            steps: steps.join(" → "),
            recovery: `${recoverySeconds.toFixed(1)} s`,
            duplicates: dups.length,
        });
        details.push(`${point.label}: ${timing.join(", ")}; processes in the run before the kill: ${killed.before.map((p) => `${p.pid}/${p.pgid} ${role(p)}`).join(", ")}`);
        current = undefined;

        // From empty again for the next kill point; nothing with the suffix is left.
        await mustPulumi(["destroy", "--yes", "--skip-preview"]);
        expect(await inventory(api)).toEqual([]);
    }

    test("killed right after the management network is created", async () => {
        await killAndRecover({ label: "network created", when: (c) => c.some((e) => e.type === "openstack:networking/network:Network") });
    });

    test("killed half-way through the creation", async () => {
        expect(total).toBeGreaterThan(10);
        const half = Math.floor(total / 2);
        await killAndRecover({ label: `half-way (${half} of ${total} created)`, when: (c) => c.length >= half });
    });

    test("killed near the end of the creation", async () => {
        expect(total).toBeGreaterThan(10);
        const near = total - 3;
        await killAndRecover({ label: `near the end (${near} of ${total} created)`, when: (c) => c.length >= near });
    });
});
