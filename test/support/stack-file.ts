// A stack file (Pulumi.<stack>.yaml) as the engine hands it to the program, for tests that write
// configuration the way operators do: in YAML.
import * as yaml from "js-yaml";
import { RawStackConfig } from "../../components/region/region-config";
import { CONFIG_NAMESPACE } from "../../components/region/config-schema";

/** Stands in for a decrypted `secure:` value: tests have no passphrase, and the reader never shows it. */
export const DECRYPTED = "decrypted-secret-value";

function decrypt(value: unknown): { value: unknown; secret: boolean } {
    if (value && typeof value === "object" && !Array.isArray(value)) {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length === 1 && entries[0][0] === "secure") return { value: DECRYPTED, secret: true };
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) {
            const d = decrypt(v);
            out[k] = d.value;
            secret ||= d.secret;
        }
        return { value: out, secret };
    }
    if (Array.isArray(value)) {
        const items = value.map(decrypt);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    return { value, secret: false };
}

/**
 * The `trove-region:` settings of a stack file's text: scalars as text, maps and lists as JSON, a
 * key holding a `secure:` value (at any depth) marked secret, as the engine does.
 */
export function rawConfigFromYaml(text: string, namespace = CONFIG_NAMESPACE): RawStackConfig {
    const doc = (yaml.load(text) ?? {}) as { config?: Record<string, unknown> };
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    for (const [fullKey, raw] of Object.entries(doc.config ?? {})) {
        if (!fullKey.startsWith(`${namespace}:`)) continue;
        const key = fullKey.slice(namespace.length + 1);
        const { value, secret } = decrypt(raw);
        values[key] = value !== null && typeof value === "object" ? JSON.stringify(value) : String(value);
        if (secret) secretKeys.add(key);
    }
    return { values, secretKeys };
}

/** The same, for just the `config:` entries given (keys without the namespace). */
export function rawConfig(settings: string): RawStackConfig {
    const indented = settings.split("\n").map((line) => `  ${line}`).join("\n");
    const prefixed = indented.replace(/^ {2}([A-Za-z][A-Za-z0-9]*):/gm, `  ${CONFIG_NAMESPACE}:$1:`);
    return rawConfigFromYaml(`config:\n${prefixed}\n`);
}
