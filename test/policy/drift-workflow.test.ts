// The scheduled drift workflow cannot run here (GitHub Actions): checked for what it must keep doing.
// Runs on a schedule and by hand, one job per stack, ci/drift.sh with the cloud's and the backend's
// credentials after the dependencies are installed, the CLI the SDK pins, the JSON kept as an
// artifact whatever the verdict, and no permission to write anything.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

const repo = path.join(__dirname, "..", "..");

interface Step { name?: string; id?: string; if?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
interface Job { steps: Step[]; env?: Record<string, string>; strategy?: { "fail-fast"?: boolean; matrix: Record<string, unknown> } }
interface Workflow { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, Job> }

describe(".github/workflows/pulumi-drift.yml", () => {
    const text = fs.readFileSync(path.join(repo, ".github", "workflows", "pulumi-drift.yml"), "utf8");
    const workflow = yaml.load(text) as Workflow;
    const job = workflow.jobs.drift;
    const steps = job.steps;
    const driftStep = steps.find((s) => s.run?.includes("ci/drift.sh"));

    test("runs on a schedule (a valid five-field cron) and by hand, for one stack or all", () => {
        const schedule = workflow.on.schedule as { cron: string }[];
        expect(schedule).toHaveLength(1);
        expect(schedule[0].cron.split(" ")).toHaveLength(5);
        expect(workflow.on.workflow_dispatch).toMatchObject({ inputs: { stack: { required: false } } });
        expect(Object.keys(workflow.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    });

    test("may only read the repository", () => {
        expect(workflow.permissions).toEqual({ contents: "read" });
    });

    test("one job per stack, from the input, PULUMI_DRIFT_STACKS or PULUMI_STACK; one region's failure does not stop the others", () => {
        expect(job.strategy?.["fail-fast"]).toBe(false);
        const matrix = job.strategy?.matrix.stack as string;
        for (const source of ["inputs.stack", "vars.PULUMI_DRIFT_STACKS", "vars.PULUMI_STACK"]) expect(matrix).toContain(source);
        expect(job.env?.STACK).toBe("${{ matrix.stack }}");
    });

    test("runs ci/drift.sh on the stack, taken from the environment (never pasted into the script), writing the JSON", () => {
        expect(driftStep?.run).toBe('ci/drift.sh --stack "$STACK" --json-file pulumi-drift.json --summary-file pulumi-drift.txt');
        // A drift exit (3) fails the step: nothing may swallow it.
        expect(driftStep?.run).not.toMatch(/\|\||; *true|set \+e/);
        expect(driftStep?.if).toBeUndefined();
        expect(text).not.toContain("--show-secrets");
        expect(text).not.toMatch(/run:.*\$\{\{\s*(matrix|inputs)\./);
    });

    test("installs the stack's dependencies and the CLI the SDK pins before the check", () => {
        const install = steps.findIndex((s) => /^npm ci\b/m.test(s.run ?? ""));
        const cli = steps.findIndex((s) => s.uses === "pulumi/actions@v6");
        expect(install).toBeGreaterThan(-1);
        expect(cli).toBeGreaterThan(-1);
        // Without a command the action only installs the CLI.
        expect(steps[cli].with).toEqual({ "pulumi-version": (JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies["@pulumi/pulumi"] });
        expect(Math.max(install, cli)).toBeLessThan(steps.indexOf(driftStep!));
    });

    test("gives the check the backend's, the passphrase's and the OpenStack credentials", () => {
        expect(driftStep?.env?.PULUMI_BACKEND_URL).toBe("${{ vars.PULUMI_BACKEND_URL }}");
        for (const key of ["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME", "OS_REGION_NAME"]) {
            expect(driftStep?.env?.[key]).toBe(`\${{ secrets.${key} }}`);
        }
    });

    test("keeps the JSON and the report as an artifact named after the stack, and the report in the job summary, drift or not", () => {
        const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
        expect(upload?.if).toBe("always()");
        expect(String(upload?.with?.path).split("\n").filter(Boolean)).toEqual(["pulumi-drift.json", "pulumi-drift.txt"]);
        const naming = steps.find((s) => s.id === "names");
        expect(upload?.with?.name).toBe("${{ steps.names.outputs.artifact }}");
        expect(steps.indexOf(naming!)).toBeLessThan(steps.indexOf(driftStep!));
        const summary = steps.find((s) => s.run?.includes("GITHUB_STEP_SUMMARY"));
        expect(summary?.if).toBe("always()");
        expect(summary?.run).toContain("pulumi-drift.txt");
    });
});

describe("ci/drift.sh", () => {
    const script = path.join(repo, "ci", "drift.sh");

    test("is executable and documents its options and exit codes in its usage text", () => {
        expect(fs.statSync(script).mode & 0o111).not.toBe(0);
        const usage = fs.readFileSync(script, "utf8").split("\n").slice(1, 19).join("\n");
        for (const option of ["--stack", "--cwd", "--json-file", "--summary-file", "PULUMI_STACK", "DRIFT_JSON_FILE"]) expect(usage).toContain(option);
        expect(usage).toMatch(/Exit status: 0 no drift; 3 drift found[\s\S]*1 any failure[\s\S]*64 bad usage/);
    });

    test("previews with a refresh, expecting no changes, as JSON; never with secrets shown", () => {
        const text = fs.readFileSync(script, "utf8");
        expect(text).toContain("args=(preview --refresh --expect-no-changes --json");
        expect(text).not.toContain("--show-secrets");
    });
});
