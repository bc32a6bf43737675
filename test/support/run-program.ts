// Runs the stack program (index.ts) under the mocks installed by the calling test file.
import * as pulumi from "@pulumi/pulumi";
import { RawStackConfig } from "../../components/region/region-config";
import { CONFIG_NAMESPACE } from "../../components/region/config-schema";

/**
 * Hands `config` (full keys, values as the engine passes them) to a fresh copy of index.ts, with
 * `env` added to the environment for the run. Returns the stack's outputs; throws what the program throws.
 */
export function runProgram(config: Record<string, string>, env: Record<string, string | undefined> = { OS_PASSWORD: "devcloud-trove" },
    secretKeys: readonly string[] = []): Record<string, unknown> {
    pulumi.runtime.setAllConfig(config, [...secretKeys]);
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
        let outputs: Record<string, unknown> = {};
        jest.isolateModules(() => {
            outputs = require("../../index");
        });
        return outputs;
    } finally {
        process.env = saved;
    }
}

/** A RawStackConfig as the engine's full-key config map and secret key list, for runProgram. */
export function engineConfig(raw: RawStackConfig, extra: Record<string, string> = {}): { config: Record<string, string>; secretKeys: string[] } {
    const config: Record<string, string> = { ...extra };
    for (const [key, value] of Object.entries(raw.values)) config[`${CONFIG_NAMESPACE}:${key}`] = value;
    return { config, secretKeys: [...raw.secretKeys].map((k) => `${CONFIG_NAMESPACE}:${k}`) };
}
