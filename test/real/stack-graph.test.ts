// scripts/graph.sh on a real stack: a test stack of the region program up on the dev cloud, its live
// resource graph rendered to DOT, SVG and PNG, and the picture checked against the stack's own state
// (every resource a node, named and typed; every parent link an edge).
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { regionTestStack } from "../support/region-stack";
import { destroyAndRemove } from "../support/stack";
import { missingPluginsReason, requirePulumiToolchain, requireRealEnvironment } from "../support/real-env";
import { tempDir } from "../tmp";

const repo = path.join(__dirname, "..", "..");
const script = path.join(repo, "scripts", "graph.sh");
const suffix = `g${Date.now().toString(36).slice(-5)}`;
const STACK = `test-graph-${suffix}`;
const quiet = { onOutput: (): void => undefined };

interface StateResource { urn: string; type: string; parent?: string }

/** The label graph.sh gives a resource: its name, then its own type. */
function label(urn: string): string {
    const parts = urn.split("::");
    const types = parts[2].split("$");
    return `${parts.slice(3).join("::")}\\n${types[types.length - 1]}`;
}

/** Nodes (id -> label) and edges of a DOT file as `pulumi stack graph` writes it. */
function parseDot(text: string): { nodes: Map<string, string>; edges: { from: string; to: string; color: string }[] } {
    const nodes = new Map<string, string>();
    for (const m of text.matchAll(/^\s*(Resource\d+) \[label="([^"]*)"\];$/gm)) nodes.set(m[1], m[2]);
    const edges = [...text.matchAll(/^\s*(Resource\d+) -> (Resource\d+) \[color = "([^"]+)"/gm)].map((m) => ({ from: m[1], to: m[2], color: m[3] }));
    return { nodes, edges };
}

requirePulumiToolchain();
const blocked = missingPluginsReason(["openstack"]);
if (blocked) console.warn(`SKIPPED the stack graph suite: ${blocked}`);

(blocked ? describe.skip : describe)("scripts/graph.sh on a real stack", () => {
    let stack: Stack | undefined;
    let resources: StateResource[];
    let base: string;

    beforeAll(async () => {
        requireRealEnvironment();
        stack = await regionTestStack(STACK, suffix);
        const result = await stack.up(quiet);
        expect(result.summary.result).toBe("succeeded");
        resources = (await stack.exportStack()).deployment.resources as StateResource[];
        base = path.join(tempDir("graph"), "region");
    });

    afterAll(() => destroyAndRemove(stack, STACK));

    test("renders DOT, SVG and PNG files and names them", () => {
        const printed = execFileSync(script, ["--png", STACK, base], { cwd: repo }).toString().trim().split("\n");
        expect(printed).toEqual([`${base}.dot`, `${base}.svg`, `${base}.png`]);
        expect(fs.readFileSync(`${base}.svg`, "utf8")).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
        expect(fs.readFileSync(`${base}.png`).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    });

    test("every resource of the stack is one node, labelled with its name and type", () => {
        const { nodes } = parseDot(fs.readFileSync(`${base}.dot`, "utf8"));
        expect([...nodes.values()].sort()).toEqual(resources.map((r) => label(r.urn)).sort());
        // The component tree the README describes, by name and type.
        for (const expected of [
            "trove\\ntrove-region:region:TroveRegion",
            "trove-network\\ntrove-region:network:ManagementNetwork",
            "trove-network-network\\nopenstack:networking/network:Network",
            "trove-network-subnet\\nopenstack:networking/subnet:Subnet",
            "trove-secgroup\\ntrove-region:security:ManagementSecurityGroups",
            "trove-keypair-keypair\\nopenstack:compute/keypair:Keypair",
            "trove-quotas\\ntrove-region:quotas:ServiceQuotas",
            "trove-guest-image-image\\npulumi-nodejs:dynamic/trove-region:GlanceImage",
            "trove-datastores\\ntrove-region:datastores:Datastores",
            "trove-config\\ntrove-region:config:TroveConfig",
            `trove-region-${STACK}\\npulumi:pulumi:Stack`,
        ]) {
            expect([...nodes.values()]).toContain(expected);
        }
    });

    test("every parent link of the state is an edge from the child to its parent", () => {
        const { nodes, edges } = parseDot(fs.readFileSync(`${base}.dot`, "utf8"));
        const idOf = new Map([...nodes].map(([id, text]) => [text, id]));
        const parentEdges = new Set(edges.filter((e) => e.color === "#AA6639").map((e) => `${e.from}->${e.to}`));
        const withParent = resources.filter((r) => r.parent !== undefined);
        expect(withParent.length).toBeGreaterThan(20);
        for (const r of withParent) {
            expect(parentEdges).toContain(`${idOf.get(label(r.urn))}->${idOf.get(label(r.parent!))}`);
        }
        expect(parentEdges.size).toBe(withParent.length);
    });

    test("the SVG shows the names of the component and its children", () => {
        // Graphviz writes "-" as a character reference.
        const svg = fs.readFileSync(`${base}.svg`, "utf8").replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
        expect((svg.match(/<g id="node\d+" class="node">/g) ?? []).length).toBe(resources.length);
        for (const text of ["trove-region:region:TroveRegion", "trove-network-subnet", `trove-guest-image-image`, `trove-region-${STACK}`]) {
            expect(svg).toContain(`>${text}</text>`);
        }
    });

    test("an unknown stack fails with pulumi's error", () => {
        const run = spawnSync(script, ["test-graph-no-such-stack", path.join(path.dirname(base), "none")], { cwd: repo });
        expect(run.status).toBe(1);
        expect(run.stderr.toString()).toContain("no stack named 'test-graph-no-such-stack' found");
        expect(fs.existsSync(path.join(path.dirname(base), "none.svg"))).toBe(false);
    });

    test("without Graphviz it says how to install it, before touching the stack", () => {
        // A PATH with the few tools the script needs before its check, and no `dot`.
        const bin = tempDir("no-graphviz");
        for (const tool of ["dirname", "sed"]) fs.symlinkSync(execFileSync("bash", ["-c", `command -v ${tool}`]).toString().trim(), path.join(bin, tool));
        const run = spawnSync("/bin/bash", [script, STACK], { cwd: repo, env: { ...process.env, PATH: bin } });
        expect(run.status).toBe(3);
        expect(run.stderr.toString()).toContain("sudo apt-get install -y graphviz");
    });
});
