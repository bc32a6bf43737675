// Day two for real (issue 16 parts 2 and 4): a region stack on the dev cloud, six changes made out of
// band through the services' own APIs and the Docker engine (a management security group rule
// deleted, the service project's port and instance quotas lowered, a Trove datastore version deleted,
// the guest image deleted in Glance, the Nova keypair deleted, the registry container removed);
// ci/drift.sh finds each by name and says what happened (exit 3); a plain preview sees none of it;
// `pulumi up --refresh` repairs all of it (checked through the APIs), and the check passes again.
// Then the state's backup and restore: `pulumi stack export` holds ciphertext only, the stack's
// state is removed, `pulumi stack import` brings it back, and nothing differs from the program or
// the cloud.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { devSettingsNamed } from "../support/dev-config";
import { regionTestStack } from "../support/region-stack";
import { changes, destroyAndRemove } from "../support/stack";
import { OpenStackApi } from "../support/openstack-api";
import { freePort } from "../support/docker-engine";
import { missingPluginsReason, requirePulumiToolchain, requireRealEnvironment } from "../support/real-env";
import { tempDir } from "../tmp";

const repo = path.join(__dirname, "..", "..");
const DRIFT = path.join(repo, "ci", "drift.sh");
const suffix = `d${Date.now().toString(36).slice(-5)}`;
const STACK = `test-drift-${suffix}`;
const REGISTRY_USER = "trove-guest";
const REGISTRY_PASSWORD = `drift-${suffix}-registry-password`;
const CONTAINER = `trove-registry-${suffix}`;
/** The dev settings' quotas (maxInstances 200): what the stack sets, and what the test lowers them to. */
const PORTS = { set: 400, lowered: 350 };
const INSTANCES = { set: 200, lowered: 150 };

const T = {
    rule: "openstack:networking/secGroupRule:SecGroupRule",
    networkQuota: "openstack:networking/quotaV2:QuotaV2",
    computeQuota: "openstack:compute/quotaSetV2:QuotaSetV2",
    version: "pulumi-nodejs:dynamic/trove-region:DatastoreVersion",
    image: "pulumi-nodejs:dynamic/trove-region:GlanceImage",
    keypair: "openstack:compute/keypair:Keypair",
    container: "docker:index/container:Container",
} as const;

interface StateResource { urn: string; type: string; id?: string; outputs?: Record<string, unknown> }
interface Run { code: number | null; out: string; seconds: number }
type Outputs = Record<string, { value: unknown; secret: boolean }>;

function docker(args: string[]): string {
    return execFileSync("docker", args, { stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 }).toString().trim();
}

function pulumi(args: string[]): string {
    return execFileSync("pulumi", [...args, "--non-interactive"], { cwd: repo, stdio: ["ignore", "pipe", "pipe"], timeout: 600_000 }).toString();
}

/** ci/drift.sh as a scheduled job runs it: its exit code and everything it printed. */
function driftCheck(jsonFile: string): Run {
    const started = Date.now();
    const result = spawnSync(DRIFT, ["--stack", STACK, "--json-file", jsonFile], { cwd: repo, env: process.env, encoding: "utf8", timeout: 900_000 });
    return { code: result.status, out: `${result.stdout}${result.stderr}`, seconds: (Date.now() - started) / 1000 };
}

/** The report's lines: what ci/drift-report.ts printed, without the script's "==>" lines. */
function reportLines(out: string): string[] {
    return out.split("\n").filter((l) => l && !l.startsWith("==> "));
}

function backendHasStack(): boolean {
    const list = JSON.parse(pulumi(["stack", "ls", "--json", "--cwd", repo])) as { name: string }[];
    return list.some((s) => s.name === STACK || s.name.endsWith(`/${STACK}`));
}

requirePulumiToolchain();
const blocked = missingPluginsReason(["openstack", "docker"]);
if (blocked) console.warn(`SKIPPED the drift and state backup suite: ${blocked}`);

(blocked ? describe.skip : describe)("drift on a region stack, and its state's backup and restore", () => {
    let stack: Stack | undefined;
    let api: OpenStackApi;
    let outputs: Outputs;
    const work = tempDir("drift");
    const backup = path.join(work, `${STACK}.state.json`);
    /** The stack's resources by role, from its state after the first up. */
    const named: Record<keyof typeof T, StateResource | undefined> = {
        rule: undefined, networkQuota: undefined, computeQuota: undefined, version: undefined, image: undefined, keypair: undefined, container: undefined,
    };
    const name = (r: StateResource | undefined): string => r!.urn.slice(r!.urn.lastIndexOf("::") + 2);

    /** Every plaintext secret the stack holds: none may appear in a file the operator keeps or uploads. */
    function secrets(): Record<string, string> {
        const pem = String(outputs.novaKeypairPrivateKey.value);
        const pemBody = pem.split("\n").filter((l) => !l.startsWith("-----")).sort((a, b) => b.length - a.length)[0];
        return {
            registryPassword: REGISTRY_PASSWORD,
            taskmanagerRpcEncrKey: String(outputs.taskmanagerRpcEncrKey.value),
            instRpcKeyEncrKey: String(outputs.instRpcKeyEncrKey.value),
            "the generated private key": pemBody,
            "the OpenStack password": process.env.OS_PASSWORD!,
        };
    }

    function expectNoSecretIn(file: string): void {
        const text = fs.readFileSync(file, "utf8");
        for (const [what, value] of Object.entries(secrets())) {
            expect(value.length).toBeGreaterThanOrEqual(12);
            if (text.includes(value)) throw new Error(`${file} holds ${what} in plain text`);
        }
    }

    beforeAll(async () => {
        requireRealEnvironment();
        if (!process.env.DOCKER_HOST) throw new Error("DOCKER_HOST is not set: run through `npm test`, which starts the dev cloud and its Docker engine");
        const port = await freePort();
        stack = await regionTestStack(STACK, suffix, {
            ...devSettingsNamed(suffix),
            // A registry of the stack's own, so the drift of its container is the stack's.
            "trove-region:registry": {
                mode: "create", hostAddress: "127.0.0.1", port, listenAddress: "127.0.0.1",
                containerName: CONTAINER, credentials: { username: REGISTRY_USER },
            },
        });
        await stack.setConfig("trove-region:registryPassword", { value: REGISTRY_PASSWORD, secret: true });
        api = await OpenStackApi.login();
    });

    afterAll(async () => {
        // A run that failed between the state's removal and its import: bring the state back first,
        // or the stack's resources would be left in the shared dev cloud with nothing to destroy them.
        if (stack && fs.existsSync(backup) && !backendHasStack()) {
            pulumi(["stack", "init", STACK, "--cwd", repo]);
            pulumi(["stack", "import", "--stack", STACK, "--file", backup, "--cwd", repo]);
        }
        await destroyAndRemove(stack, STACK);
    });

    test("the region stack comes up with a registry of its own, and a drift check right after finds nothing", async () => {
        const started = Date.now();
        const result = await stack!.up({ onOutput: () => undefined });
        console.log(`up from empty: ${((Date.now() - started) / 1000).toFixed(1)} s`);
        expect(result.summary.result).toBe("succeeded");
        outputs = result.outputs as Outputs;

        const state = (await stack!.exportStack()).deployment as { resources: StateResource[] };
        const ofType = (type: string): StateResource[] => state.resources.filter((r) => r.type === type);
        named.rule = ofType(T.rule).find((r) => r.outputs?.direction === "ingress" && r.outputs?.portRangeMin === 22);
        named.networkQuota = ofType(T.networkQuota)[0];
        named.computeQuota = ofType(T.computeQuota)[0];
        named.version = ofType(T.version).find((r) => r.id === (outputs.datastoreVersionIds.value as Record<string, string>)[`mysql-8.4-${suffix}`]);
        named.image = ofType(T.image).find((r) => r.id === outputs.guestImageId.value);
        named.keypair = ofType(T.keypair).find((r) => r.id === outputs.novaKeypairName.value);
        named.container = ofType(T.container).find((r) => r.outputs?.name === CONTAINER);
        for (const [role, r] of Object.entries(named)) if (!r) throw new Error(`the stack has no ${role} resource`);

        const run = driftCheck(path.join(work, "baseline.json"));
        console.log(`drift check of the fresh stack (${run.seconds.toFixed(1)} s, exit ${run.code}):\n${run.out}`);
        expect(run.code).toBe(0);
        expect(reportLines(run.out)).toEqual([expect.stringMatching(new RegExp(`^No drift in stack ${STACK}: all \\d+ resources match the program after a refresh\\.$`))]);
    });

    test("six changes out of band, each seen through the service's own API", async () => {
        const projectId = api.projectId;
        // (a) The management group's SSH rule.
        await api.request("DELETE", "network", `/v2.0/security-group-rules/${named.rule!.id}`);
        await expect(api.get("network", `/v2.0/security-group-rules/${named.rule!.id}`)).rejects.toThrow(/404/);
        // (b) The service project's port and instance quotas.
        await api.request("PUT", "network", `/v2.0/quotas/${projectId}`, { quota: { port: PORTS.lowered } });
        await api.request("PUT", "compute", `/os-quota-sets/${projectId}`, { quota_set: { instances: INSTANCES.lowered } });
        expect((await api.get<{ quota: { port: number } }>("network", `/v2.0/quotas/${projectId}`)).quota.port).toBe(PORTS.lowered);
        expect((await api.get<{ quota_set: { instances: number } }>("compute", `/os-quota-sets/${projectId}`)).quota_set.instances).toBe(INSTANCES.lowered);
        // (c) A Trove datastore version.
        await api.request("DELETE", "database", `/mgmt/datastore-versions/${named.version!.id}`);
        // Trove answers 400 "cannot be found" for a version it does not have.
        await expect(api.get("database", `/mgmt/datastore-versions/${named.version!.id}`)).rejects.toThrow(/cannot be found/);
        // (d) The guest image.
        await api.request("DELETE", "image", `/v2/images/${named.image!.id}`);
        await expect(api.get("image", `/v2/images/${named.image!.id}`)).rejects.toThrow(/404/);
        // (e) The Nova keypair.
        await api.request("DELETE", "compute", `/os-keypairs/${named.keypair!.id}`);
        await expect(api.get("compute", `/os-keypairs/${named.keypair!.id}`)).rejects.toThrow(/404/);
        // (f) The registry container.
        docker(["rm", "-f", CONTAINER]);
        expect(docker(["ps", "-a", "--filter", `name=^${CONTAINER}$`, "--format", "{{.Names}}"])).toBe("");
    });

    test("ci/drift.sh exits 3 and names each drifted resource with what happened; its JSON holds no secret", () => {
        const jsonFile = path.join(work, "drift.json");
        const run = driftCheck(jsonFile);
        console.log(`drift check after the six changes (${run.seconds.toFixed(1)} s, exit ${run.code}):\n${run.out}`);
        expect(run.code).toBe(3);
        const lines = reportLines(run.out);
        const line = (r: StateResource | undefined): string | undefined => lines.find((l) => l.includes(` ${name(r)} (${r!.type}): `));
        for (const deleted of [named.rule, named.version, named.image, named.keypair, named.container]) {
            expect(line(deleted)).toBe(`+ ${name(deleted)} (${deleted!.type}): deleted out of band, up creates it again`);
        }
        expect(line(named.networkQuota)).toMatch(new RegExp(`^~ .*: changed out of band, up sets it back: .*\\bport ${PORTS.lowered} -> ${PORTS.set}\\b`));
        expect(line(named.computeQuota)).toMatch(new RegExp(`^~ .*: changed out of band, up sets it back: .*\\binstances ${INSTANCES.lowered} -> ${INSTANCES.set}\\b`));
        // Nothing reads as a pending program change: every line is drift.
        expect(lines.filter((l) => /not created yet|no longer in the program/.test(l))).toEqual([]);
        expect(lines[0]).toMatch(new RegExp(`^Drift in stack ${STACK}: \\d+ of \\d+ resources differ from the program`));
        // And the command that repairs it.
        expect(run.out).toContain(`==> drift in stack ${STACK}: \`pulumi up --refresh --stack ${STACK}\` repairs it`);

        // The machine-readable file: the engine's digest, secrets masked.
        const digest = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as { steps: { op: string; urn: string }[] };
        expect(digest.steps.find((s) => s.urn === named.keypair!.urn && s.op === "create")).toBeDefined();
        expect(fs.readFileSync(jsonFile, "utf8")).toContain("[secret]");
        expectNoSecretIn(jsonFile);
    });

    test("a plain preview trusts the state and sees none of it: the repair needs --refresh", async () => {
        const plain = await stack!.preview();
        expect(changes(plain.changeSummary)).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
    });

    test("pulumi up --refresh repairs all six, checked through the APIs, and the drift check passes again", async () => {
        const started = Date.now();
        const result = await stack!.up({ refresh: true, onOutput: () => undefined });
        console.log(`repairing up: ${((Date.now() - started) / 1000).toFixed(1)} s, ${JSON.stringify(result.summary.resourceChanges)}`);
        expect(result.summary.result).toBe("succeeded");
        outputs = result.outputs as Outputs;
        const projectId = api.projectId;

        const { security_group_rules: rules } = await api.get<{ security_group_rules: { direction: string; port_range_min: number | null; remote_ip_prefix: string }[] }>(
            "network", `/v2.0/security-group-rules?security_group_id=${outputs.managementSecurityGroupId.value as string}`);
        expect(rules.filter((r) => r.direction === "ingress").map((r) => `${r.port_range_min} ${r.remote_ip_prefix}`)).toEqual(["22 192.0.2.10/32"]);
        expect((await api.get<{ quota: { port: number } }>("network", `/v2.0/quotas/${projectId}`)).quota.port).toBe(PORTS.set);
        expect((await api.get<{ quota_set: { instances: number } }>("compute", `/os-quota-sets/${projectId}`)).quota_set.instances).toBe(INSTANCES.set);
        const versionId = (outputs.datastoreVersionIds.value as Record<string, string>)[`mysql-8.4-${suffix}`];
        expect(versionId).not.toBe(named.version!.id);
        const { version } = await api.get<{ version: { name: string; active: boolean } }>("database", `/mgmt/datastore-versions/${versionId}`);
        expect(version).toMatchObject({ name: `8.4-${suffix}`, active: true });
        const { "configuration-parameters": params } = await api.get<{ "configuration-parameters": unknown[] }>("database", `/datastores/versions/${versionId}/parameters`);
        expect(params.length).toBeGreaterThan(0);
        expect(outputs.guestImageId.value).not.toBe(named.image!.id);
        const image = await api.get<{ name: string; status: string; checksum: string }>("image", `/v2/images/${outputs.guestImageId.value as string}`);
        expect(image).toMatchObject({ name: `trove-guest-${suffix}`, status: "active", checksum: outputs.guestImageChecksum.value });
        const { keypair } = await api.get<{ keypair: { name: string } }>("compute", `/os-keypairs/${outputs.novaKeypairName.value as string}`);
        expect(keypair.name).toBe(`trove-mgmt-${suffix}`);
        expect(docker(["inspect", "--format", "{{.State.Running}}", CONTAINER])).toBe("true");

        const run = driftCheck(path.join(work, "repaired.json"));
        console.log(`drift check after the repair (${run.seconds.toFixed(1)} s, exit ${run.code}):\n${run.out}`);
        expect(run.code).toBe(0);
    });

    test("state backup: pulumi stack export writes the stack's state with its secrets as ciphertext only", () => {
        pulumi(["stack", "export", "--stack", STACK, "--file", backup, "--cwd", repo]);
        const exported = JSON.parse(fs.readFileSync(backup, "utf8")) as { deployment: { resources: StateResource[]; secrets_providers: { type: string } } };
        expect(exported.deployment.secrets_providers.type).toBe("passphrase");
        expect(exported.deployment.resources.map((r) => r.urn)).toEqual(expect.arrayContaining(Object.values(named).map((r) => r!.urn)));
        // Secret values are the engine's encrypted envelopes.
        expect((fs.readFileSync(backup, "utf8").match(/"ciphertext":/g) ?? []).length).toBeGreaterThan(5);
        expectNoSecretIn(backup);
    });

    test("restore: the stack's state removed, pulumi stack import brings it back, and nothing differs from the program or the cloud", async () => {
        const before = await stack!.outputs();
        pulumi(["stack", "rm", STACK, "--force", "--preserve-config", "--yes", "--cwd", repo]);
        expect(backendHasStack()).toBe(false);
        // The stack's settings (and the salt its secrets are encrypted with) stay in Pulumi.<stack>.yaml.
        expect(fs.existsSync(path.join(repo, `Pulumi.${STACK}.yaml`))).toBe(true);

        pulumi(["stack", "init", STACK, "--cwd", repo]);
        pulumi(["stack", "import", "--stack", STACK, "--file", backup, "--cwd", repo]);
        expect(backendHasStack()).toBe(true);
        // The secrets decrypt to what they were.
        const after = await stack!.outputs();
        expect(after.taskmanagerRpcEncrKey).toEqual(before.taskmanagerRpcEncrKey);
        expect(after.novaKeypairPrivateKey).toEqual(before.novaKeypairPrivateKey);
        expect(after.managementNetworkId).toEqual(before.managementNetworkId);

        const preview = await stack!.preview();
        expect(changes(preview.changeSummary)).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
        const run = driftCheck(path.join(work, "restored.json"));
        console.log(`drift check of the restored stack (${run.seconds.toFixed(1)} s, exit ${run.code}):\n${run.out}`);
        expect(run.code).toBe(0);
    });
});
