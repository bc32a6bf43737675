// The engine's `pulumi preview --refresh --json` digest, summarised for an operator: one line per
// resource that differs from the program, saying what happened (changed out of band, with the
// properties' values in the cloud and in the program; deleted out of band; not created yet; no longer
// in the program). Run by ci/drift.sh:
//
//   npx ts-node --transpile-only ci/drift-report.ts preview.json [--stack NAME]
//
// Exit status: 0 no drift, 3 drift, 1 the preview failed (its errors are printed) or the file is not
// a preview digest, 64 bad usage. Secrets stay as the engine wrote them: "[secret]".
import * as fs from "fs";

/** A resource's state as the digest serialises it (secret values already replaced by "[secret]"). */
export interface StepState {
    readonly type?: string;
    readonly id?: string;
    readonly custom?: boolean;
    readonly inputs?: Record<string, unknown>;
    readonly outputs?: Record<string, unknown>;
}

/** One entry of a step's detailedDiff: "add", "delete", "update", each maybe with "-replace". */
export interface PropertyDiff {
    readonly kind: string;
    readonly inputDiff?: boolean;
}

export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly oldState?: StepState | null;
    readonly newState?: StepState | null;
    readonly diffReasons?: readonly string[] | null;
    readonly replaceReasons?: readonly string[] | null;
    readonly detailedDiff?: Readonly<Record<string, PropertyDiff>> | null;
}

export interface PreviewDiagnostic {
    readonly urn?: string;
    readonly message: string;
    readonly severity: string;
}

/** What `pulumi preview --json` prints (display.PreviewDigest). */
export interface PreviewDigest {
    readonly steps?: readonly PreviewStep[] | null;
    readonly diagnostics?: readonly PreviewDiagnostic[] | null;
    readonly changeSummary?: Readonly<Record<string, number>> | null;
}

/**
 * What happened to one resource: `changed` (up updates it back), `replaced` (up replaces it),
 * `deleted` (gone from the cloud, up creates it again), `new` (never created: a program or config
 * change not applied yet), `removed` (no longer in the program, up deletes it), `other` (any other
 * step the engine plans, named by its op).
 */
export type DriftKind = "changed" | "replaced" | "deleted" | "new" | "removed" | "other";

/** One property: its value in the cloud (after the refresh) and in the program; undefined is absent. */
export interface PropertyChange {
    readonly path: string;
    readonly old: unknown;
    readonly new: unknown;
}

export interface Drift {
    readonly name: string;
    readonly type: string;
    readonly urn: string;
    readonly op: string;
    readonly kind: DriftKind;
    readonly properties: readonly PropertyChange[];
}

export interface DriftReport {
    /** 0 no drift, 3 drift, 1 the preview failed. */
    readonly status: 0 | 1 | 3;
    readonly drifts: readonly Drift[];
    readonly lines: readonly string[];
}

/** Steps that plan nothing: the refresh itself, unchanged resources, reads. */
const NO_CHANGE_OPS = new Set(["same", "refresh", "read", "read-replacement", "discard", "discard-replaced"]);
/** The halves of a replacement, shown only with --show-replacement-steps; the "replace" step says it. */
const REPLACEMENT_HALVES = new Set(["create-replacement", "delete-replaced"]);
const STACK_TYPE = "pulumi:pulumi:Stack";
const SECRET = "[secret]";
const MAX_VALUE = 80;

/** The name and type a URN carries: `urn:pulumi:<stack>::<project>::<parent$type>::<name>`. */
export function parseUrn(urn: string): { name: string; type: string } {
    const parts = urn.split("::");
    if (parts.length < 4) return { name: urn, type: "" };
    const qualified = parts[2];
    return { name: parts.slice(3).join("::"), type: qualified.slice(qualified.lastIndexOf("$") + 1) };
}

/**
 * A property path as the engine writes detailedDiff keys (`a.b[0].c`, `tags["x.y"]`) as its segments.
 * Exported for testing.
 */
export function parsePath(path: string): (string | number)[] {
    const segments: (string | number)[] = [];
    const re = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]]+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(path)) !== null) {
        if (m[1] !== undefined) segments.push(Number(m[1]));
        else if (m[2] !== undefined) segments.push(m[2].replace(/\\(.)/g, "$1"));
        else segments.push(m[3]);
    }
    return segments;
}

/** The value at `path` in `root`; undefined when any step is missing (or goes through a secret). */
export function valueAt(root: unknown, path: string): unknown {
    let value: unknown = root;
    for (const segment of parsePath(path)) {
        if (value === null || typeof value !== "object") return value === SECRET ? SECRET : undefined;
        value = (value as Record<string | number, unknown>)[segment];
    }
    return value;
}

/** JSON with object keys sorted: a comparison that ignores key order. */
function canonical(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
    }
    return JSON.stringify(value) ?? "undefined";
}

/** What the cloud has for a property (the refreshed outputs, else the recorded inputs). */
function cloudValue(state: StepState | null | undefined, path: string): unknown {
    const fromOutputs = valueAt(state?.outputs, path);
    return fromOutputs !== undefined ? fromOutputs : valueAt(state?.inputs, path);
}

/**
 * The properties an update or replacement changes: the provider's detailed diff, else its diff
 * reasons, else (dynamic providers report neither) every input whose program value differs from the
 * cloud's.
 */
export function changedProperties(step: PreviewStep): PropertyChange[] {
    const detailed = Object.keys(step.detailedDiff ?? {});
    const reasons = [...(step.diffReasons ?? []), ...(step.replaceReasons ?? [])].filter((r, i, all) => all.indexOf(r) === i);
    const paths = detailed.length > 0 ? detailed : reasons;
    if (paths.length > 0) {
        return paths.map((path) => {
            const kind = step.detailedDiff?.[path]?.kind ?? "";
            return {
                path,
                old: kind.startsWith("add") ? undefined : cloudValue(step.oldState, path),
                new: kind.startsWith("delete") ? undefined : valueAt(step.newState?.inputs, path),
            };
        });
    }
    const inputs = step.newState?.inputs ?? {};
    return Object.keys(inputs)
        .filter((key) => key !== "__provider")
        .sort()
        .map((key) => ({ path: key, old: cloudValue(step.oldState, key), new: inputs[key] }))
        .filter((c) => !(c.old === SECRET && c.new === SECRET) && canonical(c.old) !== canonical(c.new));
}

/** Every resource the preview would change, in name order; the stack itself and unchanged ones left out. */
export function findDrift(digest: PreviewDigest): Drift[] {
    const steps = digest.steps ?? [];
    // Resources the refresh read: those the state held before this preview.
    const inState = new Set(steps.filter((s) => s.op === "refresh").map((s) => s.urn));
    const replaced = new Set(steps.filter((s) => s.op === "replace").map((s) => s.urn));
    const drifts: Drift[] = [];
    for (const step of steps) {
        if (NO_CHANGE_OPS.has(step.op)) continue;
        if (REPLACEMENT_HALVES.has(step.op) && replaced.has(step.urn)) continue;
        const parsed = parseUrn(step.urn);
        const type = step.newState?.type ?? step.oldState?.type ?? parsed.type;
        if (type === STACK_TYPE) continue;
        let kind: DriftKind;
        let properties: PropertyChange[] = [];
        switch (step.op) {
            case "create":
                kind = inState.has(step.urn) ? "deleted" : "new";
                break;
            case "update":
                kind = "changed";
                properties = changedProperties(step);
                break;
            case "replace":
            case "create-replacement":
            case "delete-replaced":
                kind = "replaced";
                properties = changedProperties(step);
                break;
            case "delete":
                kind = "removed";
                break;
            default:
                kind = "other";
        }
        drifts.push({ name: parsed.name, type, urn: step.urn, op: step.op, kind, properties });
    }
    return drifts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}

/** A value as an operator reads it: text quoted, secrets as "[secret]", long ones shortened. */
export function showValue(value: unknown): string {
    if (value === undefined) return "(none)";
    if (value === SECRET) return SECRET;
    const text = JSON.stringify(value) ?? String(value);
    return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 3)}...` : text;
}

function showProperties(properties: readonly PropertyChange[]): string {
    return properties.map((p) => `${p.path} ${showValue(p.old)} -> ${showValue(p.new)}`).join(", ");
}

/** One resource's line. */
export function describeDrift(drift: Drift): string {
    const head = `${drift.name} (${drift.type})`;
    const props = showProperties(drift.properties);
    switch (drift.kind) {
        case "changed":
            return props
                ? `~ ${head}: changed out of band, up sets it back: ${props}`
                : `~ ${head}: changed out of band (the provider names no property), up updates it`;
        case "replaced":
            return props
                ? `+- ${head}: changed out of band, up replaces it: ${props}`
                : `+- ${head}: changed out of band, up replaces it`;
        case "deleted":
            return `+ ${head}: deleted out of band, up creates it again`;
        case "new":
            return `+ ${head}: not created yet (a program or configuration change, not drift), up creates it`;
        case "removed":
            return `- ${head}: no longer in the program, up deletes it`;
        default:
            return `? ${head}: up would ${drift.op} it`;
    }
}

/** Terminal colours and trailing blank lines out of an engine message. */
function plain(message: string): string {
    return message.replace(/\u001b\[[0-9;]*m/g, "").replace(/\s+$/, "");
}

/** The preview's errors, as the engine printed them. */
export function previewErrors(digest: PreviewDigest): string[] {
    return (digest.diagnostics ?? []).filter((d) => d.severity === "error").map((d) => plain(d.message));
}

/** The whole report for `stack`. */
export function driftReport(digest: PreviewDigest, stack: string): DriftReport {
    const errors = previewErrors(digest);
    if (errors.length > 0) {
        return { status: 1, drifts: [], lines: [`The drift check of stack ${stack} failed: the preview reported ${errors.length} error(s):`, ...errors] };
    }
    const drifts = findDrift(digest);
    const checked = (digest.steps ?? []).filter((s) => s.op === "refresh" && parseUrn(s.urn).type !== STACK_TYPE).length;
    if (drifts.length === 0) {
        return { status: 0, drifts, lines: [`No drift in stack ${stack}: all ${checked} resources match the program after a refresh.`] };
    }
    const outOfBand = drifts.filter((d) => d.kind === "changed" || d.kind === "replaced" || d.kind === "deleted").length;
    return {
        status: 3,
        drifts,
        lines: [
            `Drift in stack ${stack}: ${drifts.length} of ${checked} resources differ from the program (${outOfBand} changed or deleted out of band); \`pulumi up --refresh\` would:`,
            ...drifts.map(describeDrift),
        ],
    };
}

/** The digest in `text`; throws with what is wrong when it is not one. */
export function parseDigest(text: string): PreviewDigest {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (e) {
        throw new Error(`not JSON (${(e as Error).message}); the preview printed ${text.trim() ? `${text.trim().length} characters of something else` : "nothing"}`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("not a preview digest: expected a JSON object with steps");
    const digest = value as PreviewDigest;
    if (digest.steps !== undefined && digest.steps !== null && !Array.isArray(digest.steps)) throw new Error("not a preview digest: steps is not a list");
    return digest;
}

function main(argv: string[]): number {
    let file: string | undefined;
    let stack = "(unnamed)";
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--stack") stack = argv[++i] ?? stack;
        else if (!file && !argv[i].startsWith("-")) file = argv[i];
        else {
            console.error(`drift-report: unexpected argument ${argv[i]}`);
            return 64;
        }
    }
    if (!file) {
        console.error("usage: drift-report.ts PREVIEW.json [--stack NAME]");
        return 64;
    }
    let digest: PreviewDigest;
    try {
        digest = parseDigest(fs.readFileSync(file, "utf8"));
    } catch (e) {
        console.error(`drift-report: ${file}: ${(e as Error).message}`);
        return 1;
    }
    const report = driftReport(digest, stack);
    for (const line of report.lines) console.log(line);
    return report.status;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
