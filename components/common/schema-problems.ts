// Turns a zod schema's issues into Problems an operator can act on: the key, the value given, and
// what to write instead (the likely intended key, how to quote, how to write a list).
import { z } from "zod";
import { Problem, show } from "./validation";

type Segment = string | number;

/** `a.b[0].c`, the way the README and `pulumi config set --path` name a key. */
export function formatPath(segments: readonly PropertyKey[]): string {
    return segments.reduce<string>((out, s) => typeof s === "number" ? `${out}[${s}]` : out ? `${out}.${String(s)}` : String(s), "");
}

/** Edit distance with transpositions, for "did you mean". */
function distance(a: string, b: string): number {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/** The candidate an operator most likely meant, when one is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    const lower = word.toLowerCase();
    let best: { candidate: string; score: number } | undefined;
    for (const candidate of candidates) {
        const limit = Math.max(2, Math.floor(candidate.length / 4));
        const other = candidate.toLowerCase();
        // The distance is at least the difference in length: most candidates end here, unmeasured.
        if (Math.abs(other.length - lower.length) > limit) continue;
        const score = other === lower ? 0 : distance(lower, other);
        if (score <= limit && (!best || score < best.score)) best = { candidate, score };
    }
    return best?.candidate;
}

/** The parts of a zod 4 definition the walkers read. */
export interface Def {
    type: string;
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    valueType?: z.ZodType;
    innerType?: z.ZodType;
    in?: z.ZodType;
    options?: z.ZodType[];
    discriminator?: string;
    values?: unknown[];
}

/** A map's own entry: never Object.prototype's (`toString` is a key an operator can write). */
export function own<T>(map: Readonly<Record<string, T>> | undefined, key: PropertyKey): T | undefined {
    return map !== undefined && Object.prototype.hasOwnProperty.call(map, key) ? map[key as string] : undefined;
}

export function def(schema: z.ZodType): Def {
    return schema._zod.def as unknown as Def;
}

/** Looks through optional, default, nullable and pipe wrappers to the schema that parses the value. */
export function unwrap(schema: z.ZodType): z.ZodType {
    let s = schema;
    for (;;) {
        const d = def(s);
        if (d.innerType && ["optional", "nullable", "default", "prefault", "readonly", "nonoptional"].includes(d.type)) s = d.innerType;
        else if (d.type === "pipe" && d.in) s = d.in;
        else return s;
    }
}

/** The values a discriminated union's options take for its discriminator. */
function discriminatorValues(union: z.ZodType): string[] {
    const d = def(union);
    return (d.options ?? []).flatMap((o) => {
        const field = own(def(unwrap(o)).shape, d.discriminator ?? "");
        return field ? (def(field).values ?? []).map(String) : [];
    });
}

/** The option of a union that matches `value` (by discriminator when it has one), else the first object option. */
function unionOption(union: z.ZodType, value: unknown): z.ZodType | undefined {
    const d = def(union);
    const options = (d.options ?? []).map(unwrap);
    if (d.discriminator && value && typeof value === "object") {
        const wanted = own(value as Record<string, unknown>, d.discriminator);
        const match = options.find((o) => (def(own(def(o).shape, d.discriminator!) ?? o).values ?? []).includes(wanted));
        if (match) return match;
    }
    return options.find((o) => def(o).type === "object");
}

/** The schema (unwrapped) that parses the value at `path`, found by walking the schema and the input together. */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[], input: unknown): z.ZodType | undefined {
    let schema: z.ZodType | undefined = unwrap(root);
    let value = input;
    for (const segment of path) {
        if (!schema) return undefined;
        let d = def(schema);
        if (d.type === "union") {
            schema = unionOption(schema, value);
            if (!schema) return undefined;
            d = def(schema);
        }
        const next: z.ZodType | undefined = d.type === "object" ? own(d.shape, segment)
            : d.type === "array" ? d.element
            : d.type === "record" ? d.valueType
            : undefined;
        value = value && typeof value === "object" ? own(value as Record<PropertyKey, unknown>, segment) : undefined;
        schema = next && unwrap(next);
    }
    return schema;
}

/** Documentation registered with `.meta()` on the field at `path`, if any. */
function describedAt(root: z.ZodType, path: readonly PropertyKey[], input: unknown): string | undefined {
    if (path.length === 0) return undefined;
    const parent = schemaAt(root, path.slice(0, -1), input);
    if (!parent) return undefined;
    const p = def(parent).type === "union" ? unionOption(parent, valueAt(input, path.slice(0, -1))) : parent;
    const field = p && own(def(p).shape, path[path.length - 1]);
    return field ? (z.globalRegistry.get(field)?.description ?? z.globalRegistry.get(unwrap(field))?.description) : undefined;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((v, s) => (v && typeof v === "object" ? own(v as Record<PropertyKey, unknown>, s) : undefined), input);
}

/** What a value is, in an operator's words. */
function kind(value: unknown): string {
    if (Array.isArray(value)) return "a list";
    if (value === null) return "null";
    if (typeof value === "object") return "a map of settings";
    if (typeof value === "string") return "text";
    if (typeof value === "number") return "a number";
    if (typeof value === "boolean") return "a boolean";
    return typeof value;
}

const EXPECTED: Record<string, string> = {
    array: "a list", object: "a map of settings", string: "text", number: "a number", int: "a whole number",
    boolean: "true or false", record: "a map of settings",
};

function invalidType(expected: string, input: unknown, description: string | undefined): string {
    if (input === undefined) return `is required${description ? `: ${description}` : ""}`;
    const given = `${show(input)} is ${kind(input)}`;
    if (expected === "array") {
        return typeof input === "string" || typeof input === "number"
            ? `${given}; write a list even for one entry: [${show(input)}] (in YAML, a "- " line per entry)`
            : `${given}; write a list ([...], or a "- " line per entry in YAML)`;
    }
    if (expected === "string" && (typeof input === "number" || typeof input === "boolean")) {
        return `${show(input)} is ${kind(input)}, not a string: quote it in the stack file ("${String(input)}"), or set it with \`pulumi config set --path --type string ...\`` +
            (typeof input === "number" && !Number.isInteger(input) ? "; unquoted, YAML reads 10.10 as 10.1" : "");
    }
    if ((expected === "number" || expected === "int") && typeof input === "string" && input.trim() !== "" && Number.isFinite(Number(input))) {
        return `${given}; write the number without quotes: ${input.trim()}`;
    }
    if (expected === "int" && (typeof input === "number" || typeof input === "string")) return `${show(input)} is not a whole number`;
    if (expected === "object" || expected === "record") return `${given}; expected a map of settings (key: value lines under it)`;
    return `${given}; expected ${EXPECTED[expected] ?? expected}`;
}

/** A bound as an operator reads it. */
function bound(issue: { origin?: string; minimum?: unknown; maximum?: unknown; input?: unknown }, which: "minimum" | "maximum"): string {
    const limit = Number(issue[which]);
    const input = issue.input;
    switch (issue.origin) {
        case "array":
            return which === "minimum" ? `needs at least ${limit} ${limit === 1 ? "entry" : "entries"}` : `has ${Array.isArray(input) ? input.length : "too many"} entries; at most ${limit}`;
        case "string":
            return limit === 1 && which === "minimum" ? "must not be empty" : `is ${String(input).length} characters; ${which === "minimum" ? "at least" : "at most"} ${limit}`;
        default:
            return `${show(input)} is ${which === "minimum" ? "less" : "more"} than ${limit}, the ${which === "minimum" ? "smallest" : "largest"} allowed`;
    }
}

/** Messages of our own checks say what is wrong; the value goes in front when they leave it out. */
function withValue(message: string, input: unknown): string {
    return /^(is|has|must|needs|lacks|starts) /.test(message) && input !== undefined && message !== "must not be empty" ? `${show(input)} ${message}` : message;
}

/** Every issue of a failed parse as Problems, one per unknown key; `prefix` goes before every path. */
export function schemaProblems(root: z.ZodType, issues: readonly z.core.$ZodIssue[], input: unknown, prefix: readonly Segment[] = []): Problem[] {
    const problems: Problem[] = [];
    const at = (segments: readonly PropertyKey[]): string => formatPath([...prefix, ...segments]);
    for (const issue of issues) {
        const raw = issue as z.core.$ZodIssue & { input?: unknown; note?: string; discriminator?: string; keys?: string[]; values?: unknown[]; expected?: string };
        const value = valueAt(input, issue.path);
        switch (raw.code) {
            case "unrecognized_keys": {
                const shape = schemaAt(root, issue.path, input);
                const known = shape ? Object.keys(def(shape).shape ?? {}) : [];
                for (const key of raw.keys ?? []) {
                    const guess = closest(key, known);
                    problems.push({
                        path: at([...issue.path, key]),
                        message: `is not a setting${issue.path.length ? ` of ${at(issue.path)}` : ""}; ` +
                            (guess ? `did you mean ${guess}?` : `the settings here are ${known.join(", ")}`),
                    });
                }
                break;
            }
            case "invalid_type": {
                const target = schemaAt(root, issue.path, input);
                const expected = raw.expected === "number" && target && (target as z.ZodNumber).isInt ? "int" : raw.expected ?? "";
                problems.push({ path: at(issue.path), message: invalidType(expected, value, describedAt(root, issue.path, input)) });
                break;
            }
                break;
            case "invalid_value": {
                const allowed = (raw.values ?? []).map((v) => show(v));
                const guess = typeof value === "string" ? closest(value, (raw.values ?? []).map(String)) : undefined;
                problems.push({
                    path: at(issue.path),
                    message: `${show(value)} is not ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(", ")}`}${guess ? `; did you mean "${guess}"?` : ""}`,
                });
                break;
            }
            case "invalid_union": {
                if (raw.note === "No matching discriminator" && raw.discriminator) {
                    const union = schemaAt(root, issue.path.slice(0, -1), input);
                    const choices = union && def(union).type === "union" ? discriminatorValues(union) : [];
                    const given = valueAt(input, issue.path);
                    const guess = typeof given === "string" ? closest(given, choices) : undefined;
                    problems.push({
                        path: at(issue.path),
                        message: given === undefined
                            ? `is required: choose ${choices.map((c) => `"${c}"`).join(", ")}`
                            : `${show(given)} is not a ${raw.discriminator}; choose ${choices.map((c) => `"${c}"`).join(", ")}${guess ? ` (did you mean "${guess}"?)` : ""}`,
                    });
                } else if (value === undefined) {
                    problems.push({ path: at(issue.path), message: invalidType("", undefined, describedAt(root, issue.path, input)) });
                } else {
                    problems.push({ path: at(issue.path), message: issue.message });
                }
                break;
            }
            case "too_small":
                problems.push({ path: at(issue.path), message: issue.message.startsWith("Too small") ? bound({ ...raw, input: value }, "minimum") : withValue(issue.message, value) });
                break;
            case "too_big":
                problems.push({ path: at(issue.path), message: issue.message.startsWith("Too big") ? bound({ ...raw, input: value }, "maximum") : withValue(issue.message, value) });
                break;
            default:
                problems.push({ path: at(issue.path), message: withValue(issue.message, value) });
        }
    }
    return problems;
}
