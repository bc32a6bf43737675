// Issue 17's goal lines: each goal's figure with its target on one line ending in PASS, FAIL or
// NOT MEASURED. A figure this run did not measure is never a PASS. Pure: no files, no processes.

/** A goal whose figure was measured in this run. */
export interface MeasuredGoal {
    /** Goal number and part as the issue numbers them, e.g. "1a". */
    readonly id: string;
    /** What is measured, e.g. "no-change preview / CLI way". */
    readonly goal: string;
    readonly value: number;
    /** The target as printed, e.g. "<= 0.10". */
    readonly target: string;
    readonly pass: boolean;
    /** Printed after the verdict, e.g. the figures the ratio came from. */
    readonly note?: string;
}

/** A goal whose figure this run did not measure. */
export interface UnmeasuredGoal {
    readonly id: string;
    readonly goal: string;
    readonly target: string;
    /** Why not, e.g. "needs a 30-version stack". */
    readonly note?: string;
}

export type Goal = MeasuredGoal | UnmeasuredGoal;

export const GOAL_COLUMN = 44;

function isMeasured(goal: Goal): goal is MeasuredGoal {
    return "value" in goal;
}

/** True when value <= limit; false for a value that is not a finite number. */
export function atMost(value: number, limit: number): boolean {
    return Number.isFinite(value) && value <= limit;
}

/** A figure as printed: two decimals (the verdict is on the unrounded value). */
export function formatFigure(value: number): string {
    return Number.isFinite(value) ? value.toFixed(2) : String(value);
}

/**
 * One goal line: `goal 1a  no-change preview / CLI way      0.21  (target <= 0.10)  FAIL`, or
 * `...  -  (target <= 2.00)  NOT MEASURED` for a figure this run did not measure.
 */
export function goalLine(goal: Goal): string {
    const head = `goal ${goal.id.padEnd(3)} ${goal.goal.padEnd(GOAL_COLUMN)}`;
    const note = goal.note ? `  [${goal.note}]` : "";
    if (!isMeasured(goal)) return `${head} ${"-".padStart(6)}  (target ${goal.target})  NOT MEASURED${note}`;
    // A value that is not a number is a broken measurement, never a pass.
    const pass = goal.pass && Number.isFinite(goal.value);
    return `${head} ${formatFigure(goal.value).padStart(6)}  (target ${goal.target})  ${pass ? "PASS" : "FAIL"}${note}`;
}

/**
 * A ratio goal: numerator / denominator against `bound` in the direction given, measured when both
 * figures are finite and the denominator is positive, otherwise NOT MEASURED (with `missing` as the
 * reason when given).
 */
function boundRatioGoal(id: string, goal: string, numerator: number | undefined, denominator: number | undefined,
    direction: "<=" | ">=", bound: number, missing?: string): Goal {
    const target = `${direction} ${bound.toFixed(2)}`;
    if (numerator === undefined || denominator === undefined || !Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator <= 0) {
        return { id, goal, target, note: missing };
    }
    const value = numerator / denominator;
    const pass = direction === "<=" ? atMost(value, bound) : Number.isFinite(value) && value >= bound;
    return { id, goal, value, target, pass, note: `${formatFigure(numerator)} / ${formatFigure(denominator)}` };
}

/** The goal "numerator / denominator <= limit" (e.g. a time against the CLI's). */
export function ratioGoal(id: string, goal: string, numerator: number | undefined, denominator: number | undefined, limit: number, missing?: string): Goal {
    return boundRatioGoal(id, goal, numerator, denominator, "<=", limit, missing);
}

/** The goal "numerator / denominator >= minimum" (e.g. a throughput against the CLI's). */
export function minRatioGoal(id: string, goal: string, numerator: number | undefined, denominator: number | undefined, minimum: number, missing?: string): Goal {
    return boundRatioGoal(id, goal, numerator, denominator, ">=", minimum, missing);
}

/** The goal "value <= limit" (an absolute figure, e.g. seconds), NOT MEASURED when value is undefined. */
export function limitGoal(id: string, goal: string, value: number | undefined, limit: number, unit: string, missing?: string): Goal {
    const target = `<= ${limit} ${unit}`.trimEnd();
    if (value === undefined || !Number.isFinite(value)) return { id, goal, target, note: missing };
    return { id, goal, value, target, pass: atMost(value, limit) };
}
