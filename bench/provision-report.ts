// The report of bench/provision.sh (issue 17): the critical path of the `pulumi up` from empty and
// every goal's line (PASS, FAIL or NOT MEASURED). The shell passes the times it measured as
// options, the event log of the up and the stack's export after it:
//
//   npx ts-node --transpile-only bench/provision-report.ts --events up.events.jsonl \
//       [--stamped up.events.stamped] --state state.json --up-empty 21.9 --preview-same 7.3 ...
//
// Figures not given are NOT MEASURED, never PASS. It exits 0 whatever the verdicts (a benchmark
// reports; `npm run bench` goes on to the upload benchmark) and 2 on bad options.
import * as fs from "fs";
import { parseArgs } from "util";
import { CriticalPath, EventLog, criticalPath, formatCriticalPath, parseEventLog, parseStateResources, StateResource } from "./critical-path";
import { Goal, goalLine, limitGoal, ratioGoal } from "./goals";

/** Seconds (or counts) measured by this run; undefined = not measured. */
export interface ProvisionFigures {
    readonly upEmpty?: number;
    readonly upSame?: number;
    readonly previewSame?: number;
    /** Preview with one more SSH CIDR configured. */
    readonly previewOneChange?: number;
    readonly cli?: number;
    /** Goal 2: the same figures for a stack with 30 datastore versions, and Keystone token requests. */
    readonly previewSame30?: number;
    readonly upSame30?: number;
    readonly upEmpty30?: number;
    readonly tokens3?: number;
    readonly tokens30?: number;
    /** Goal 5: the unit suite and a warm `npm start`, seconds. */
    readonly unitSuite?: number;
    readonly startWarm?: number;
}

/** Issue 17's goals 1, 2, 3 and 5 from this run's figures (goal 4 is bench/guest-image-upload's). */
export function provisionGoals(f: ProvisionFigures, path: CriticalPath | undefined): Goal[] {
    const versions = "needs the 30-version stack";
    return [
        ratioGoal("1a", "no-change preview / CLI way", f.previewSame, f.cli, 0.1),
        ratioGoal("1b", "one-change preview / no-change preview", f.previewOneChange, f.previewSame, 1.2),
        ratioGoal("2a", "preview, 30 versions / 3 versions", f.previewSame30, f.previewSame, 2, versions),
        ratioGoal("2b", "no-change up, 30 versions / 3 versions", f.upSame30, f.upSame, 2, versions),
        ratioGoal("2c", "up from empty, 30 versions / 3 versions", f.upEmpty30, f.upEmpty, 2, versions),
        ratioGoal("2d", "Keystone tokens, 30 versions / 3 versions", f.tokens30, f.tokens3, 1, "needs a token count"),
        ratioGoal("3a", "up from empty / critical-path floor", f.upEmpty, path && path.floorSeconds > 0 ? path.floorSeconds : undefined, 1.15, "no critical path (event log or state missing)"),
        ratioGoal("3b", "up from empty / CLI way", f.upEmpty, f.cli, 0.5),
        limitGoal("5a", "unit suite (jest unit project), seconds", f.unitSuite, 30, "s", "not run, or it failed"),
        limitGoal("5b", "npm start on a warm machine, seconds", f.startWarm, 60, "s", "not run, or it failed"),
    ];
}

/**
 * The event log to use: the one stamped with arrival times (sub-second) when it holds at least the
 * step events of the engine's own, else the engine's (whole seconds).
 */
export function chooseEventLog(plain: EventLog | undefined, stamped: EventLog | undefined): EventLog | undefined {
    if (stamped && stamped.fineTimes && stamped.steps.length > 0 && stamped.steps.length >= (plain?.steps.length ?? 0)) return stamped;
    return plain ?? stamped;
}

/** The report's lines: the critical path (or why there is none), then a line per goal. */
export function reportLines(figures: ProvisionFigures, log: EventLog | undefined, resources: readonly StateResource[] | undefined, notes: readonly string[] = []): string[] {
    const lines: string[] = [];
    let path: CriticalPath | undefined;
    if (log && resources) {
        path = criticalPath(log, resources, { wallSeconds: figures.upEmpty });
        lines.push(...formatCriticalPath(path, { fineTimes: log.fineTimes }));
    } else {
        lines.push(`  critical path: not measured (${!log ? "no event log" : "no stack state"})`);
    }
    for (const note of notes) lines.push(`  ! ${note}`);
    lines.push("", "issue 17 goals (ratios from this run):");
    lines.push(...provisionGoals(figures, path).map((g) => `  ${goalLine(g)}`));
    return lines;
}

const FIGURE_OPTIONS = {
    "up-empty": "upEmpty", "up-same": "upSame", "preview-same": "previewSame", "preview-one-change": "previewOneChange", cli: "cli",
    "preview-same-30": "previewSame30", "up-same-30": "upSame30", "up-empty-30": "upEmpty30", "tokens-3": "tokens3", "tokens-30": "tokens30",
    "unit-suite": "unitSuite", "start-warm": "startWarm",
} as const satisfies Record<string, keyof ProvisionFigures>;

/** Figures from option values: empty means not measured; anything else must be a number >= 0. */
export function figuresFromOptions(values: Readonly<Record<string, string | undefined>>): { figures: ProvisionFigures; errors: string[] } {
    const figures: Partial<Record<keyof ProvisionFigures, number>> = {};
    const errors: string[] = [];
    for (const [option, key] of Object.entries(FIGURE_OPTIONS)) {
        const raw = values[option];
        if (raw === undefined || raw.trim() === "") continue;
        const value = Number(raw);
        if (!Number.isFinite(value) || value < 0) errors.push(`--${option} ${JSON.stringify(raw)}: expected a number of seconds (or a count) >= 0`);
        else figures[key] = value;
    }
    return { figures, errors };
}

function readOptional<T>(file: string | undefined, what: string, parse: (text: string) => T, notes: string[]): T | undefined {
    if (!file) return undefined;
    try {
        return parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        notes.push(`${what} ${file}: ${(err as Error).message}`);
        return undefined;
    }
}

function main(argv: readonly string[]): number {
    const options = {
        events: { type: "string" }, stamped: { type: "string" }, state: { type: "string" },
        ...Object.fromEntries(Object.keys(FIGURE_OPTIONS).map((k) => [k, { type: "string" }])),
    } as const;
    let values: Record<string, string | boolean | undefined>;
    try {
        values = parseArgs({ args: [...argv], options: options as Record<string, { type: "string" }>, strict: true }).values;
    } catch (err) {
        console.error(`provision-report: ${(err as Error).message}`);
        return 2;
    }
    const strings = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : undefined]));
    const { figures, errors } = figuresFromOptions(strings);
    if (errors.length > 0) {
        for (const e of errors) console.error(`provision-report: ${e}`);
        return 2;
    }
    const notes: string[] = [];
    const plain = readOptional(strings.events, "event log", parseEventLog, notes);
    const stamped = readOptional(strings.stamped, "stamped event log", parseEventLog, []);
    const resources = readOptional(strings.state, "stack export", (t) => parseStateResources(JSON.parse(t)), notes);
    for (const line of reportLines(figures, chooseEventLog(plain, stamped), resources, notes)) console.log(line);
    return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
