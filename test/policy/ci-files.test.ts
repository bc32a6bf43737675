// The CI files that cannot run here (GitHub Actions) and the pack's settings files, checked for what
// they must keep doing: preview with the diff and the pack, comment on the pull request, install what
// the stack and the pack need; the dev stack's allowance names the dev stack's own registry.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

const repo = path.join(__dirname, "..", "..");

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
interface Workflow { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, { steps: Step[]; env?: Record<string, string> }> }

describe(".github/workflows/pulumi-preview.yml", () => {
    const workflow = yaml.load(fs.readFileSync(path.join(repo, ".github", "workflows", "pulumi-preview.yml"), "utf8")) as Workflow;
    const steps = workflow.jobs.preview.steps;
    const pulumiStep = steps.find((s) => s.uses?.startsWith("pulumi/actions@"));

    test("runs on pull requests, and may write the comment", () => {
        expect(Object.keys(workflow.on)).toContain("pull_request");
        expect(workflow.permissions["pull-requests"]).toBe("write");
    });

    test("previews with the rich diff and the policy pack, and comments on the pull request", () => {
        expect(pulumiStep?.uses).toBe("pulumi/actions@v6");
        expect(pulumiStep?.with).toMatchObject({ command: "preview", diff: true, "comment-on-pr": true, policyPacks: "policy" });
        expect(pulumiStep?.with?.policyPackConfigs).toBe("${{ steps.policy.outputs.config }}");
        // The CLI released with the SDK the project pins.
        const sdk = (JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies["@pulumi/pulumi"];
        expect(pulumiStep?.with?.["pulumi-version"]).toBe(sdk);
    });

    test("installs the stack's and the pack's dependencies before the preview", () => {
        const install = steps.findIndex((s) => s.run?.includes("npm ci --prefix policy"));
        expect(install).toBeGreaterThan(-1);
        expect(steps[install].run).toMatch(/^npm ci\b/m);
        expect(install).toBeLessThan(steps.indexOf(pulumiStep!));
    });

    test("gives the preview the OpenStack credentials the program and the Trove API calls need", () => {
        for (const key of ["OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME"]) expect(pulumiStep?.env?.[key]).toBe(`\${{ secrets.${key} }}`);
    });
});

describe("the policy pack's settings files", () => {
    const load = (name: string) => JSON.parse(fs.readFileSync(path.join(repo, "policy", name), "utf8")) as Record<string, { allowInsecureRegistries?: string[] }>;

    test("the default allows nothing", () => {
        expect(load("default-config.json")).toEqual({});
    });

    test("the dev stack's allows exactly the dev stack's own insecure registry", () => {
        type RegistrySetting = { mode: "existing"; address: string; insecure?: boolean } | { mode: "create"; hostAddress: string; port?: number; tls?: object };
        const dev = yaml.load(fs.readFileSync(path.join(repo, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, RegistrySetting> };
        const registry = dev.config["trove-region:registry"];
        // As the Registry component decides: an existing one as configured, a created one without TLS.
        const [address, insecure] = registry.mode === "existing"
            ? [registry.address, registry.insecure ?? false]
            : [`${registry.hostAddress}:${registry.port ?? 4000}`, registry.tls === undefined];
        expect(insecure).toBe(true);
        expect(load("dev-config.json")).toEqual({ "registry-insecure-allowed": { allowInsecureRegistries: [address] } });
    });
});
