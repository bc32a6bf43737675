// Three mistakes in one stack file, through the real CLI and engine: `pulumi up` exits non-zero,
// names all three keys, and leaves no resource in the state.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { devSettings } from "../support/dev-config";
import { requirePulumiToolchain, requireRealEnvironment } from "../support/real-env";

const repo = path.join(__dirname, "..", "..");
const STACK = `test-config-mistakes-${Date.now().toString(36).slice(-5)}`;
const stackFile = path.join(repo, `Pulumi.${STACK}.yaml`);

function pulumi(args: string[]): { status: number | null; output: string } {
    const run = spawnSync("pulumi", [...args, "--stack", STACK, "--non-interactive"], { cwd: repo, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

requirePulumiToolchain();

describe("pulumi up of a stack file with three mistakes", () => {
    let up: { status: number | null; output: string };

    beforeAll(() => {
        requireRealEnvironment();
        const init = pulumi(["stack", "init"]);
        if (init.status !== 0) throw new Error(`stack init: ${init.output}`);
        // The dev stack's file as an operator would edit it: a misspelt key, a scalar where a list
        // goes, and a password in plain text.
        const settings = devSettings();
        const securityGroups = settings["trove-region:securityGroups"] as Record<string, unknown>;
        const config = {
            ...settings,
            "trove-region:maxInstance": 500,
            "trove-region:securityGroups": { ...securityGroups, sshFromCidrs: "192.0.2.10/32" },
            "trove-region:registry": { ...(settings["trove-region:registry"] as Record<string, unknown>), credentials: { username: "trove-guest" } },
            "trove-region:registryPassword": "hunter2-in-plain-text",
        };
        fs.writeFileSync(stackFile, yaml.dump({ config }));
        up = pulumi(["up", "--yes", "--skip-preview"]);
    });

    afterAll(() => {
        const rm = pulumi(["stack", "rm", "--yes", "--force"]);
        if (rm.status !== 0) console.error(`stack rm ${STACK}: ${rm.output}`);
        fs.rmSync(stackFile, { force: true });
    });

    test("exits non-zero and names all three keys, with the fixes", () => {
        expect(up.status).not.toBe(0);
        expect(up.output).toMatch(/3 invalid settings/);
        expect(up.output).toContain("trove-region:maxInstance: is not a setting; did you mean maxInstances?");
        expect(up.output).toContain("trove-region:securityGroups.sshFromCidrs: \"192.0.2.10/32\" is text; write a list even for one entry");
        expect(up.output).toContain("trove-region:registryPassword: is a secret but is stored in plain text; remove it from the stack file and set it with `pulumi config set --secret trove-region:registryPassword`");
        // Printed as a config error, not a crash.
        expect(up.output).not.toMatch(/TypeError|at Object\.<anonymous>/);
    });

    test("leaves an empty state: no resource but the stack itself", () => {
        const exported = spawnSync("pulumi", ["stack", "export", "--stack", STACK], { cwd: repo, encoding: "utf8" });
        expect(exported.status).toBe(0);
        const resources = (JSON.parse(exported.stdout) as { deployment: { resources?: { type: string }[] } }).deployment.resources ?? [];
        expect(resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });
});
