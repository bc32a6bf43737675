import { execFileSync } from "child_process";

/**
 * The real suite needs the Pulumi toolchain on PATH (and, for the dev cloud tests, the cloud's
 * credentials), which `npm test` (scripts/test.sh) provides. Missing either is a failure with the
 * way to fix it, never a silent skip.
 */
export function requirePulumiToolchain(): void {
    try {
        execFileSync("pulumi", ["version"], { stdio: "pipe" });
    } catch {
        throw new Error("no `pulumi` on PATH: run the real suite through `npm test`, which builds the toolchain (scripts/pulumi-toolchain.sh)");
    }
    for (const key of ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"]) {
        if (process.env[key] === undefined) throw new Error(`${key} is not set: source scripts/pulumi-env.sh (npm test does)`);
    }
}

export function requireRealEnvironment(): void {
    requirePulumiToolchain();
    for (const key of ["OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME"]) {
        if (!process.env[key]) throw new Error(`${key} is not set: run the real suite through \`npm test\`, which starts the dev cloud`);
    }
}
