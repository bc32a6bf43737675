// ci/preview.sh for real, as a CI job runs it: a deployed stack of the dev program on the dev cloud,
// one config change, and the script's printed diff and comment file naming exactly what changes;
// then a change the policy pack refuses, and one the program refuses, each failing the job.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { devSettingsNamed } from "../support/dev-config";
import { regionTestStack } from "../support/region-stack";
import { destroyAndRemove } from "../support/stack";
import { requireRealEnvironment } from "../support/real-env";
import { tempDir } from "../tmp";

const repo = path.join(__dirname, "..", "..");
const SCRIPT = path.join(repo, "ci", "preview.sh");
const SUFFIX = `cipreview${process.pid}`;
const STACK = `test-${SUFFIX}`;

interface Run { code: number | null; stdout: string; comment: string }

/** ci/preview.sh with the dev cloud's policy config, its output and the comment file it wrote. */
function previewScript(args: string[]): Promise<Run> {
    const commentFile = path.join(tempDir("ci-preview"), "comment.md");
    return new Promise((resolve, reject) => {
        const child = spawn(SCRIPT, ["--stack", STACK, "--diff-file", commentFile, ...args], { cwd: repo, env: process.env });
        let stdout = "";
        child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
        child.stderr.on("data", (d: Buffer) => { stdout += d.toString(); });
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, comment: fs.existsSync(commentFile) ? fs.readFileSync(commentFile, "utf8") : "" }));
    });
}

const DEV_POLICY = ["--policy-pack-config", path.join(repo, "policy", "dev-config.json")];

/** The steps a `pulumi preview --diff` printed: "<op> <resource name>", unchanged resources left out. */
function steps(output: string): string[] {
    const lines = output.split("\n");
    const found: string[] = [];
    lines.forEach((line, i) => {
        const step = /^\s*(?:[-+~]{1,2}|[<>])\s+[\w:/.-]+: \(([\w-]+)\)\s*$/.exec(line);
        const urn = /\[urn=(.+)\]/.exec(lines[i + 1] ?? "");
        if (step && urn) found.push(`${step[1]} ${urn[1].split("::").pop()}`);
    });
    return found;
}

describe("ci/preview.sh on a deployed stack of the dev program", () => {
    let stack: Stack;
    const settings = devSettingsNamed(SUFFIX);
    const securityGroups = settings["trove-region:securityGroups"] as { sshFromCidrs: string[] };

    beforeAll(async () => {
        requireRealEnvironment();
        stack = await regionTestStack(STACK, SUFFIX, settings);
        const up = await stack.up();
        expect(up.summary.result).toBe("succeeded");
    });

    afterAll(() => destroyAndRemove(stack, STACK));

    test("with nothing changed, it passes and shows no step", async () => {
        const run = await previewScript(DEV_POLICY);
        expect(run.code).toBe(0);
        expect(steps(run.stdout)).toEqual([]);
        expect(run.stdout).toMatch(/Resources:\s+\d+ unchanged/);
    });

    test("one more SSH CIDR: the diff names exactly the one new rule, and the comment file carries it", async () => {
        const sg = { ...securityGroups, sshFromCidrs: [...securityGroups.sshFromCidrs, "192.0.2.11/32"] };
        await stack.setConfig("trove-region:securityGroups", { value: JSON.stringify(sg) });
        const run = await previewScript(DEV_POLICY);
        expect(run.code).toBe(0);
        expect(steps(run.stdout)).toEqual(["create trove-secgroup-ingress-ssh-192-0-2-11-32"]);
        // The rule itself, readable in the diff.
        expect(run.stdout).toMatch(/^\s+remoteIpPrefix\s*: "192\.0\.2\.11\/32"$/m);
        expect(run.stdout).toMatch(/^\s+portRangeMin\s*: 22$/m);
        expect(run.stdout).toMatch(/Resources:\s+\+ 1 to create/);
        expect(run.stdout).toContain("Policy Packs run:");
        expect(run.comment.split("\n")[0]).toBe(`### \`pulumi preview\` of stack \`${STACK}\`: passed`);
        expect(steps(run.comment)).toEqual(steps(run.stdout));
    });

    test("an insecure registry the policy config does not allow fails the job with exit 2 and the fix", async () => {
        const registry = { mode: "existing", address: "10.0.0.9:4000", insecure: true };
        await stack.setConfig("trove-region:registry", { value: JSON.stringify(registry) });
        const run = await previewScript(DEV_POLICY);
        expect(run.code).toBe(2);
        expect(run.stdout).toContain("[mandatory]  registry-insecure-allowed");
        expect(run.stdout).toContain("registry 10.0.0.9:4000 is used insecurely");
        expect(run.stdout).toContain(`{"registry-insecure-allowed": {"allowInsecureRegistries": ["10.0.0.9:4000"]}}`);
        expect(run.comment.split("\n")[0]).toBe(`### \`pulumi preview\` of stack \`${STACK}\`: failed: a mandatory policy is violated`);
        expect(run.comment).toContain("registry 10.0.0.9:4000 is used insecurely");
    });

    test("a setting the program refuses fails the job with exit 1 and the program's error", async () => {
        await stack.setConfig("trove-region:registry", { value: JSON.stringify(settings["trove-region:registry"]) });
        const sg = { ...securityGroups, sshFromCidrs: ["0.0.0.0/0"] };
        await stack.setConfig("trove-region:securityGroups", { value: JSON.stringify(sg) });
        const run = await previewScript(DEV_POLICY);
        expect(run.code).toBe(1);
        expect(run.stdout).toContain("trove-region:securityGroups.sshFromCidrs[0]: 0.0.0.0/0 opens the management port to the whole world");
        expect(run.comment.split("\n")[0]).toBe(`### \`pulumi preview\` of stack \`${STACK}\`: failed`);
    });
});
