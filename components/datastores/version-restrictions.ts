// Which Nova flavors and Cinder volume types one Trove datastore version allows. Trove 26 writes
// these associations only through `trove-manage` (its REST API can only read them), and
// trove-manage prints the errors of these commands and still exits 0; so every write here is
// checked by reading Trove's answer back, and a mismatch fails with what trove-manage printed.
//
// How Trove answers, and what this resource makes of it:
// - `GET /datastores/{ds}/versions/{id}/flavors` (and `/volume-types`) lists, when the version has at
//   least one association of that kind, the flavors Nova has whose id is associated (volume types:
//   Cinder's types whose name or id is); with none, EVERY flavor (type) Nova (Cinder) lists.
// - So an association of a flavor Nova does not have never shows: every flavor and volume type is
//   checked against Trove's `GET /flavors` and Cinder's `GET /types` before anything is written, and
//   the check fails naming what exists (and the id of a flavor given by its name).
// - "Restricted to every flavor Nova has" and "not restricted" look the same. A read takes Trove
//   listing everything it knows as "not restricted" ([]), unless the state already records exactly
//   that set; a version restricted to a subset whose associations were all removed out of band
//   therefore reads back as [], differs from the desired subset, and the next `up` restores it.
// - An unrestricted version has no associations, so which desired ones are missing cannot be read;
//   every desired one is then added, Trove's "already associated" being taken as done.
// - Trove has no volume type list of its own: Cinder's comes from its endpoint in the catalog of the
//   TroveClient's Keystone session (the same token the Trove calls use).
// - trove-manage starts Trove's Python anew for every command (seconds each) and deletes one item per
//   command; flavors and volume types are reconciled at the same time.
// - An empty list is "not restricted": its associations, recorded or made out of band, are removed.
import * as pulumi from "@pulumi/pulumi";
import { catalogEndpoint, TroveClient } from "./trove-api";
import { httpRequestWithRetries } from "../common/http-client";
import type { TroveConnection } from "../model/connection";
import { DEFAULT_TROVE_MANAGE_COMMAND, type TroveManageVersionInputs } from "./trove-manage-parameters";
import { shellQuote } from "../common/shell";
import { type Problem, show, throwIfProblems } from "../common/validation";

/** The two kinds of association: flavors by Nova id, volume types by Cinder name. */
export type RestrictionKind = "flavors" | "volumeTypes";
export const RESTRICTION_KINDS: readonly RestrictionKind[] = ["flavors", "volumeTypes"];

/** How long one trove-manage run may take before it is stopped. */
export const TROVE_MANAGE_TIMEOUT_MS = 300_000;

/** The versionId is the version's: a new id replaces this resource. */
export interface DatastoreVersionRestrictionsArgs extends TroveManageVersionInputs {
    /** The version's number (`--version`): trove-manage finds the version by name and number. */
    readonly versionNumber: pulumi.Input<string>;
    /**
     * Nova flavor ids (not names) the version allows; Trove refuses to create an instance of the
     * version with any other. @default [] (not restricted: every flavor Nova has)
     */
    readonly flavors?: readonly string[];
    /**
     * Cinder volume type names the version allows; Trove then requires one of them for every
     * instance's volume. @default [] (not restricted: every volume type Cinder has)
     */
    readonly volumeTypes?: readonly string[];
}

/** What the provider stores. */
export interface VersionRestrictionsState {
    readonly connection: TroveConnection;
    readonly versionId: string;
    readonly datastore: string;
    readonly version: string;
    readonly versionNumber: string;
    readonly flavors: string[];
    readonly volumeTypes: string[];
    readonly command?: string;
    readonly configFile?: string;
    readonly ssh?: { host: string; user: string; port?: number; privateKey: string };
}

// ---------------------------------------------------------------------------------------------
// Pure helpers (exported for testing)

const WORDS: Record<RestrictionKind, { one: string; subcommand: string; source: string }> = {
    flavors: { one: "flavor", subcommand: "flavor", source: "Nova" },
    volumeTypes: { one: "volume type", subcommand: "volume_type", source: "Cinder" },
};

/**
 * The trove-manage argv for adding (several, comma-joined) or deleting (one) associations:
 * `[command, --config-file F, datastore_version_<kind>_<op>, datastore, version name, items, --version N]`.
 */
export function restrictionArgv(
    s: Pick<VersionRestrictionsState, "command" | "configFile" | "datastore" | "version" | "versionNumber">,
    kind: RestrictionKind,
    op: "add" | "delete",
    items: readonly string[],
): string[] {
    if (items.length === 0 || (op === "delete" && items.length > 1)) {
        throw new Error(`trove-manage ${op} takes ${op === "delete" ? "exactly one" : "at least one"} ${WORDS[kind].one}, not ${items.length}`);
    }
    return [
        s.command ?? DEFAULT_TROVE_MANAGE_COMMAND,
        ...(s.configFile ? ["--config-file", s.configFile] : []),
        `datastore_version_${WORDS[kind].subcommand}_${op}`, s.datastore, s.version, items.join(","),
        "--version", s.versionNumber,
    ];
}

/** The argv as one line of POSIX shell: the remote command over SSH, and how errors show it. */
export function shellLine(argv: readonly string[]): string {
    return argv.map(shellQuote).join(" ");
}

/**
 * What trove-manage's printed output says happened (it exits 0 either way): `done` (its success
 * line), `already` (an add of an association that exists, a delete of one that does not), or
 * `unknown` (anything else: an error, e.g. "Datastore version '5.7' cannot be found.").
 */
export function troveManageOutcome(kind: RestrictionKind, op: "add" | "delete", output: string): "done" | "already" | "unknown" {
    const patterns = {
        flavors: {
            add: [/^Added flavors '/m, /is already associated with datastore version/],
            delete: [/^Deleted flavor '/m, /is not supported for datastore version/],
        },
        volumeTypes: {
            add: [/^Added volume type '/m, /mapping already exists/],
            delete: [/^Deleted volume type '/m, /is not valid for datastore version/],
        },
    } as const;
    const [done, already] = patterns[kind][op];
    if (done.test(output)) return "done";
    if (already.test(output)) return "already";
    return "unknown";
}

/** Whether two lists hold the same items, whatever their order and repetitions. */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
    const x = new Set(a);
    const y = new Set(b);
    return x.size === y.size && [...x].every((item) => y.has(item));
}

function minus(a: readonly string[], b: readonly string[]): string[] {
    const drop = new Set(b);
    return [...new Set(a)].filter((item) => !drop.has(item));
}

/**
 * What a read records for one kind, from what Trove allows and what Nova/Cinder has: the allowed
 * list when it is fewer than everything; when it is everything, [] (not restricted), or the recorded
 * list if that already is everything (restricted to every one looks the same; keep what was set).
 */
export function observedRestriction(allowed: readonly string[], universe: readonly string[], recorded: readonly string[]): string[] {
    if (!sameSet(allowed, universe)) return sameSet(allowed, recorded) ? [...recorded] : [...allowed].sort();
    return recorded.length > 0 && sameSet(recorded, universe) ? [...recorded] : [];
}

export interface RestrictionPlanInput {
    /** What the inputs want; [] means not restricted. */
    readonly desired: readonly string[];
    /** What the state records (the last write, or a refresh). */
    readonly recorded: readonly string[];
    /** What Trove lists as allowed right now. */
    readonly allowed: readonly string[];
    /** What Nova (flavors) or Cinder (volume types) has, as Trove sees it. */
    readonly universe: readonly string[];
}

/**
 * The trove-manage adds and deletes that take one kind from what Trove has to what is desired.
 * When Trove allows fewer than everything, its list is exactly the associations of existing items:
 * add what is missing, delete what is extra, and delete recorded items that no longer exist (their
 * associations are invisible). When it allows everything (no association, or all of them): add every
 * desired item (an existing association is reported "already" and taken as done); delete, if some are
 * desired, everything else (after the adds the list can only still be everything if every item was
 * associated), else what the state records. The provider plans twice: the adds, then, reading Trove
 * again, the deletes.
 */
export function planRestriction(p: RestrictionPlanInput): { add: string[]; remove: string[] } {
    const desired = [...new Set(p.desired)];
    const gone = minus(minus(p.recorded, p.universe), desired);
    if (!sameSet(p.allowed, p.universe)) {
        return { add: minus(desired, p.allowed), remove: [...minus(p.allowed, desired), ...gone] };
    }
    if (desired.length > 0) return { add: desired, remove: [...minus(p.universe, desired), ...gone] };
    return { add: [], remove: [...new Set(p.recorded)] };
}

/**
 * What a delete removes: what the state records, less what Trove shows is not associated (when it
 * allows fewer than everything, a recorded item that exists but is not listed has no association).
 */
export function planRemoval(p: Omit<RestrictionPlanInput, "desired">): string[] {
    const recorded = [...new Set(p.recorded)];
    if (sameSet(p.allowed, p.universe)) return recorded;
    const allowed = new Set(p.allowed);
    const universe = new Set(p.universe);
    return recorded.filter((item) => allowed.has(item) || !universe.has(item));
}

/** Which inputs changed, and whether that needs a replacement; lists compare as sets. */
export function diffRestrictions(olds: VersionRestrictionsState, news: VersionRestrictionsState): { changes: string[]; replaces: string[] } {
    const changes: string[] = [];
    for (const kind of RESTRICTION_KINDS) if (!sameSet(olds[kind] ?? [], news[kind] ?? [])) changes.push(kind);
    for (const key of ["versionId", "datastore", "version", "versionNumber", "command", "configFile"] as const) {
        if ((olds[key] ?? undefined) !== (news[key] ?? undefined)) changes.push(key);
    }
    for (const key of ["ssh", "connection"] as const) {
        if (JSON.stringify(olds[key] ?? null) !== JSON.stringify(news[key] ?? null)) changes.push(key);
    }
    return { changes, replaces: changes.includes("versionId") ? ["versionId"] : [] };
}

/**
 * Problems with the plain inputs: every flavor id and volume type name a non-empty string without
 * commas (trove-manage splits on them) or whitespace, none twice; and at least one list not empty
 * (with both empty there is nothing to restrict).
 */
export function validateVersionRestrictionsArgs(args: Pick<DatastoreVersionRestrictionsArgs, "flavors" | "volumeTypes">): Problem[] {
    const problems: Problem[] = [];
    for (const kind of RESTRICTION_KINDS) {
        const list: unknown = args[kind];
        if (list === undefined) continue;
        if (!Array.isArray(list)) {
            problems.push({ path: kind, message: `must be a list of ${WORDS[kind].one} ${kind === "flavors" ? "ids" : "names"}, got ${show(list)}` });
            continue;
        }
        const first = new Map<string, number>();
        list.forEach((item: unknown, i: number) => {
            const path = `${kind}[${i}]`;
            const what = kind === "flavors" ? "a Nova flavor id" : "a Cinder volume type name";
            if (typeof item !== "string" || item === "") {
                problems.push({ path, message: `must be ${what}, a non-empty string; got ${show(item)}` });
            } else if (item.includes(",")) {
                problems.push({ path, message: `${show(item)} contains a comma, which trove-manage reads as a separator; give each ${WORDS[kind].one} as its own item` });
            } else if (/\s/.test(item)) {
                problems.push({ path, message: `${show(item)} contains whitespace; give ${what} exactly as ${WORDS[kind].source} lists it` });
            } else if (first.has(item)) {
                problems.push({ path, message: `${show(item)} is already ${kind}[${first.get(item)}]; list each ${WORDS[kind].one} once` });
            } else {
                first.set(item, i);
            }
        });
    }
    if ((args.flavors ?? []).length === 0 && (args.volumeTypes ?? []).length === 0) {
        problems.push({ path: "", message: "flavors and volumeTypes are both empty: nothing to restrict; list the flavor ids or volume type names the version allows, or leave this resource out" });
    }
    return problems;
}

// ---------------------------------------------------------------------------------------------
// Talking to trove-manage, Trove and Cinder (inside the provider; modules are loaded inside the
// functions because Pulumi serializes the provider's code)

interface Run {
    readonly line: string;
    /** What trove-manage printed: its messages, errors included, go to stdout. */
    readonly stdout: string;
    /** Warnings and logs. */
    readonly stderr: string;
}

/** One trove-manage run on this machine or over SSH; rejects when it exits non-zero, answers its output otherwise. */
async function runTroveManage(s: VersionRestrictionsState, argv: string[]): Promise<Run> {
    const { spawn } = await import("child_process");
    const fs = await import("fs");
    const os = await import("os");
    const path = await import("path");
    const line = shellLine(argv);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trove-manage-"));
    try {
        let run = argv;
        if (s.ssh) {
            const key = path.join(tmp, "id");
            fs.writeFileSync(key, s.ssh.privateKey.endsWith("\n") ? s.ssh.privateKey : `${s.ssh.privateKey}\n`, { mode: 0o600 });
            run = ["ssh", "-i", key, "-p", String(s.ssh.port ?? 22), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
                "-o", `UserKnownHostsFile=${path.join(tmp, "known_hosts")}`, `${s.ssh.user}@${s.ssh.host}`, line];
        }
        const where = s.ssh ? ` on ${s.ssh.host}` : "";
        return await new Promise<Run>((resolve, reject) => {
            const child = spawn(run[0], run.slice(1), { stdio: ["ignore", "pipe", "pipe"], timeout: TROVE_MANAGE_TIMEOUT_MS });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d) => (stdout += d));
            child.stderr.on("data", (d) => (stderr += d));
            child.on("error", (e) => reject(new Error(`could not run ${run[0]}: ${e.message}`)));
            child.on("close", (code, signal) => code === 0
                ? resolve({ line: `${line}${where}`, stdout, stderr })
                : reject(new Error(`\`${line}\`${where} ${signal ? `was stopped (${signal})` : `exited ${code}`}: ${lastLines(`${stderr}\n${stdout}`)}`)));
        });
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

function lastLines(text: string): string {
    return text.trim().split("\n").slice(-5).join(" | ") || "(no output)";
}

/** One item of what Nova or Cinder has: the key this resource uses, and the other name it goes by. */
interface Known {
    /** Flavor id; volume type name. */
    readonly key: string;
    /** Flavor name; volume type id. */
    readonly other: string;
}

/**
 * Cinder's volume types as the connection's user sees them (Trove lists no volume types of its
 * own); undefined when the catalog has no Cinder.
 */
async function cinderVolumeTypes(client: TroveClient, c: TroveConnection): Promise<Known[] | undefined> {
    // The client's Keystone session, shared with every other call of the connection in the process.
    const { token, catalog, projectId } = await client.session();
    const base = catalogEndpoint(catalog, "volumev3", c) ?? catalogEndpoint(catalog, "block-storage", c);
    if (!base) return undefined;
    const url = `${base.replace(/%\(tenant_id\)s|\$\(tenant_id\)s|%\(project_id\)s|\$\(project_id\)s/g, projectId).replace(/\/+$/, "")}/types`;
    const response = await httpRequestWithRetries(url, { method: "GET", headers: { "X-Auth-Token": token, Accept: "application/json" } }, c);
    if (response.status !== 200) throw new Error(`Cinder answered ${response.status} to GET ${url}: ${response.text.trim().slice(0, 300)}`);
    return (JSON.parse(response.text) as { volume_types: { id: string; name: string }[] }).volume_types.map((t) => ({ key: t.name, other: t.id }));
}

/**
 * What Nova (through Trove's `GET /flavors`) or Cinder has; undefined for volume types when the
 * catalog has no Cinder, which is an error only when volume types are wanted or recorded.
 */
async function known(client: TroveClient, s: VersionRestrictionsState, kind: RestrictionKind, recorded: readonly string[]): Promise<Known[] | undefined> {
    if (kind === "volumeTypes") {
        const types = await cinderVolumeTypes(client, s.connection);
        if (!types && (s.volumeTypes.length > 0 || recorded.length > 0)) {
            const c = s.connection;
            throw new Error(`Keystone at ${c.authUrl} lists no ${c.endpointInterface ?? "public"} "volumev3" or "block-storage" endpoint` +
                `${c.region ? ` in region ${c.region}` : ""}, and the volume types of ${subject(s)} are read against Cinder's; without Cinder, leave volumeTypes empty`);
        }
        return types;
    }
    const body = await client.request<{ flavors: { str_id: string; name: string }[] }>("GET", "/flavors");
    return (body?.flavors ?? []).map((f) => ({ key: f.str_id, other: f.name }));
}

/** What Trove allows the version: `GET /datastores/{datastore}/versions/{id}/flavors` or `/volume-types`. */
async function allowed(client: TroveClient, s: VersionRestrictionsState, kind: RestrictionKind): Promise<string[]> {
    const base = `/datastores/${encodeURIComponent(s.datastore)}/versions/${encodeURIComponent(s.versionId)}`;
    if (kind === "flavors") {
        const body = await client.request<{ flavors: { str_id: string }[] }>("GET", `${base}/flavors`);
        return (body?.flavors ?? []).map((f) => f.str_id);
    }
    const body = await client.request<{ volume_types: { name: string }[] }>("GET", `${base}/volume-types`);
    return (body?.volume_types ?? []).map((t) => t.name);
}

function subject(s: VersionRestrictionsState): string {
    return `datastore version ${s.datastore} ${s.version} (number ${s.versionNumber}, id ${s.versionId})`;
}

/** Fails before any write when a desired item does not exist, naming what does. */
function checkExist(s: VersionRestrictionsState, kind: RestrictionKind, items: readonly Known[]): void {
    const keys = new Set(items.map((k) => k.key));
    const missing = s[kind].filter((item) => !keys.has(item));
    if (missing.length === 0) return;
    const w = WORDS[kind];
    const hints = missing.map((m) => {
        const byOther = items.find((k) => k.other === m);
        if (!byOther) return `${show(m)} does not exist`;
        return kind === "flavors" ? `${show(m)} is the name of flavor ${show(byOther.key)}: give its id` : `${show(m)} is the id of volume type ${show(byOther.key)}: give its name`;
    });
    const listed = items.length === 0 ? "none" : items.map((k) => kind === "flavors" ? `${k.key} (${k.other})` : k.key).join(", ");
    throw new Error(`${kind} of ${subject(s)}: ${hints.join("; ")}. Trove would never list an association of a ${w.one} ${w.source} does not have, ` +
        `so none was written. ${w.source} has (as ${s.connection.username} sees it): ${listed}`);
}

function describeAllowed(list: readonly string[], universe: readonly string[]): string {
    return sameSet(list, universe) ? `every one ${universe.length === 0 ? "(none exist)" : `(${[...universe].sort().join(", ")})`}, i.e. not restricted` : `[${[...list].sort().join(", ")}]`;
}

function printed(runs: readonly Run[]): string {
    if (runs.length === 0) return "no trove-manage command was needed";
    return `trove-manage printed: ${runs.map((r) => `\`${r.line}\` -> ${JSON.stringify(lastLines(r.stdout.trim() ? r.stdout : r.stderr))}`).join("; ")}`;
}

/** Takes one kind from what Trove has to `s[kind]`, and checks Trove's answer afterwards. */
async function reconcile(client: TroveClient, s: VersionRestrictionsState, kind: RestrictionKind, recorded: readonly string[], universe: readonly string[]): Promise<void> {
    const desired = s[kind];
    const runs: Run[] = [];
    const runOne = async (op: "add" | "delete", items: string[]): Promise<"done" | "already" | "unknown"> => {
        const run = await runTroveManage(s, restrictionArgv(s, kind, op, items));
        runs.push(run);
        return troveManageOutcome(kind, op, run.stdout);
    };
    const fail = (now: readonly string[]): Error => new Error(`trove-manage did not set the ${kind} of ${subject(s)}: wanted ` +
        `${desired.length > 0 ? `[${[...desired].sort().join(", ")}]` : "not restricted"}, but Trove now allows ${describeAllowed(now, universe)}. ${printed(runs)}`);

    const before = await allowed(client, s, kind);
    const adds = planRestriction({ desired, recorded, allowed: before, universe }).add;
    let addsUnclear = false;
    if (adds.length > 0) {
        const outcome = await runOne("add", adds);
        // Trove adds a comma-joined list one by one and stops at the first that exists already.
        if (outcome === "already" && adds.length > 1) {
            for (const item of adds) if ((await runOne("add", [item])) === "unknown") addsUnclear = true;
        }
        if (outcome === "unknown") addsUnclear = true;
    }
    const now = adds.length > 0 ? await allowed(client, s, kind) : before;
    // Trove's own words count for nothing: only what it now allows does.
    const restricted = !sameSet(now, universe);
    const added = desired.every((d) => now.includes(d)) && (desired.length === 0 || restricted || sameSet(desired, universe));
    if (addsUnclear && !added) throw fail(now);
    const removes = planRestriction({ desired, recorded, allowed: now, universe }).remove;
    for (const item of removes) await runOne("delete", [item]);
    const after = removes.length > 0 ? await allowed(client, s, kind) : now;
    if (!sameSet(after, desired.length > 0 ? desired : universe)) throw fail(after);
}

async function apply(s: VersionRestrictionsState, recorded: Pick<VersionRestrictionsState, RestrictionKind>): Promise<void> {
    const client = new TroveClient(s.connection);
    if (!(await client.getVersion(s.versionId))) throw new Error(`${subject(s)} does not exist in Trove`);
    const universes: Partial<Record<RestrictionKind, string[]>> = {};
    // Every item of both kinds is checked before anything is written.
    for (const kind of RESTRICTION_KINDS) {
        const items = await known(client, s, kind, recorded[kind]);
        if (!items) continue;
        checkExist(s, kind, items);
        universes[kind] = items.map((k) => k.key);
    }
    await eachKind(async (kind) => {
        const universe = universes[kind];
        if (universe) await reconcile(client, s, kind, recorded[kind], universe);
    });
}

/**
 * Runs `work` for flavors and volume types at once (each trove-manage run starts Trove's Python
 * anew, seconds each; the two kinds are rows of their own), and fails with every failure.
 */
async function eachKind(work: (kind: RestrictionKind) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(RESTRICTION_KINDS.map((kind) => work(kind)));
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason instanceof Error ? r.reason : new Error(String(r.reason))] : []));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new Error(failures.map((e) => e.message).join("\n"));
}

/** Drops undefined fields: the engine's wire format has no undefined. */
function defined<T extends object>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function normalise(inputs: VersionRestrictionsState): VersionRestrictionsState {
    return defined({ ...inputs, flavors: [...(inputs.flavors ?? [])], volumeTypes: [...(inputs.volumeTypes ?? [])] });
}

const provider: pulumi.dynamic.ResourceProvider<VersionRestrictionsState, VersionRestrictionsState> = {
    async create(inputs) {
        const s = normalise(inputs);
        await apply(s, { flavors: [], volumeTypes: [] });
        return { id: `${s.versionId}/restrictions`, outs: s };
    },

    async read(id, props) {
        if (!props) throw new Error(`cannot read datastore version restrictions ${id} without their recorded connection`);
        const s = normalise(props);
        const client = new TroveClient(s.connection);
        // An empty result tells `pulumi refresh` the version, and so its associations, are gone.
        if (!(await client.getVersion(s.versionId))) return {};
        const observed: Partial<Record<RestrictionKind, string[]>> = {};
        for (const kind of RESTRICTION_KINDS) {
            const items = await known(client, s, kind, s[kind]);
            observed[kind] = items ? observedRestriction(await allowed(client, s, kind), items.map((k) => k.key), s[kind]) : [];
        }
        return { id, props: { ...s, flavors: observed.flavors ?? [], volumeTypes: observed.volumeTypes ?? [] } };
    },

    async diff(_id, olds, news) {
        const { changes, replaces } = diffRestrictions(normalise(olds), normalise(news));
        return { changes: changes.length > 0, replaces };
    },

    async update(_id, olds, news) {
        const s = normalise(news);
        const before = normalise(olds);
        await apply(s, { flavors: before.flavors, volumeTypes: before.volumeTypes });
        return { outs: s };
    },

    async delete(_id, props) {
        const s = normalise(props);
        const client = new TroveClient(s.connection);
        // Gone with its version: nothing is left to remove.
        if (!(await client.getVersion(s.versionId))) return;
        await eachKind(async (kind) => {
            if (s[kind].length === 0) return;
            const universe = ((await known(client, s, kind, s[kind])) ?? []).map((k) => k.key);
            const remove = planRemoval({ recorded: s[kind], allowed: await allowed(client, s, kind), universe });
            const runs: Run[] = [];
            for (const item of remove) {
                const run = await runTroveManage(s, restrictionArgv(s, kind, "delete", [item]));
                runs.push(run);
            }
            const after = await allowed(client, s, kind);
            const left = sameSet(after, universe) ? [] : remove.filter((item) => after.includes(item));
            if (left.length > 0) {
                throw new Error(`trove-manage did not remove the ${kind} ${left.join(", ")} from ${subject(s)}: Trove still allows ${describeAllowed(after, universe)}. ${printed(runs)}`);
            }
        });
    },
};

/** The inputs as the provider gets them, after validation. */
function restrictionInputs(name: string, args: DatastoreVersionRestrictionsArgs): pulumi.Inputs {
    throwIfProblems(`DatastoreVersionRestrictions ${name}`, validateVersionRestrictionsArgs(args));
    return {
        ...args,
        flavors: [...(args.flavors ?? [])],
        volumeTypes: [...(args.volumeTypes ?? [])],
        connection: pulumi.secret(args.connection),
        ssh: args.ssh && pulumi.secret(args.ssh),
    };
}

/**
 * The flavors (Nova ids) and volume types (Cinder names) one Trove datastore version allows, written
 * with `trove-manage datastore_version_{flavor,volume_type}_{add,delete}` on this machine or on a
 * controller over SSH, and read (and checked after every write) through Trove's REST API. An empty
 * list leaves that kind not restricted. Set changes update in place; a new version id replaces.
 */
export class DatastoreVersionRestrictions extends pulumi.dynamic.Resource {
    public readonly versionId!: pulumi.Output<string>;
    /** The flavor ids the version allows; [] when not restricted. */
    public readonly flavors!: pulumi.Output<string[]>;
    /** The volume type names the version allows; [] when not restricted. */
    public readonly volumeTypes!: pulumi.Output<string[]>;

    constructor(name: string, args: DatastoreVersionRestrictionsArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, restrictionInputs(name, args),
            { ...opts, additionalSecretOutputs: ["connection", "ssh"] }, "trove-region", "DatastoreVersionRestrictions");
    }
}
