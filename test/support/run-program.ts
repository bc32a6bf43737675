// Runs the stack program (index.ts) under the mocks installed by the calling test file.
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import * as pulumi from "@pulumi/pulumi";
import { RawStackConfig } from "../../components/region/region-config";
import { CONFIG_NAMESPACE } from "../../components/region/config-schema";

const INDEX = path.join(__dirname, "..", "..", "index.ts");
let indexJs: string | undefined;

/**
 * A fresh run of index.ts's top-level code, its imports shared with the calling test file: index.ts
 * is the program itself (it runs when loaded), yet `jest.isolateModules` would load every module
 * again with it (@pulumi/pulumi, @pulumi/openstack, the components), which cost most of the unit
 * suite's time. The components keep no module state, so sharing them changes nothing.
 */
function runIndex(): Record<string, unknown> {
    indexJs ??= ts.transpileModule(fs.readFileSync(INDEX, "utf8"), {
        fileName: INDEX,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const module = { exports: {} as Record<string, unknown> };
    // index.ts's relative imports are the repository root's.
    const requireFromIndex = (id: string): unknown => require(id.startsWith(".") ? path.join(path.dirname(INDEX), id) : id);
    new Function("exports", "require", "module", "__filename", "__dirname", indexJs)(module.exports, requireFromIndex, module, INDEX, path.dirname(INDEX));
    return module.exports;
}

/**
 * Hands `config` (full keys, values as the engine passes them) to a fresh run of index.ts, with
 * `env` added to the environment for the run. Returns the stack's outputs; throws what the program throws.
 */
export function runProgram(config: Record<string, string>, env: Record<string, string | undefined> = { OS_PASSWORD: "devcloud-trove" },
    secretKeys: readonly string[] = []): Record<string, unknown> {
    pulumi.runtime.setAllConfig(config, [...secretKeys]);
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
        return runIndex();
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
