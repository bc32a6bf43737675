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

/** The provider plugins the engine has, as `pulumi plugin ls` lists them. */
export function installedPlugins(): { name: string; version: string }[] {
    const out = execFileSync("pulumi", ["plugin", "ls", "--json"], { stdio: ["ignore", "pipe", "pipe"] }).toString();
    return (JSON.parse(out || "[]") as { name: string; version: string; kind: string }[])
        .filter((p) => p.kind === "resource")
        .map((p) => ({ name: p.name, version: p.version }));
}

/**
 * Why a test that needs these provider plugins cannot run here, or undefined when they are all
 * installed. scripts/pulumi-toolchain.sh builds the plugins the Go module proxy serves and lists the
 * others, with the proxy's answer, in ~/.cache/trove-region/plugins-missing.
 */
export function missingPluginsReason(names: string[]): string | undefined {
    const have = new Set(installedPlugins().map((p) => p.name));
    const missing = names.filter((n) => !have.has(n));
    if (missing.length === 0) return undefined;
    return `provider plugin(s) ${missing.join(", ")} not installed: the Go module proxy does not serve their modules here (see scripts/pulumi-toolchain.sh output)`;
}

/** The Trove API connection of the dev cloud's credentials (`scripts/devcloud.sh env --trove`). */
export function devConnection(): { authUrl: string; username: string; password: string; projectName: string; region?: string } {
    return {
        authUrl: process.env.OS_AUTH_URL!,
        username: process.env.OS_USERNAME!,
        password: process.env.OS_PASSWORD!,
        projectName: process.env.OS_PROJECT_NAME!,
        region: process.env.OS_REGION_NAME,
    };
}
