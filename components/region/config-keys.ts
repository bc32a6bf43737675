// Every key of the stack configuration as a flat list, walked from the schema: what the docs render
// and what the reader checks secrets against.
import { z } from "zod";
import { def, unwrap } from "../common/schema-problems";
import { KeyDoc, stackConfigSchema } from "./config-schema";

export interface ConfigKey {
    /** `managementNetwork.routing.routes[].nexthop`; list entries are `[]`. */
    readonly path: string;
    /** In an operator's words: "integer", "CIDR list", "map", `"all" | "restricted"`. */
    readonly type: string;
    /** Must be set when its parent is. */
    readonly required: boolean;
    /** Only under this mode of its parent (`routing.mode = "new-router"`). */
    readonly when?: string;
    readonly doc?: KeyDoc;
}

function metaOf(schema: z.ZodType): KeyDoc | undefined {
    const own = z.globalRegistry.get(schema) as Partial<KeyDoc> | undefined;
    const inner = z.globalRegistry.get(unwrap(schema)) as Partial<KeyDoc> | undefined;
    const meta = { ...inner, ...own };
    return meta.description ? (meta as KeyDoc) : undefined;
}

function isOptional(schema: z.ZodType): boolean {
    return schema.safeParse(undefined).success;
}

/** The type of a (unwrapped) schema, as the docs name it. */
export function typeName(schema: z.ZodType): string {
    const s = unwrap(schema);
    const d = def(s);
    const kind = (z.globalRegistry.get(s) as { kind?: string } | undefined)?.kind;
    switch (d.type) {
        case "string": return kind === "cidr" ? "CIDR" : kind === "ip" ? "IP address" : "text";
        case "number": return (s as z.ZodNumber).isInt ? "integer" : "number";
        case "boolean": return "boolean";
        case "literal": return (d.values ?? []).map((v) => JSON.stringify(v)).join(" | ");
        case "enum": return Object.values((d as unknown as { entries: Record<string, string> }).entries).map((v) => JSON.stringify(v)).join(" | ");
        case "array": {
            const element = typeName(d.element!);
            return element === "map" || element.startsWith("map ") ? "list of maps" : `${element} list`;
        }
        case "record": return def(unwrap(d.valueType!)).type === "string" ? "map of text" : "map of maps";
        case "object": return "map";
        case "union": {
            const options = (d.options ?? []).map(unwrap);
            if (d.discriminator) return `map by ${d.discriminator}`;
            if (options.some((o) => def(o).type === "boolean")) return "boolean";
            return options.map(typeName).join(" or ");
        }
        default: return d.type;
    }
}

function walk(schema: z.ZodType, path: string, required: boolean, when: string | undefined, out: ConfigKey[]): void {
    const s = unwrap(schema);
    const d = def(s);
    // A list's entries are described by the list's own row; only their keys get rows (`list[].key`).
    if (path && !path.endsWith("[]")) out.push({ path, type: typeName(s), required, when, doc: metaOf(schema) });
    if (d.type === "object") {
        for (const [key, field] of Object.entries(d.shape ?? {})) walk(field, path ? `${path}.${key}` : key, !isOptional(field), when, out);
    } else if (d.type === "array" && ["object", "union"].includes(def(unwrap(d.element!)).type)) {
        walk(d.element!, `${path}[]`, true, when, out);
    } else if (d.type === "record" && def(unwrap(d.valueType!)).type === "object") {
        // A map keyed by the operator (project ids): its entries' keys under a placeholder.
        walk(d.valueType!, `${path}.<key>`, true, when, out);
    } else if (d.type === "union" && d.discriminator) {
        const discriminator = d.discriminator;
        out.push({
            path: `${path}.${discriminator}`, type: (d.options ?? []).map((o) => typeName(def(unwrap(o)).shape![discriminator])).join(" | "), required: true, when,
            doc: { description: `which kind of ${path.split(".").pop()}; the keys marked "with ${discriminator} ..." belong to one ${discriminator}` },
        });
        for (const option of (d.options ?? []).map(unwrap)) {
            const mode = (def(def(option).shape![discriminator]).values ?? [])[0];
            for (const [key, field] of Object.entries(def(option).shape ?? {})) {
                if (key !== discriminator) walk(field, `${path}.${key}`, !isOptional(field), `${discriminator} ${JSON.stringify(mode)}`, out);
            }
        }
    }
}

// A schema never changes once built, and walking one (zod parses `undefined` to tell optional keys)
// costs milliseconds, which the reader would pay on every read: each schema is walked once.
const walked = new WeakMap<z.ZodType, readonly ConfigKey[]>();
const secretPaths = new WeakMap<z.ZodType, readonly string[]>();

/** Every key, depth first in the schema's order; a key under several modes appears once per mode. */
export function configKeys(schema: z.ZodType = stackConfigSchema): ConfigKey[] {
    let keys = walked.get(schema);
    if (!keys) {
        const out: ConfigKey[] = [];
        walk(schema, "", true, undefined, out);
        keys = Object.freeze(out);
        walked.set(schema, keys);
    }
    return [...keys];
}

/** The keys that must be Pulumi secrets. */
export function secretKeyPaths(schema: z.ZodType = stackConfigSchema): string[] {
    let paths = secretPaths.get(schema);
    if (!paths) {
        paths = Object.freeze([...new Set(configKeys(schema).filter((k) => k.doc?.secret).map((k) => k.path))]);
        secretPaths.set(schema, paths);
    }
    return [...paths];
}
