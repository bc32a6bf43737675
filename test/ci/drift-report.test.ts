// ci/drift-report.ts on preview digests shaped as the engine writes them (`pulumi preview --refresh
// --json` of CLI 3.259: a "refresh" step per resource in the state, then the plan's steps), and
// ci/drift.sh's exit codes with a stand-in `pulumi` on PATH that prints a digest and exits as told.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
    changedProperties, describeDrift, driftReport, findDrift, parseDigest, parsePath, parseUrn, PreviewDigest, PreviewStep, showValue, valueAt,
} from "../../ci/drift-report";
import { tempDir } from "../tmp";

const repo = path.join(__dirname, "..", "..");
const PREFIX = "urn:pulumi:region-one::trove-region::trove-region:region:TroveRegion$";

function urn(type: string, name: string): string {
    return `${PREFIX}${type}::${name}`;
}

/** The refresh step the engine writes for every resource the state holds. */
function refresh(type: string, name: string): PreviewStep {
    return { op: "refresh", urn: urn(type, name), oldState: { type, inputs: {}, outputs: {} }, newState: { type, inputs: {}, outputs: {} } };
}

const QUOTA = "openstack:networking/quotaV2:QuotaV2";
const KEYPAIR = "openstack:compute/keypair:Keypair";
const VERSION = "pulumi-nodejs:dynamic/trove-region:DatastoreVersion";
const CONTAINER = "docker:index/container:Container";
const STACK_URN = "urn:pulumi:region-one::trove-region::pulumi:pulumi:Stack::trove-region-region-one";

/** A bridged provider's update: a detailed diff, refreshed inputs and outputs. */
const quotaUpdate: PreviewStep = {
    op: "update",
    urn: urn(QUOTA, "trove-quotas-network"),
    oldState: { type: QUOTA, inputs: { port: 350, securityGroup: 200 }, outputs: { port: 350, securityGroup: 200, id: "p" } },
    newState: { type: QUOTA, inputs: { port: 400, securityGroup: 200 }, outputs: { port: 350, securityGroup: 200 } },
    diffReasons: ["port"],
    detailedDiff: { port: { kind: "update", inputDiff: false } },
};

/** A dynamic provider's update: no diff reasons, the refreshed outputs against the program's inputs. */
const versionUpdate: PreviewStep = {
    op: "update",
    urn: urn(VERSION, "trove-datastores-mysql-8.4"),
    oldState: {
        type: VERSION,
        inputs: { __provider: "exports.handler = ...", active: true, connection: "[secret]", imageTags: ["trove", "mysql"], name: "8.4" },
        outputs: { __provider: "exports.handler = ...", active: false, connection: "[secret]", imageTags: ["mysql", "trove"], name: "8.4", registryExt: "trove.x" },
    },
    newState: {
        type: VERSION,
        inputs: { __provider: "exports.handler = ...", active: true, connection: "[secret]", imageTags: ["trove", "mysql"], name: "8.4" },
    },
};

const driftDigest: PreviewDigest = {
    steps: [
        { op: "refresh", urn: STACK_URN, oldState: { type: "pulumi:pulumi:Stack" }, newState: { type: "pulumi:pulumi:Stack" } },
        refresh(QUOTA, "trove-quotas-network"),
        refresh(KEYPAIR, "trove-keypair-keypair"),
        refresh(VERSION, "trove-datastores-mysql-8.4"),
        refresh(CONTAINER, "trove-registry-container"),
        { op: "same", urn: STACK_URN, oldState: { type: "pulumi:pulumi:Stack" }, newState: { type: "pulumi:pulumi:Stack" } },
        quotaUpdate,
        { op: "create", urn: urn(KEYPAIR, "trove-keypair-keypair"), oldState: null, newState: { type: KEYPAIR, inputs: { name: "trove-mgmt" } } },
        versionUpdate,
        // Not in the state: a setting added and not applied yet.
        { op: "create", urn: urn("openstack:networking/secGroupRule:SecGroupRule", "trove-secgroup-ingress-ssh-192-0-2-11-32"), newState: { type: "openstack:networking/secGroupRule:SecGroupRule", inputs: {} } },
        { op: "same", urn: urn(CONTAINER, "trove-registry-container") },
    ],
    changeSummary: { create: 2, update: 2, same: 2 },
};

describe("parsing", () => {
    test("a URN's name and type: the last type of a parent chain, names with dots", () => {
        expect(parseUrn(urn(VERSION, "trove-datastores-mysql-8.4"))).toEqual({ name: "trove-datastores-mysql-8.4", type: VERSION });
        expect(parseUrn(STACK_URN)).toEqual({ name: "trove-region-region-one", type: "pulumi:pulumi:Stack" });
    });

    test("property paths as the engine writes them", () => {
        expect(parsePath("port")).toEqual(["port"]);
        expect(parsePath("uploads[0].content")).toEqual(["uploads", 0, "content"]);
        expect(parsePath('tags["a.b"].x')).toEqual(["tags", "a.b", "x"]);
        expect(valueAt({ uploads: [{ content: "[secret]" }] }, "uploads[0].content")).toBe("[secret]");
        expect(valueAt({ a: "[secret]" }, "a.b")).toBe("[secret]");
        expect(valueAt({ a: 1 }, "b[2].c")).toBeUndefined();
    });

    test("a digest must be a JSON object; the error says what came instead", () => {
        expect(() => parseDigest("")).toThrow(/not JSON .*printed nothing/);
        expect(() => parseDigest("[]")).toThrow(/not a preview digest/);
        expect(() => parseDigest('{"steps": 3}')).toThrow(/steps is not a list/);
        expect(parseDigest('{"steps": []}')).toEqual({ steps: [] });
    });

    test("values: text quoted, secrets as the engine masked them, absent as (none), long ones shortened", () => {
        expect(showValue("a")).toBe('"a"');
        expect(showValue(400)).toBe("400");
        expect(showValue("[secret]")).toBe("[secret]");
        expect(showValue(undefined)).toBe("(none)");
        expect(showValue(["x", "y"])).toBe('["x","y"]');
        const long = showValue("x".repeat(200));
        expect(long).toHaveLength(80);
        expect(long.endsWith('...')).toBe(true);
    });
});

describe("changed properties", () => {
    test("a bridged provider's detailed diff: the cloud's value after the refresh, and the program's", () => {
        expect(changedProperties(quotaUpdate)).toEqual([{ path: "port", old: 350, new: 400 }]);
    });

    test("added and deleted properties have no value on one side", () => {
        const step: PreviewStep = {
            ...quotaUpdate,
            detailedDiff: { "tags[1]": { kind: "add" }, description: { kind: "delete-replace" } },
            oldState: { inputs: {}, outputs: { tags: ["a"], description: "by hand" } },
            newState: { inputs: { tags: ["a", "b"] } },
        };
        expect(changedProperties(step)).toEqual([
            { path: "tags[1]", old: undefined, new: "b" },
            { path: "description", old: "by hand", new: undefined },
        ]);
    });

    test("diff reasons when there is no detailed diff", () => {
        const step: PreviewStep = { ...quotaUpdate, detailedDiff: null, diffReasons: ["port"], replaceReasons: ["port", "name"] };
        expect(changedProperties(step).map((c) => c.path)).toEqual(["port", "name"]);
    });

    test("a dynamic provider's update: the inputs that differ from the refreshed outputs (a list in another order counts), secrets and the provider's code left out", () => {
        expect(changedProperties(versionUpdate)).toEqual([
            { path: "active", old: false, new: true },
            { path: "imageTags", old: ["mysql", "trove"], new: ["trove", "mysql"] },
        ]);
    });

    test("a secret that changed shows as [secret] on both sides, never its value", () => {
        const step: PreviewStep = {
            op: "update", urn: urn(CONTAINER, "c"),
            oldState: { outputs: { uploads: [{ file: "/auth/htpasswd", content: "[secret]" }] } },
            newState: { inputs: { uploads: [{ file: "/auth/htpasswd", content: "[secret]" }] } },
            detailedDiff: { "uploads[0].content": { kind: "update" } },
        };
        const [drift] = findDrift({ steps: [refresh(CONTAINER, "c"), step] });
        expect(describeDrift(drift)).toBe(`~ c (${CONTAINER}): changed out of band, up sets it back: uploads[0].content [secret] -> [secret]`);
    });
});

describe("findDrift and the report", () => {
    test("one entry per changed resource, by name: changed, deleted out of band, not created yet; the stack and unchanged ones left out", () => {
        const drifts = findDrift(driftDigest);
        expect(drifts.map((d) => [d.name, d.kind])).toEqual([
            ["trove-datastores-mysql-8.4", "changed"],
            ["trove-keypair-keypair", "deleted"],
            ["trove-quotas-network", "changed"],
            ["trove-secgroup-ingress-ssh-192-0-2-11-32", "new"],
        ]);
    });

    test("the report: a headline with the counts and one line per resource saying what happened and what up does", () => {
        const report = driftReport(driftDigest, "region-one");
        expect(report.status).toBe(3);
        expect(report.lines).toEqual([
            "Drift in stack region-one: 4 of 4 resources differ from the program (3 changed or deleted out of band); `pulumi up --refresh` would:",
            `~ trove-datastores-mysql-8.4 (${VERSION}): changed out of band, up sets it back: active false -> true, imageTags ["mysql","trove"] -> ["trove","mysql"]`,
            `+ trove-keypair-keypair (${KEYPAIR}): deleted out of band, up creates it again`,
            `~ trove-quotas-network (${QUOTA}): changed out of band, up sets it back: port 350 -> 400`,
            "+ trove-secgroup-ingress-ssh-192-0-2-11-32 (openstack:networking/secGroupRule:SecGroupRule): not created yet (a program or configuration change, not drift), up creates it",
        ]);
    });

    test("replacements, removals, updates the provider gives no property for, and other ops", () => {
        const steps: PreviewStep[] = [
            refresh(KEYPAIR, "k"), refresh(QUOTA, "q"), refresh(QUOTA, "gone"),
            { op: "replace", urn: urn(KEYPAIR, "k"), oldState: { outputs: { publicKey: "ssh-ed25519 AAA" } }, newState: { inputs: { publicKey: "ssh-ed25519 BBB" } }, replaceReasons: ["publicKey"] },
            { op: "create-replacement", urn: urn(KEYPAIR, "k") },
            { op: "delete-replaced", urn: urn(KEYPAIR, "k") },
            { op: "update", urn: urn(QUOTA, "q"), oldState: { outputs: {} }, newState: { inputs: {} } },
            { op: "delete", urn: urn(QUOTA, "gone"), oldState: { type: QUOTA } },
            { op: "import", urn: urn(QUOTA, "imported") },
        ];
        expect(driftReport({ steps }, "s").lines.slice(1)).toEqual([
            `- gone (${QUOTA}): no longer in the program, up deletes it`,
            `? imported (${QUOTA}): up would import it`,
            `+- k (${KEYPAIR}): changed out of band, up replaces it: publicKey "ssh-ed25519 AAA" -> "ssh-ed25519 BBB"`,
            `~ q (${QUOTA}): changed out of band (the provider names no property), up updates it`,
        ]);
    });

    test("no drift: status 0 and how many resources were read back", () => {
        const digest: PreviewDigest = {
            steps: [
                { op: "refresh", urn: STACK_URN, oldState: { type: "pulumi:pulumi:Stack" } },
                refresh(QUOTA, "q"), refresh(KEYPAIR, "k"),
                { op: "same", urn: STACK_URN }, { op: "same", urn: urn(QUOTA, "q") }, { op: "same", urn: urn(KEYPAIR, "k") },
            ],
            changeSummary: { same: 3 },
        };
        expect(driftReport(digest, "s")).toEqual({ status: 0, drifts: [], lines: ["No drift in stack s: all 2 resources match the program after a refresh."] });
    });

    test("a failed preview: status 1 and the engine's errors without terminal colours, whatever steps were planned", () => {
        const digest: PreviewDigest = {
            steps: driftDigest.steps,
            diagnostics: [
                { message: "warning: something\n", severity: "warning" },
                { message: "error: Running program failed:\n\u001b[90mError: boom\u001b[39m\n", severity: "error" },
            ],
        };
        expect(driftReport(digest, "s")).toEqual({
            status: 1, drifts: [],
            lines: ["The drift check of stack s failed: the preview reported 1 error(s):", "error: Running program failed:\nError: boom"],
        });
    });
});

describe("ci/drift.sh with a stand-in pulumi", () => {
    const bin = tempDir("drift-bin");
    // Prints $FAKE_JSON (the digest) to stdout and $FAKE_STDERR to stderr, exits $FAKE_RC; records its arguments.
    fs.writeFileSync(path.join(bin, "pulumi"), [
        "#!/bin/sh",
        'echo "$@" > "$FAKE_ARGS"',
        '[ -z "$FAKE_JSON" ] || cat "$FAKE_JSON"',
        '[ -z "$FAKE_STDERR" ] || echo "$FAKE_STDERR" >&2',
        'exit "$FAKE_RC"',
        "",
    ].join("\n"), { mode: 0o755 });

    function run(digest: PreviewDigest | undefined, rc: number, stderr = "", extra: string[] = []): { code: number | null; out: string; json: string; args: string } {
        const dir = tempDir("drift-run");
        const fake = path.join(dir, "fake.json");
        if (digest) fs.writeFileSync(fake, JSON.stringify(digest));
        const jsonFile = path.join(dir, "out.json");
        const result = spawnSync(path.join(repo, "ci", "drift.sh"), ["--stack", "region-one", "--json-file", jsonFile, ...extra], {
            cwd: repo,
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_JSON: digest ? fake : "", FAKE_RC: String(rc), FAKE_STDERR: stderr, FAKE_ARGS: path.join(dir, "args") },
            encoding: "utf8",
        });
        return {
            code: result.status,
            out: `${result.stdout}${result.stderr}`,
            json: fs.existsSync(jsonFile) ? fs.readFileSync(jsonFile, "utf8") : "",
            args: fs.existsSync(path.join(dir, "args")) ? fs.readFileSync(path.join(dir, "args"), "utf8").trim() : "",
        };
    }

    test("drift: exit 3, the lines printed, the engine's JSON written as it came; the preview refreshes and expects no changes", () => {
        const result = run(driftDigest, 7);
        expect(result.code).toBe(3);
        expect(result.out).toContain(`+ trove-keypair-keypair (${KEYPAIR}): deleted out of band, up creates it again`);
        expect(result.out).toContain("==> drift in stack region-one: `pulumi up --refresh --stack region-one` repairs it");
        expect(JSON.parse(result.json)).toEqual(driftDigest);
        expect(result.args).toBe(`preview --refresh --expect-no-changes --json --stack region-one --cwd ${repo} --non-interactive --color never`);
    });

    test("an older CLI that exits 1 and says no changes were expected: still drift", () => {
        expect(run(driftDigest, 1, "error: no changes were expected but changes were proposed").code).toBe(3);
    });

    test("no drift: exit 0; the summary file gets the report", () => {
        const summary = path.join(tempDir("drift-summary"), "summary.txt");
        const result = run({ steps: [refresh(QUOTA, "q"), { op: "same", urn: urn(QUOTA, "q") }] }, 0, "", ["--summary-file", summary]);
        expect(result.code).toBe(0);
        expect(fs.readFileSync(summary, "utf8")).toBe("No drift in stack region-one: all 1 resources match the program after a refresh.\n");
    });

    test("a failed preview: exit 1 with the program's error, even when steps were planned", () => {
        const result = run({ ...driftDigest, diagnostics: [{ message: "error: boom in program", severity: "error" }] }, 1);
        expect(result.code).toBe(1);
        expect(result.out).toContain("error: boom in program");
    });

    test("a preview that cannot start prints no JSON: exit 1 with the CLI's words", () => {
        const result = run(undefined, 6, "error: no stack named 'region-one' found");
        expect(result.code).toBe(1);
        expect(result.out).toContain("the preview printed no JSON");
        expect(result.out).toContain("error: no stack named 'region-one' found");
    });

    test("a failure with changes but no 'no changes expected' verdict is a failure, not drift", () => {
        expect(run(driftDigest, 255, "panic: something").code).toBe(1);
    });

    test("bad usage: exit 64 with the usage text", () => {
        const none = spawnSync(path.join(repo, "ci", "drift.sh"), [], { cwd: repo, env: { ...process.env, PULUMI_STACK: "" }, encoding: "utf8" });
        expect(none.status).toBe(64);
        expect(none.stderr).toContain("--stack (or PULUMI_STACK) is required");
        expect(none.stderr).toContain("Exit status: 0 no drift; 3 drift found");
        const unknown = spawnSync(path.join(repo, "ci", "drift.sh"), ["--stack", "s", "--nope"], { cwd: repo, encoding: "utf8" });
        expect(unknown.status).toBe(64);
    });
});
