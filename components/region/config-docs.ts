// The configuration's documentation, rendered from the schema: the README's table, the full key
// reference (docs/configuration.md) and the JSON Schema editors validate stack files with.
import { z } from "zod";
import { ConfigKey, configKeys } from "./config-keys";
import { CONFIG_NAMESPACE, stackConfigSchema } from "./config-schema";

/** A table cell: pipes escaped, line breaks flattened. */
function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function code(value: unknown): string {
    return `\`${typeof value === "string" ? value : JSON.stringify(value).replace(/"([A-Za-z0-9_]+)":/g, "$1: ")}\``;
}

/** The default as the docs state it: a value, a behaviour, "required", or "none". */
export function defaultCell(key: ConfigKey): string {
    if (key.doc?.default !== undefined) return code(key.doc.default);
    if (key.doc?.defaultText) return key.doc.defaultText;
    return key.required ? "required" : "none";
}

function meaning(key: ConfigKey): string {
    const parts = [key.doc?.description ?? ""];
    if (key.when) parts.push(`(with ${key.when})`);
    const text = parts.filter(Boolean).join(" ");
    return key.doc?.secret ? `${text}; **secret**: set it with \`pulumi config set --secret\`${key.path.includes(".") ? " (with `--path`)" : ""}` : text;
}

const HEADER = "| key | type | default | meaning |\n| --- | --- | --- | --- |";

/** The README's table: one row per top-level key. */
export function readmeConfigTable(keys: readonly ConfigKey[] = configKeys()): string {
    const rows = keys.filter((k) => !/[.[]/.test(k.path)).map((k) => {
        const prefix = keys.some((c) => c.path.startsWith(`${k.path}[].`)) ? `${k.path}[].` : `${k.path}.`;
        const children = keys.filter((c) => c.path.startsWith(prefix) && !c.path.slice(prefix.length).includes("."));
        const names = [...new Set(children.map((c) => c.path.slice(prefix.length)))];
        const more = names.length > 0 ? `; keys: ${names.map((n) => `\`${n}\``).join(", ")}` : "";
        return `| \`${k.path}\` | ${cell(k.type)} | ${cell(defaultCell(k))} | ${cell(meaning(k) + more)} |`;
    });
    return [HEADER, ...rows].join("\n");
}

/** docs/configuration.md: every key, nested ones included, grouped by top-level key. */
export function configurationReference(keys: readonly ConfigKey[] = configKeys()): string {
    const lines = [
        "# Configuration reference",
        "",
        "<!-- Generated from components/region/config-schema.ts by `npm run docs:config`; do not edit by hand. -->",
        "",
        `Every key under \`${CONFIG_NAMESPACE}:\`, ${keys.length} in all. Keys under a map are written`,
        "`parent.key`; `[]` stands for any entry of a list (`pulumi config set --path 'trove-region:datastores[0].version' ...`).",
        "A key that is not listed here is refused, with the likely intended key. Booleans take `true`/`false`;",
        "`yes`/`no`/`on`/`off` (any case, quoted or not) are read as the booleans they mean.",
        "Editors can check a stack file against `docs/stack-config.schema.json`",
        "(first line of the file: `# yaml-language-server: $schema=docs/stack-config.schema.json`).",
        "",
    ];
    const tops = keys.filter((k) => !/[.[]/.test(k.path));
    const under = (top: ConfigKey) => keys.filter((c) => c.path.startsWith(`${top.path}.`) || c.path.startsWith(`${top.path}[`));
    const row = (k: ConfigKey) => `| \`${k.path}\` | ${cell(k.type)} | ${cell(defaultCell(k))} | ${cell(meaning(k))} |`;
    lines.push("## Scalars and secrets", "", HEADER, ...tops.filter((t) => under(t).length === 0).map(row), "");
    for (const top of tops.filter((t) => under(t).length > 0)) {
        lines.push(`## \`${top.path}\``, "", `${meaning(top)}. ${defaultCell(top) === "required" ? "Required" : `Default: ${defaultCell(top)}`}.`, "", HEADER, row(top), ...under(top).map(row), "");
    }
    return lines.join("\n");
}

type JsonSchema = { [key: string]: unknown };

/** Where the schema says a secret goes, the stack file may hold Pulumi's ciphertext instead. */
function allowCiphertext(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(allowCiphertext);
    if (!node || typeof node !== "object") return node;
    const out: JsonSchema = {};
    for (const [k, v] of Object.entries(node as JsonSchema)) out[k] = allowCiphertext(v);
    if (out.secret === true) {
        return { anyOf: [out, { type: "object", properties: { secure: { type: "string" } }, required: ["secure"], additionalProperties: false }] };
    }
    return out;
}

/** A top-level scalar reaches the program as text, so `maxInstances: "200"` is as good as 200. */
function topLevel(schema: JsonSchema): JsonSchema {
    return schema.type === "integer" ? { anyOf: [schema, { type: "string", pattern: "^-?[0-9]+$" }], description: schema.description } : schema;
}

/**
 * The JSON Schema of a stack file (Pulumi.<stack>.yaml): every `trove-region:` key as the schema has
 * it, other namespaces (openstack:, ...) left to their own tools, unknown `trove-region:` keys refused.
 */
export function stackFileJsonSchema(): JsonSchema {
    const inner = z.toJSONSchema(stackConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
    const properties = inner.properties as Record<string, JsonSchema>;
    const config: JsonSchema = {
        type: "object",
        properties: Object.fromEntries(Object.entries(properties).map(([key, schema]) => [`${CONFIG_NAMESPACE}:${key}`, allowCiphertext(topLevel(schema))])),
        required: ((inner.required as string[] | undefined) ?? []).map((key) => `${CONFIG_NAMESPACE}:${key}`),
        patternProperties: { [`^(?!${CONFIG_NAMESPACE}:)`]: {} },
        additionalProperties: false,
    };
    return {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title: "Pulumi.<stack>.yaml of a trove-region stack",
        description: "Generated from components/region/config-schema.ts by `npm run docs:config`.",
        type: "object",
        properties: { config },
    };
}

/** Replaces what stands between the markers in `text`; the markers stay. */
export function replaceBetween(text: string, start: string, end: string, content: string): string {
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a < 0 || b < a) throw new Error(`markers ${start} ... ${end} not found`);
    return `${text.slice(0, a + start.length)}\n${content}\n${text.slice(b)}`;
}

export const README_TABLE_MARKERS = ["<!-- config-table:start (generated: npm run docs:config) -->", "<!-- config-table:end -->"] as const;
