// The real Pulumi engine, through the Automation API: a stack that needs no cloud (the rendered
// Trove configuration and its generated RPC keys, held by dynamic providers) goes through preview,
// up, a no-change preview and destroy, and no secret appears in plain text in the state.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { destroyAndRemove, inlineStack } from "../support/stack";
import { TroveConfig } from "../../components/config/trove-config";
import { requirePulumiToolchain } from "../support/real-env";

const REGISTRY_PASSWORD = "registry-password-4f1c";

/** The stack's checkpoint as the file backend keeps it on disk (exportStack would decrypt it). */
function readCheckpoint(project: string, stackName: string): string {
    const backend = (process.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, "");
    const file = path.join(backend, ".pulumi", "stacks", project, `${stackName}.json`);
    return fs.readFileSync(file, "utf8");
}

async function program(): Promise<Record<string, unknown>> {
    const config = new TroveConfig("config", {
        managementNetworkId: "net-0000",
        managementSecurityGroupIds: ["sg-0000"],
        novaKeypair: "trove-mgmt",
        registry: { address: "10.0.0.5:4000", insecure: true, username: "guest", password: pulumi.secret(REGISTRY_PASSWORD) },
        images: { mysql: { dockerImage: "10.0.0.5:4000/trove-datastores/mysql", backupDockerImage: "10.0.0.5:4000/trove-datastores/db-backup-mysql" } },
    });
    return {
        troveConf: config.troveConf,
        guestAgentConf: config.guestAgentConf,
        taskmanagerRpcEncrKey: config.taskmanagerRpcEncrKey,
    };
}

describe("the real engine with the TroveConfig component", () => {
    let stack: Stack;

    beforeAll(async () => {
        requirePulumiToolchain();
        stack = await inlineStack("trove-region-engine-test", "engine-test", program);
    });

    afterAll(() => destroyAndRemove(stack, "engine-test"));

    let firstKey = "";

    test("preview plans the component and its two generated keys", async () => {
        const preview = await stack.preview();
        // The stack, the TroveConfig component and its two RandomKey resources.
        expect(preview.changeSummary).toEqual({ create: 4 });
    });

    test("up creates them; the outputs are secrets with the rendered text", async () => {
        const result = await stack.up();
        expect(result.summary.result).toBe("succeeded");
        expect(result.summary.resourceChanges).toEqual({ create: 4 });
        expect(result.outputs.troveConf.secret).toBe(true);
        expect(result.outputs.guestAgentConf.secret).toBe(true);
        const troveConf = result.outputs.troveConf.value as string;
        expect(troveConf).toContain("management_networks = net-0000");
        expect(troveConf).toMatch(/taskmanager_rpc_encr_key = [A-Za-z0-9]{32}\n/);
        expect(result.outputs.guestAgentConf.value).toContain(`container_registry_password = ${REGISTRY_PASSWORD}`);
        firstKey = result.outputs.taskmanagerRpcEncrKey.value as string;
    });

    test("no secret is stored in plain text in the state file", async () => {
        const state = readCheckpoint("trove-region-engine-test", "engine-test");
        expect(firstKey).toHaveLength(32);
        expect(state).toContain('"ciphertext"');
        expect(state).not.toContain(REGISTRY_PASSWORD);
        expect(state).not.toContain(firstKey);
    });

    test("a second up changes nothing and keeps the generated keys", async () => {
        const preview = await stack.preview();
        expect(preview.changeSummary).toEqual({ same: 4 });
        const result = await stack.up();
        expect(result.outputs.taskmanagerRpcEncrKey.value).toBe(firstKey);
    });

    test("destroy removes everything", async () => {
        const result = await stack.destroy();
        expect(result.summary.resourceChanges).toEqual({ delete: 4 });
        const state = await stack.exportStack();
        expect((state.deployment as { resources?: unknown[] }).resources ?? []).toEqual([]);
    });
});
