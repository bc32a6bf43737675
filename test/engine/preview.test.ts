// The real Pulumi engine and real provider plugins, with nothing in the cloud: the toolchain that
// scripts/pulumi-toolchain.sh builds (CLI, Node.js language host, the pulumi-nodejs launcher of
// dynamic providers, the command plugin) previews, updates and destroys a stack whose resources are
// a local command, a dynamic-provider resource and a secret output, on a file backend of its own.
// A missing toolchain fails here with the way to fix it: it is never skipped.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { destroyAndRemove } from "../support/stack";
import { tempDir, workDir } from "../tmp";

const PROJECT = "trove-region-engine-preview";
const STACK = "preview";
const SECRET = "engine-secret-7d41c9";
const GREETING = "hello from the command plugin";

/** Fails with the way to fix it when scripts/pulumi-env.sh's toolchain is not in the environment. */
function requireToolchain(): void {
    const fix = "run the real suite through `npm test`, or run `scripts/pulumi-toolchain.sh && source scripts/pulumi-env.sh` first";
    for (const key of ["PULUMI_HOME", "PULUMI_CONFIG_PASSPHRASE"]) {
        if (process.env[key] === undefined) throw new Error(`${key} is not set: ${fix}`);
    }
    let version: string;
    try {
        version = execFileSync("pulumi", ["version"], { stdio: "pipe" }).toString().trim();
    } catch {
        throw new Error(`no \`pulumi\` on PATH: ${fix}`);
    }
    const onPath = (bin: string) =>
        (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, bin)));
    for (const bin of ["pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
        if (!onPath(bin)) throw new Error(`${bin} is not on PATH beside pulumi ${version}: ${fix}`);
    }
    const plugins = JSON.parse(execFileSync("pulumi", ["plugin", "ls", "--json"], { stdio: "pipe" }).toString() || "[]") as
        { name: string; version: string; kind: string }[];
    // The version the SDK asks the engine for: its package.json "pulumi.version", else its own.
    const sdk = require("@pulumi/command/package.json") as { version: string; pulumi?: { version?: string } };
    const want = (sdk.pulumi?.version ?? sdk.version).replace(/^v/, "");
    if (!plugins.some((p) => p.kind === "resource" && p.name === "command" && p.version === want)) {
        throw new Error(`the command provider plugin v${want} is not installed in ${process.env.PULUMI_HOME}: ${fix}`);
    }
}

// A dynamic provider: the engine runs it through the pulumi-nodejs plugin, that is the
// pulumi-resource-pulumi-nodejs launcher on PATH.
const shoutProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { text: string }) {
        return { id: `shout-${inputs.text.length}`, outs: { text: inputs.text, shouted: inputs.text.toUpperCase() } };
    },
};

class Shout extends pulumi.dynamic.Resource {
    public readonly shouted!: pulumi.Output<string>;
    constructor(name: string, text: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions) {
        super(shoutProvider, name, { text, shouted: undefined }, opts);
    }
}

function program(markerFile: string) {
    return async () => {
        const echo = new command.local.Command("echo", {
            create: `echo "$GREETING"`,
            delete: `printf '%s' "$PULUMI_COMMAND_STDOUT" > ${JSON.stringify(markerFile)}`,
            environment: { GREETING },
        });
        const shout = new Shout("shout", echo.stdout);
        return { stdout: echo.stdout, shouted: shout.shouted, secret: pulumi.secret(SECRET) };
    };
}

/** Every file of the stack's file backend, as text: the checkpoint, its backups and history. */
function backendText(backendDir: string): string {
    const texts: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const file = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(file);
            else if (entry.isFile()) texts.push(fs.readFileSync(file).toString("utf8"));
        }
    };
    walk(backendDir);
    return texts.join("\n");
}

describe("the real engine: preview, up and destroy of a stack that needs no cloud", () => {
    let stack: Stack;
    let backendDir: string;
    let markerFile: string;

    beforeAll(async () => {
        requireToolchain();
        backendDir = tempDir("engine-backend");
        markerFile = path.join(tempDir("engine-marker"), "deleted");
        // The work dir is inside the repository, so the engine's pulumi-nodejs launcher resolves the
        // project's own @pulumi/pulumi from there.
        stack = await LocalWorkspace.createOrSelectStack(
            { stackName: STACK, projectName: PROJECT, program: program(markerFile) },
            {
                workDir: workDir("engine-preview"),
                projectSettings: { name: PROJECT, runtime: "nodejs", backend: { url: `file://${backendDir}` } },
                secretsProvider: "passphrase",
                envVars: {
                    PULUMI_BACKEND_URL: `file://${backendDir}`,
                    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
                },
            },
        );
    });

    afterAll(() => destroyAndRemove(stack, STACK));

    test("preview plans the stack, the command and the dynamic resource", async () => {
        const preview = await stack.preview();
        expect(preview.changeSummary).toEqual({ create: 3 });
    });

    test("up runs the command, the dynamic provider sees its stdout, and the secret stays secret", async () => {
        const result = await stack.up();
        expect(result.summary.result).toBe("succeeded");
        expect(result.summary.resourceChanges).toEqual({ create: 3 });
        expect(result.outputs.stdout).toEqual({ value: GREETING, secret: false });
        expect(result.outputs.shouted).toEqual({ value: GREETING.toUpperCase(), secret: false });
        expect(result.outputs.secret).toEqual({ value: SECRET, secret: true });
    });

    test("the checkpoint keeps the secret as ciphertext only: its plain value is in no backend file", async () => {
        // The Automation API's exportStack decrypts secrets (it runs `pulumi stack export
        // --show-secrets`), so there the value is still tagged as a secret...
        const SECRET_SIG = "4dabf18193072939515e22adb298388d";
        const exported = (await stack.exportStack()).deployment as {
            resources: { type: string; outputs?: Record<string, unknown> }[];
        };
        const stackOutputs = exported.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs ?? {};
        expect(stackOutputs.secret).toEqual({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify(SECRET) });
        // ...while what the file backend wrote holds only the passphrase provider's ciphertext.
        const onDisk = backendText(backendDir);
        expect(onDisk).toContain(GREETING.toUpperCase());
        expect(onDisk).toContain('"ciphertext"');
        expect(onDisk).not.toContain(SECRET);
    });

    test("a second preview plans no change", async () => {
        const preview = await stack.preview();
        expect(preview.changeSummary).toEqual({ same: 3 });
    });

    test("destroy deletes everything and runs the command's delete with its stdout", async () => {
        const result = await stack.destroy();
        expect(result.summary.result).toBe("succeeded");
        expect(result.summary.resourceChanges).toEqual({ delete: 3 });
        expect(fs.readFileSync(markerFile, "utf8")).toBe(GREETING);
        const state = await stack.exportStack();
        expect((state.deployment as { resources?: unknown[] }).resources ?? []).toEqual([]);
    });
});

// The inline programs above run inside jest, so the engine talks to them directly. A program on disk,
// as `pulumi up` runs the product, goes through the Node.js language host (pulumi-language-nodejs).
describe("the real engine runs a program on disk through the Node.js language host", () => {
    let stack: Stack;

    beforeAll(async () => {
        requireToolchain();
        const backendDir = tempDir("engine-host-backend");
        const dir = workDir("engine-host");
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${PROJECT}-host\nruntime: nodejs\nbackend:\n  url: file://${backendDir}\n`);
        // Its own package.json, or the host would take the repository's (and run the product's index.ts);
        // @pulumi/* still resolve from the repository's node_modules above it.
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `${PROJECT}-host`, main: "index.js" }));
        fs.writeFileSync(path.join(dir, "index.js"), [
            'const pulumi = require("@pulumi/pulumi");',
            'const command = require("@pulumi/command");',
            'const echo = new command.local.Command("echo", { create: "echo host-$((6 * 7))" });',
            "exports.stdout = echo.stdout;",
            `exports.secret = pulumi.secret(${JSON.stringify(SECRET)});`,
            "",
        ].join("\n"));
        stack = await LocalWorkspace.createOrSelectStack(
            { stackName: STACK, workDir: dir },
            {
                secretsProvider: "passphrase",
                envVars: {
                    PULUMI_BACKEND_URL: `file://${backendDir}`,
                    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
                },
            },
        );
    });

    afterAll(() => destroyAndRemove(stack, STACK));

    test("preview, up and destroy", async () => {
        expect((await stack.preview()).changeSummary).toEqual({ create: 2 });
        const up = await stack.up();
        expect(up.summary.resourceChanges).toEqual({ create: 2 });
        expect(up.outputs.stdout).toEqual({ value: "host-42", secret: false });
        expect(up.outputs.secret).toEqual({ value: SECRET, secret: true });
        expect((await stack.destroy()).summary.resourceChanges).toEqual({ delete: 2 });
    });
});
