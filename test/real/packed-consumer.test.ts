// trove-region as another team uses it: `npm pack` of this repository, `npm install` of the tarball
// into examples/packed-consumer (copied away from the repository, so nothing resolves back into it),
// then a real `pulumi preview` and `up` of that program against the dev cloud, checked through the
// APIs, and a destroy.
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { OpenStackApi } from "../support/openstack-api";
import { missingPluginsReason, requirePulumiToolchain, requireRealEnvironment } from "../support/real-env";
import { tempDir } from "../tmp";

const repo = path.join(__dirname, "..", "..");
const suffix = `p${Date.now().toString(36).slice(-5)}`;
const STACK = `packed-${suffix}`;

function run(command: string, args: string[], cwd: string, input?: string): SpawnSyncReturns<string> {
    const result = spawnSync(command, args, { cwd, input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "" } });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    return result;
}

requirePulumiToolchain();
const blocked = missingPluginsReason(["openstack"]);
if (blocked) console.warn(`SKIPPED the packed consumer: ${blocked}`);

(blocked ? describe.skip : describe)("the packed package in another team's program", () => {
    let dir = "";
    let tarball = "";
    let packed: string[] = [];
    const pulumi = (args: string[], input?: string) => run("pulumi", [...args, "--stack", STACK, "--non-interactive"], dir, input);

    beforeAll(() => {
        requireRealEnvironment();
        const out = tempDir("packed");
        // `npm pack` builds the library first (prepack: tsc -p tsconfig.build.json).
        const pack = run("npm", ["pack", "--json", "--pack-destination", out], repo);
        const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
        tarball = path.join(out, info[0].filename);
        packed = info[0].files.map((f) => f.path);
        dir = path.join(out, "consumer");
        fs.cpSync(path.join(repo, "examples", "packed-consumer"), dir, { recursive: true });
        // The registry's copies, as another team gets them; the npm cache makes it quick.
        run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], dir);
        pulumi(["stack", "init"]);
    });

    afterAll(() => {
        if (!dir) return;
        spawnSync("pulumi", ["destroy", "--yes", "--stack", STACK, "--non-interactive"], { cwd: dir, encoding: "utf8" });
        spawnSync("pulumi", ["stack", "rm", "--yes", "--force", "--stack", STACK, "--non-interactive"], { cwd: dir, encoding: "utf8" });
    });

    test("the tarball holds the compiled library and its type declarations, and no tests", () => {
        expect(packed).toContain("dist/components/index.js");
        expect(packed).toContain("dist/components/index.d.ts");
        expect(packed).toContain("dist/components/region/trove-region.d.ts");
        expect(packed.filter((f) => /(^|\/)test\/|\.test\.|^index\.ts$|\.ts$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
    });

    test("the consumer type-checks against the installed package's declarations alone", () => {
        run("npx", ["tsc", "--noEmit", "-p", "."], dir);
        // Importing the package registers nothing and reads no configuration.
        const probe = run("node", ["-e", "const m = require('trove-region'); console.log(typeof m.TroveRegion, typeof m.readRegionConfig, typeof m.httpRequest)"], dir);
        expect(probe.stdout.trim()).toBe("function function undefined");
    });

    test("pulumi preview and up build the region from the package, checked through the APIs", async () => {
        const api = await OpenStackApi.login();
        pulumi(["config", "set", "suffix", suffix]);
        pulumi(["config", "set", "serviceProjectId", api.projectId]);
        pulumi(["config", "set", "guestImageFile", path.join(repo, ".devcloud", "guest-image", "trove-guest-dev.qcow2")]);
        for (const [key, value] of [["authUrl", process.env.OS_AUTH_URL], ["userName", process.env.OS_USERNAME], ["tenantName", process.env.OS_PROJECT_NAME], ["region", process.env.OS_REGION_NAME ?? "RegionOne"]]) {
            pulumi(["config", "set", `openstack:${key}`, value ?? ""]);
        }
        const preview = pulumi(["preview", "--json"]);
        const steps = (JSON.parse(preview.stdout) as { steps: { op: string; urn: string }[] }).steps;
        expect(steps.filter((s) => s.urn.endsWith("::trove-region:region:TroveRegion::packed"))).toHaveLength(1);
        expect(steps.length).toBeGreaterThan(15);
        expect(steps.every((s) => s.op === "create")).toBe(true);

        pulumi(["up", "--yes", "--skip-preview"]);
        const outputs = JSON.parse(pulumi(["stack", "output", "--json"]).stdout) as { managementNetworkId: string; datastoreVersionIds: Record<string, string> };
        const { network } = await api.get<{ network: { name: string } }>("network", `/v2.0/networks/${outputs.managementNetworkId}`);
        expect(network.name).toBe(`trove-mgmt-${suffix}`);
        // The dynamic resources run from the installed package's compiled code: Trove has the version.
        const versionId = outputs.datastoreVersionIds[`mariadb-11.8-${suffix}`];
        const { version } = await api.get<{ version: { name: string; datastore_name: string } }>("database", `/mgmt/datastore-versions/${versionId}`);
        expect(version).toMatchObject({ name: `11.8-${suffix}`, datastore_name: "mariadb" });

        pulumi(["destroy", "--yes", "--skip-preview"]);
        const after = await api.request("GET", "network", `/v2.0/networks/${outputs.managementNetworkId}`).catch((e: Error) => e);
        expect(String(after)).toMatch(/404/);
    });
});
