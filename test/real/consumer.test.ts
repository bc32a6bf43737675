// The consumer example for real: a test stack of the region program up on the dev cloud, then the
// example consumer stack (examples/consumer) reading it through a StackReference. The rendered files,
// written the way the example's README says (`pulumi stack output --show-secrets`), must carry the
// region's real ids (checked against the cloud's APIs), and the region's secrets must stay secrets in
// the consumer: marked secret in its outputs, ciphertext only in its files on the backend.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { LocalWorkspace, OutputMap, Stack } from "@pulumi/pulumi/automation";
import { regionTestStack } from "../support/region-stack";
import { destroyAndRemove } from "../support/stack";
import { OpenStackApi } from "../support/openstack-api";
import { missingPluginsReason, requirePulumiToolchain, requireRealEnvironment } from "../support/real-env";
import { tempDir } from "../tmp";

const repo = path.join(__dirname, "..", "..");
const consumerDir = path.join(repo, "examples", "consumer");
const suffix = `c${Date.now().toString(36).slice(-5)}`;
const REGION_STACK = `test-consumer-region-${suffix}`;
const CONSUMER_STACK = `test-consumer-${suffix}`;
const quiet = { onOutput: (): void => undefined };

/** Every file the file backend keeps for a stack: the checkpoint, its backups and its history. */
function backendFiles(project: string, stackName: string): string[] {
    const backend = (process.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, "");
    const root = path.join(backend, ".pulumi");
    const files = [path.join(root, "stacks", project, `${stackName}.json`)];
    for (const kind of ["backups", "history"]) {
        const dir = path.join(root, kind, project, stackName);
        if (fs.existsSync(dir)) files.push(...fs.readdirSync(dir).map((f) => path.join(dir, f)));
    }
    return files.filter((f) => fs.statSync(f).isFile());
}

/** What an operator runs to write one rendered file. */
function writeOutput(name: string, file: string): string {
    const text = execFileSync("pulumi", ["stack", "output", name, "--show-secrets", "--stack", CONSUMER_STACK], { cwd: consumerDir }).toString();
    fs.writeFileSync(file, text, { mode: 0o600 });
    return fs.readFileSync(file, "utf8");
}

requirePulumiToolchain();
const blocked = missingPluginsReason(["openstack"]);
if (blocked) console.warn(`SKIPPED the consumer example suite: ${blocked}`);

(blocked ? describe.skip : describe)("the consumer example against a region stack on the dev cloud", () => {
    let region: Stack | undefined;
    let consumer: Stack | undefined;
    let regionOut: OutputMap;
    let consumerOut: OutputMap;
    const files = { troveConf: "", guestAgentConf: "", vars: "", vault: "" };

    beforeAll(async () => {
        requireRealEnvironment();
        region = await regionTestStack(REGION_STACK, suffix);
        consumer = await LocalWorkspace.createOrSelectStack({ stackName: CONSUMER_STACK, workDir: consumerDir });
        await consumer.setConfig("trove-consumer:regionStack", { value: `organization/trove-region/${REGION_STACK}` });
    });

    afterAll(async () => {
        // The consumer first: it holds a reference to the region, not the other way round.
        await destroyAndRemove(consumer, CONSUMER_STACK);
        await destroyAndRemove(region, REGION_STACK);
    });

    test("the region stack comes up", async () => {
        const result = await region!.up(quiet);
        expect(result.summary.result).toBe("succeeded");
        regionOut = result.outputs;
        expect(regionOut.troveConf.secret).toBe(true);
    });

    test("the consumer stack comes up against it and renders its outputs", async () => {
        const result = await consumer!.up(quiet);
        expect(result.summary.result).toBe("succeeded");
        consumerOut = result.outputs;
        expect(Object.keys(consumerOut).sort()).toEqual(["ansibleVars", "ansibleVault", "cloudInitFiles", "kollaGuestAgentConf", "kollaTroveConf", "regionStackName"]);
        // The region sets no cloudInit: no file to place.
        expect(consumerOut.cloudInitFiles.value).toEqual({});
        expect(consumerOut.regionStackName.value).toBe(`organization/trove-region/${REGION_STACK}`);
    });

    test("the region's secrets stay secrets in the consumer's outputs; the plain ids stay plain", () => {
        expect(consumerOut.kollaTroveConf.secret).toBe(true);
        expect(consumerOut.ansibleVault.secret).toBe(true);
        expect(consumerOut.ansibleVars.secret).toBe(false);
        // Secret exactly when the region's fragment is (it is when it carries a registry password).
        expect(consumerOut.kollaGuestAgentConf.secret).toBe(regionOut.guestAgentConf.secret);
    });

    test("the files written with `pulumi stack output --show-secrets` are the region's settings", () => {
        const dir = tempDir("consumer");
        files.troveConf = writeOutput("kollaTroveConf", path.join(dir, "trove.conf"));
        files.guestAgentConf = writeOutput("kollaGuestAgentConf", path.join(dir, "trove-guestagent.conf"));
        files.vars = writeOutput("ansibleVars", path.join(dir, "vars.yml"));
        files.vault = writeOutput("ansibleVault", path.join(dir, "vault.yml"));

        expect(files.troveConf).toContain("# /etc/kolla/config/trove.conf");
        expect(files.troveConf).toContain(`# Rendered from the Pulumi stack organization/trove-region/${REGION_STACK}`);
        expect(files.troveConf).toContain(`\n${regionOut.troveConf.value as string}`);
        expect(files.troveConf).toContain(`management_networks = ${regionOut.managementNetworkId.value as string}\n`);
        expect(files.troveConf).toContain(`management_security_groups = ${regionOut.managementSecurityGroupId.value as string}\n`);
        expect(files.troveConf).toContain(`nova_keypair = trove-mgmt-${suffix}\n`);
        expect(files.troveConf).toContain(`cinder_volume_type = trove-${suffix}\n`);
        expect(files.troveConf).toContain(`taskmanager_rpc_encr_key = ${regionOut.taskmanagerRpcEncrKey.value as string}\n`);

        expect(files.guestAgentConf).toContain("# /etc/kolla/config/trove/trove-guestagent.conf");
        expect(files.guestAgentConf).toContain("[guest_agent]\ncontainer_registry = 127.0.0.1:4000\n");

        const vars = yaml.load(files.vars) as Record<string, unknown>;
        expect(vars).toMatchObject({
            trove_region_stack: `organization/trove-region/${REGION_STACK}`,
            trove_management_network_id: regionOut.managementNetworkId.value,
            trove_management_subnet_id: regionOut.managementSubnetId.value,
            trove_management_cidr: "10.254.0.0/22",
            trove_management_security_group_id: regionOut.managementSecurityGroupId.value,
            trove_nova_keypair_name: `trove-mgmt-${suffix}`,
            trove_guest_image_id: regionOut.guestImageId.value,
            trove_datastore_version_ids: regionOut.datastoreVersionIds.value,
            trove_default_datastore_versions: { mysql: `8.4-${suffix}`, mariadb: `11.8-${suffix}`, postgresql: `17-${suffix}` },
        });
        const vault = yaml.load(files.vault) as Record<string, string>;
        expect(vault.trove_taskmanager_rpc_encr_key).toBe(regionOut.taskmanagerRpcEncrKey.value);
        expect(vault.trove_inst_rpc_key_encr_key).toBe(regionOut.instRpcKeyEncrKey.value);
        // The dev settings import no public key, so Nova generated one and its private key is here.
        expect(vault.trove_nova_keypair_private_key).toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    });

    test("the ids in the rendered variables exist in the dev cloud", async () => {
        const api = await OpenStackApi.login();
        const vars = yaml.load(files.vars) as Record<string, unknown>;
        const { network } = await api.get<{ network: { id: string } }>("network", `/v2.0/networks/${vars.trove_management_network_id as string}`);
        expect(network.id).toBe(vars.trove_management_network_id);
        const { subnet } = await api.get<{ subnet: { cidr: string } }>("network", `/v2.0/subnets/${vars.trove_management_subnet_id as string}`);
        expect(subnet.cidr).toBe(vars.trove_management_cidr);
        const { security_group: group } = await api.get<{ security_group: { id: string } }>(
            "network", `/v2.0/security-groups/${vars.trove_management_security_group_id as string}`);
        expect(group.id).toBe(vars.trove_management_security_group_id);
        const image = await api.get<{ id: string }>("image", `/v2/images/${vars.trove_guest_image_id as string}`);
        expect(image.id).toBe(vars.trove_guest_image_id);
        for (const [key, id] of Object.entries(vars.trove_datastore_version_ids as Record<string, string>)) {
            const { version } = await api.get<{ version: { name: string; datastore_name: string } }>("database", `/mgmt/datastore-versions/${id}`);
            expect(`${version.datastore_name}-${version.name}`).toBe(key);
        }
    });

    test("no secret of the region is in plain text in the consumer's files on the backend", () => {
        const stored = backendFiles("trove-consumer", CONSUMER_STACK);
        expect(stored.length).toBeGreaterThan(0);
        const text = stored.map((f) => fs.readFileSync(f, "utf8")).join("\n");
        // The plain variables are there as they are: this is the right state, read as stored.
        expect(text).toContain(regionOut.managementNetworkId.value as string);
        const privateKeyBody = (regionOut.novaKeypairPrivateKey.value as string).split("\n")[1];
        for (const secret of [regionOut.taskmanagerRpcEncrKey.value, regionOut.instRpcKeyEncrKey.value, privateKeyBody] as string[]) {
            expect(secret.length).toBeGreaterThan(8);
            expect(text).not.toContain(secret);
        }
        expect(text).toContain("4dabf18193072939515e22adb298388d"); // Pulumi's secret signature: ciphertext is there
    });
});
