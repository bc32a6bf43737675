import * as pulumi from "@pulumi/pulumi";

/** One thing wrong with the input: where it is, and what would be right. */
export interface Problem {
    /** Dotted property path relative to the args being validated, e.g. `managementNetwork.cidr`. */
    readonly path: string;
    /** What is wrong, the value given, and what would be right. */
    readonly message: string;
}

/**
 * Every problem found in one set of inputs, thrown together so an operator fixes them in
 * one pass. A RunError, so the Pulumi CLI prints the message without a stack trace.
 */
export class ValidationError extends pulumi.RunError {
    constructor(readonly subject: string, readonly problems: readonly Problem[], prefix = "") {
        super(
            `${subject}: ${problems.length} invalid setting${problems.length === 1 ? "" : "s"}:\n` +
                problems.map((p) => `  - ${prefix}${p.path}: ${p.message}`).join("\n"),
        );
        this.name = "ValidationError";
    }
}

/** Throws a ValidationError when `problems` is not empty. */
export function throwIfProblems(subject: string, problems: readonly Problem[], prefix = ""): void {
    if (problems.length > 0) {
        throw new ValidationError(subject, problems, prefix);
    }
}

/** Prefixes every problem's path, so a component's problems read as paths of its parent's args. */
export function nested(prefix: string, problems: readonly Problem[]): Problem[] {
    return problems.map((p) => ({
        path: !p.path ? prefix : p.path.startsWith("[") ? `${prefix}${p.path}` : `${prefix}.${p.path}`,
        message: p.message,
    }));
}

export function isPositiveInteger(n: unknown): n is number {
    return typeof n === "number" && Number.isInteger(n) && n > 0;
}

export function isNonNegativeInteger(n: unknown): n is number {
    return typeof n === "number" && Number.isInteger(n) && n >= 0;
}

/** A TCP or UDP port number. */
export function isPort(n: unknown): n is number {
    return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** Quota values: a non-negative integer, or -1 for "unlimited" as Nova, Neutron and Cinder accept. */
export function isQuotaValue(n: unknown): n is number {
    return typeof n === "number" && Number.isInteger(n) && n >= -1;
}

/** Renders a value for an error message. */
export function show(value: unknown): string {
    return typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}
