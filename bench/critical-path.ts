// The critical path of a `pulumi up` (issue 17, goal 3): from the engine's event log (`pulumi up
// --event-log <file>`, one JSON engine event a line) each resource's start and end, and from the
// stack's state after the up (`pulumi stack export`) what waited for what. The longest chain of
// durations along those waits is the floor no scheduling can beat; the up's wall time over it says
// how much the engine, the program and the providers add.
//
// The event shapes are @pulumi/pulumi's `automation/events.d.ts` (Go: sdk/go/common/apitype
// EngineEvent): `resourcePreEvent.metadata` when a step starts, `resOutputsEvent.metadata` when it
// is done, `resOpFailedEvent.metadata` when it failed; `metadata.urn`, `.op`, `.type` and
// `.new.custom`. `timestamp` is a Unix time in whole seconds (the CLI stamps `int(time.Now().Unix())`),
// so durations from it are good to a second only. A line may therefore carry a finer arrival time of
// its own in front, `<seconds.fraction>\t<event JSON>` (bench/provision.sh stamps the log as it is
// written), which is then used instead. Dependencies are not in the events: they come from the
// state (`resources[].dependencies`, `propertyDependencies`, `parent`, `provider`).
//
// Pure: no files, no processes. bench/provision-report.ts reads the files and prints.

/** One step event of one resource, normalised. */
export interface StepEvent {
    readonly kind: "pre" | "outputs" | "failed";
    /** Seconds (Unix), fractional when the line carried an arrival time. */
    readonly time: number;
    readonly sequence: number;
    readonly urn: string;
    readonly type: string;
    readonly op: string;
    /** `metadata.new.custom` (or `.old.custom`) when the event carries it. */
    readonly custom: boolean | undefined;
}

/** What `parseEventLog` found in an event log. */
export interface EventLog {
    readonly steps: readonly StepEvent[];
    /** Time of the first and last event of any kind (undefined for an empty log). */
    readonly firstTime: number | undefined;
    readonly lastTime: number | undefined;
    /** `summaryEvent.durationSeconds`, the engine's own figure for the operation (whole seconds). */
    readonly summarySeconds: number | undefined;
    /** True when every event line carried its own (sub-second) arrival time. */
    readonly fineTimes: boolean;
    /** Lines that were neither JSON engine events nor blank (1-based line numbers). */
    readonly badLines: readonly number[];
}

/** One resource of a `pulumi stack export` (deployment v3), the fields used here. */
export interface StateResource {
    readonly urn: string;
    readonly type?: string;
    readonly custom?: boolean;
    readonly parent?: string;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    /** `<provider URN>::<provider id>`. */
    readonly provider?: string;
    readonly delete?: boolean;
}

export type TimingStatus = "done" | "failed" | "unfinished" | "no events";

/** One resource's times in the up. */
export interface ResourceTiming {
    readonly urn: string;
    readonly name: string;
    readonly type: string;
    /** A provider operation ran (custom resource); components have no duration of their own. */
    readonly custom: boolean;
    readonly status: TimingStatus;
    readonly op: string | undefined;
    readonly start: number | undefined;
    readonly end: number | undefined;
    /** end - start for a custom resource with both; 0 for a component; undefined otherwise. */
    readonly duration: number | undefined;
}

/** One resource on the critical path, in order (first waited for by none on the path). */
export interface ChainStep extends ResourceTiming {
    /** The duration counted in the floor (0 for a component or a resource with no end). */
    readonly counted: number;
    /** Start minus the latest end of what it waits for (or minus the log's first event):
     *  time it could have been running but was not. Undefined when either is unknown. */
    readonly waited: number | undefined;
}

export interface CriticalPath {
    readonly timings: readonly ResourceTiming[];
    readonly chain: readonly ChainStep[];
    /** Sum of the counted durations along the chain, seconds. */
    readonly floorSeconds: number;
    /** The wall time compared with the floor: as given, else the engine's summary, else the log's span. */
    readonly wallSeconds: number | undefined;
    readonly wallSource: "given" | "summary event" | "event log span" | "none";
    /** wall / floor; undefined when either is unknown or the floor is 0. */
    readonly ratio: number | undefined;
    /** Resources whose times are incomplete, dependency cycles, unparsable lines: reported, not thrown. */
    readonly problems: readonly string[];
}

const STAMPED_LINE = /^(\d+(?:\.\d+)?)\t(.*)$/s;

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
    const value = record[key];
    return typeof value === "string" ? value : undefined;
}

function customOf(metadata: Record<string, unknown>): boolean | undefined {
    for (const key of ["new", "old"]) {
        const state = metadata[key];
        if (isRecord(state) && typeof state.custom === "boolean") return state.custom;
    }
    return undefined;
}

const STEP_KINDS = [["resourcePreEvent", "pre"], ["resOutputsEvent", "outputs"], ["resOpFailedEvent", "failed"]] as const;

/** Parses an event log's text (JSON lines, optionally each prefixed by `<arrival seconds>\t`). */
export function parseEventLog(text: string): EventLog {
    const steps: StepEvent[] = [];
    const badLines: number[] = [];
    let firstTime: number | undefined;
    let lastTime: number | undefined;
    let summarySeconds: number | undefined;
    let stamped = 0;
    let events = 0;
    text.split("\n").forEach((raw, index) => {
        const line = raw.trim();
        if (line === "") return;
        const stamp = STAMPED_LINE.exec(line);
        let event: unknown;
        try {
            event = JSON.parse(stamp ? stamp[2] : line);
        } catch {
            badLines.push(index + 1);
            return;
        }
        if (!isRecord(event) || typeof event.timestamp !== "number") {
            badLines.push(index + 1);
            return;
        }
        events++;
        if (stamp) stamped++;
        const time = stamp ? Number(stamp[1]) : event.timestamp;
        firstTime = firstTime === undefined ? time : Math.min(firstTime, time);
        lastTime = lastTime === undefined ? time : Math.max(lastTime, time);
        const sequence = typeof event.sequence === "number" ? event.sequence : index;
        if (isRecord(event.summaryEvent) && typeof event.summaryEvent.durationSeconds === "number") {
            summarySeconds = event.summaryEvent.durationSeconds;
        }
        for (const [field, kind] of STEP_KINDS) {
            const body = event[field];
            if (!isRecord(body) || !isRecord(body.metadata)) continue;
            // Events of a preview run inside an update are marked `planning`: not work done.
            if (body.planning === true) continue;
            const metadata = body.metadata;
            const urn = stringField(metadata, "urn");
            if (urn === undefined) continue;
            steps.push({ kind, time, sequence, urn, type: stringField(metadata, "type") ?? typeOfUrn(urn), op: stringField(metadata, "op") ?? "", custom: customOf(metadata) });
        }
    });
    return { steps, firstTime, lastTime, summarySeconds, fineTimes: events > 0 && stamped === events, badLines };
}

/** The resources of `pulumi stack export`'s JSON (or of a bare resource list). Throws on neither. */
export function parseStateResources(json: unknown): StateResource[] {
    const list = isRecord(json) && isRecord(json.deployment) ? json.deployment.resources : json;
    if (list === undefined || list === null) return []; // an export of an empty stack has no `resources`
    if (!Array.isArray(list)) throw new Error("not a stack export: expected deployment.resources or an array of resources");
    return list.filter((r): r is StateResource => isRecord(r) && typeof r.urn === "string");
}

/** The name part of a URN (`urn:pulumi:stack::project::type::name`). */
export function nameOfUrn(urn: string): string {
    const parts = urn.split("::");
    return parts[parts.length - 1];
}

/** The resource's own type from its URN (the qualified type's last `$` part). */
export function typeOfUrn(urn: string): string {
    const parts = urn.split("::");
    const qualified = parts.length >= 2 ? parts[parts.length - 2] : "";
    const types = qualified.split("$");
    return types[types.length - 1];
}

/** The provider URN of a `<urn>::<id>` provider reference. */
export function providerUrn(reference: string): string {
    const at = reference.lastIndexOf("::");
    return at < 0 ? reference : reference.slice(0, at);
}

/** What a resource waited for, by URN: dependencies, property dependencies, its provider and its parent. */
export function predecessorsOf(resource: StateResource): string[] {
    const preds = new Set<string>(resource.dependencies ?? []);
    for (const urns of Object.values(resource.propertyDependencies ?? {})) for (const urn of urns) preds.add(urn);
    if (resource.provider) preds.add(providerUrn(resource.provider));
    // A child is registered only once its parent's URN is known: a custom parent's after it is done,
    // a component's after the component's own dependencies are.
    if (resource.parent) preds.add(resource.parent);
    preds.delete(resource.urn);
    return [...preds];
}

/** Each resource's start, end and duration: resources of the state, then any seen only in the events. */
export function resourceTimings(log: EventLog, resources: readonly StateResource[]): ResourceTiming[] {
    const byUrn = new Map<string, StepEvent[]>();
    for (const step of log.steps) {
        const list = byUrn.get(step.urn) ?? [];
        list.push(step);
        byUrn.set(step.urn, list);
    }
    const stateByUrn = new Map(resources.filter((r) => !r.delete).map((r) => [r.urn, r]));
    const urns = [...stateByUrn.keys(), ...[...byUrn.keys()].filter((u) => !stateByUrn.has(u))];
    return urns.map((urn) => {
        const steps = (byUrn.get(urn) ?? []).slice().sort((a, b) => a.time - b.time || a.sequence - b.sequence);
        const state = stateByUrn.get(urn);
        const custom = state?.custom ?? steps.find((s) => s.custom !== undefined)?.custom ?? false;
        const pres = steps.filter((s) => s.kind === "pre");
        const ends = steps.filter((s) => s.kind !== "pre");
        const start = pres.length > 0 ? pres[0].time : undefined;
        const last = ends.length > 0 ? ends[ends.length - 1] : undefined;
        const status: TimingStatus = steps.length === 0 ? "no events" : last === undefined ? "unfinished" : last.kind === "failed" ? "failed" : "done";
        const end = last?.time;
        const duration = !custom ? 0 : start !== undefined && end !== undefined ? Math.max(0, end - start) : undefined;
        return { urn, name: nameOfUrn(urn), type: state?.type ?? steps[0]?.type ?? typeOfUrn(urn), custom, status, op: pres[0]?.op ?? steps[0]?.op, start, end, duration };
    });
}

/**
 * The longest chain of durations along what waited for what, the floor it implies, and the wall
 * time over the floor. Resources with no end (failed before outputs, or never finished) count 0 and
 * are listed in `problems`; so are dependency cycles and unparsable lines.
 */
export function criticalPath(log: EventLog, resources: readonly StateResource[], options: { readonly wallSeconds?: number } = {}): CriticalPath {
    const timings = resourceTimings(log, resources);
    const timingByUrn = new Map(timings.map((t) => [t.urn, t]));
    const preds = new Map<string, string[]>();
    for (const r of resources) if (!r.delete) preds.set(r.urn, predecessorsOf(r).filter((u) => timingByUrn.has(u)));
    const problems: string[] = [];
    if (log.badLines.length > 0) problems.push(`${log.badLines.length} event log line(s) not engine events (line ${log.badLines.slice(0, 5).join(", ")}${log.badLines.length > 5 ? ", ..." : ""})`);
    for (const t of timings) {
        if (!t.custom) continue;
        if (t.status === "unfinished") problems.push(`${t.name} (${t.type}): started, no end event`);
        else if (t.status === "failed") problems.push(`${t.name} (${t.type}): failed after ${fmt(t.duration)} s`);
        // Default providers' steps are internal to the engine; a provider without events is no news.
        else if (t.status === "no events" && !t.type.startsWith("pulumi:providers:")) problems.push(`${t.name} (${t.type}): in the state, no events`);
    }
    // A failed step counts for as long as it ran; one with no end counts 0 (its problem says so).
    const counted = (t: ResourceTiming): number => t.duration ?? 0;

    // Longest path by summed durations: memoised depth-first search, cycles cut and reported.
    const floorAt = new Map<string, number>();
    const bestPred = new Map<string, string | undefined>();
    const visiting = new Set<string>();
    const visit = (urn: string): number => {
        const known = floorAt.get(urn);
        if (known !== undefined) return known;
        if (visiting.has(urn)) {
            problems.push(`dependency cycle through ${nameOfUrn(urn)}`);
            return 0;
        }
        visiting.add(urn);
        let best: string | undefined;
        let bestFloor = 0;
        for (const p of (preds.get(urn) ?? []).slice().sort()) {
            const f = visit(p);
            if (best === undefined || f > bestFloor || (f === bestFloor && (timingByUrn.get(p)?.end ?? -Infinity) > (timingByUrn.get(best)?.end ?? -Infinity))) {
                best = p;
                bestFloor = f;
            }
        }
        visiting.delete(urn);
        const own = counted(timingByUrn.get(urn) as ResourceTiming);
        floorAt.set(urn, own + bestFloor);
        bestPred.set(urn, best);
        return own + bestFloor;
    };
    let tail: string | undefined;
    let floorSeconds = 0;
    for (const t of timings) {
        const f = visit(t.urn);
        if (tail === undefined || f > floorSeconds) {
            tail = t.urn;
            floorSeconds = f;
        }
    }
    const path: string[] = [];
    for (let u = tail; u !== undefined && !path.includes(u); u = bestPred.get(u)) path.unshift(u);
    // Components carry no time of their own: keep them on the path only between two that do.
    // When a resource could have started: the latest end of what it waits for, through components
    // (which end, for this purpose, when what they wait for has); the log's first event if nothing.
    const readyMemo = new Map<string, number | undefined>();
    const readyAtOf = (urn: string, seen: ReadonlySet<string>): number | undefined => {
        if (readyMemo.has(urn)) return readyMemo.get(urn);
        const ends = (preds.get(urn) ?? []).filter((p) => !seen.has(p)).map((p) => {
            const pt = timingByUrn.get(p) as ResourceTiming;
            return pt.custom ? pt.end : readyAtOf(p, new Set([...seen, p]));
        });
        const ready = ends.length === 0 ? log.firstTime : ends.some((e) => e === undefined) ? undefined : Math.max(...(ends as number[]));
        readyMemo.set(urn, ready);
        return ready;
    };
    const chain: ChainStep[] = path.map((urn) => {
        const t = timingByUrn.get(urn) as ResourceTiming;
        const readyAt = readyAtOf(urn, new Set([urn]));
        const waited = t.custom && t.start !== undefined && readyAt !== undefined ? t.start - readyAt : undefined;
        return { ...t, counted: counted(t), waited };
    }).filter((step, i, all) => step.custom || (all.slice(0, i).some((s) => s.counted > 0) && all.slice(i + 1).some((s) => s.counted > 0)));

    const span = log.firstTime !== undefined && log.lastTime !== undefined ? log.lastTime - log.firstTime : undefined;
    const [wallSeconds, wallSource] = options.wallSeconds !== undefined ? [options.wallSeconds, "given" as const]
        : log.summarySeconds !== undefined ? [log.summarySeconds, "summary event" as const]
        : span !== undefined ? [span, "event log span" as const] : [undefined, "none" as const];
    const ratio = wallSeconds !== undefined && floorSeconds > 0 ? wallSeconds / floorSeconds : undefined;
    return { timings, chain, floorSeconds, wallSeconds, wallSource, ratio, problems };
}

function fmt(seconds: number | undefined, digits = 1): string {
    return seconds === undefined ? "?" : seconds.toFixed(digits);
}

/** The critical path as printable lines: one row per resource on the chain, then floor, wall, ratio, problems. */
export function formatCriticalPath(result: CriticalPath, options: { readonly fineTimes?: boolean } = {}): string[] {
    const digits = options.fineTimes === false ? 0 : 1;
    const rows = result.chain.map((s) => {
        const duration = s.custom ? `${fmt(s.duration, digits)} s` : "component";
        const waited = s.waited === undefined ? "" : `  waited ${fmt(s.waited, digits)} s`;
        const status = s.status === "done" ? "" : `  (${s.status})`;
        return `    ${s.name.padEnd(36)} ${s.type.padEnd(44)} ${duration.padStart(9)}${waited}${status}`;
    });
    const lines = [
        `  critical path of pulumi up from empty (${result.chain.filter((s) => s.custom).length} resource(s); times from the ${options.fineTimes === false ? "engine's events, whole seconds" : "event log as written"}):`,
        ...(rows.length > 0 ? rows : ["    (no resource events)"]),
        `  floor (sum along the chain) ${fmt(result.floorSeconds, digits)} s; wall ${fmt(result.wallSeconds)} s (${result.wallSource}); wall / floor ${result.ratio === undefined ? "?" : result.ratio.toFixed(2)}`,
    ];
    for (const p of result.problems) lines.push(`  ! ${p}`);
    return lines;
}
