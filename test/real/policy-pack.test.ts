// The policy pack for real: `pulumi preview` with the pack loaded by the engine's policy host, on the
// dev program against the dev cloud. A compliant stack passes; each deliberate violation fails the
// preview with the pack's message, and only with that policy's.
//
// The package's own validation refuses most violations before anything is registered (a world-open
// SSH CIDR, ports < 2 x instances), so they are introduced the way a stack gets them past it: a
// resource added by hand next to the components, or a transformation rewriting what they register.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { EngineEvent, LocalWorkspace, PolicyEvent, Stack } from "@pulumi/pulumi/automation";
import {
    loadRegionConfig, rawStackConfig, regionOutputs, troveConnectionFrom, TroveRegion,
} from "../../components";
import { asConfigMap, devSettingsNamed } from "../support/dev-config";
import { requireRealEnvironment } from "../support/real-env";
import { inlineStack } from "../support/stack";

const repo = path.join(__dirname, "..", "..");
// The pack as a binary analyzer plugin: this toolchain's Node.js language host cannot start a pack
// given as a directory (see policy/analyzer). The pack is the same either way.
const PACK = path.join(repo, "policy", "analyzer");
const DEV_POLICY_CONFIG = path.join(repo, "policy", "dev-config.json");
const SUFFIX = `policy${process.pid}`;

/** What each preview of the inline program adds to the dev program. */
type Injection = "none" | "world-open-rule" | "public-image" | "unmarked-secrets" | "short-port-quota";
let injection: Injection = "none";

const retype = (type: string, change: (args: pulumi.ResourceTransformationArgs) => pulumi.ResourceTransformationResult) =>
    (args: pulumi.ResourceTransformationArgs): pulumi.ResourceTransformationResult | undefined => args.type === type ? change(args) : undefined;

/** The dev program (index.ts, step for step), plus the current injection. */
async function program(): Promise<Record<string, unknown>> {
    if (injection === "public-image") {
        pulumi.runtime.registerStackTransformation(retype("pulumi-nodejs:dynamic/trove-region:GlanceImage", (a) => ({ props: { ...a.props, visibility: "public" }, opts: a.opts })));
    }
    if (injection === "short-port-quota") {
        pulumi.runtime.registerStackTransformation(retype("openstack:networking/quotaV2:QuotaV2", (a) => ({ props: { ...a.props, port: 300 }, opts: a.opts })));
    }
    if (injection === "unmarked-secrets") {
        // Options rewritten the way a careless transformation would: the secret marks dropped.
        const unmark = (a: pulumi.ResourceTransformationArgs) => ({ props: a.props, opts: { ...a.opts, additionalSecretOutputs: [] } });
        pulumi.runtime.registerStackTransformation(retype("openstack:compute/keypair:Keypair", unmark));
        pulumi.runtime.registerStackTransformation(retype("pulumi-nodejs:dynamic/trove-region:RandomKey", unmark));
    }
    const { connection, missing } = troveConnectionFrom(new pulumi.Config("openstack"), process.env);
    const { args, stack } = loadRegionConfig(rawStackConfig(), connection, missing);
    const serviceProjectId = stack.serviceProjectId ?? openstack.identity.getProjectOutput({ name: stack.serviceProjectName }).apply((p) => p.id);
    const troveUserId = stack.troveUserId ?? openstack.identity.getUserOutput({ name: stack.troveUserName }).apply((u) => u.id);
    const region = new TroveRegion("trove", { ...args, serviceProjectId, troveUserId });
    if (injection === "world-open-rule") {
        // A rule added by hand to the management group, next to the component.
        new openstack.networking.SecGroupRule("open-ssh-to-world", {
            securityGroupId: region.securityGroups.securityGroupId,
            direction: "ingress", ethertype: "IPv4", protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: "0.0.0.0/0",
        });
    }
    return regionOutputs(region) as unknown as Record<string, unknown>;
}

interface PreviewOutcome { ok: boolean; violations: PolicyEvent[]; output: string }

/** A preview with the pack; failures are returned, not thrown, with the policy events seen. */
async function previewWithPack(stack: Stack, policyPackConfigs: string[]): Promise<PreviewOutcome> {
    const violations: PolicyEvent[] = [];
    let output = "";
    const onEvent = (e: EngineEvent) => { if (e.policyEvent) violations.push(e.policyEvent); };
    try {
        await stack.preview({ policyPacks: [PACK], policyPackConfigs, onEvent, onOutput: (s) => { output += s; } });
        return { ok: true, violations, output };
    } catch (e) {
        return { ok: false, violations, output: output + String(e) };
    }
}

const summary = (events: PolicyEvent[]) => events.map((e) => ({
    policy: e.policyName, level: e.enforcementLevel, resource: e.resourceUrn?.split("::").pop(),
})).sort((a, b) => `${a.policy}${a.resource}`.localeCompare(`${b.policy}${b.resource}`));

describe("the policy pack in a real preview of the dev program", () => {
    let onDisk: Stack;
    let inline: Stack;

    beforeAll(async () => {
        requireRealEnvironment();
        if (!fs.existsSync(path.join(repo, "policy", "node_modules", "@pulumi", "policy"))) {
            throw new Error("the policy pack's dependencies are not installed: npm ci --prefix policy");
        }
        const config = asConfigMap(devSettingsNamed(SUFFIX));
        onDisk = await LocalWorkspace.createOrSelectStack({ stackName: `test-${SUFFIX}`, workDir: repo });
        await onDisk.setAllConfig(config);
        inline = await inlineStack("trove-region-policy-test", `test-${SUFFIX}-inline`, program);
        await inline.setAllConfig(config);
    });

    afterAll(async () => {
        // Previews create nothing; the stacks are removed (with --force semantics, nothing to destroy).
        for (const [stack, name] of [[onDisk, `test-${SUFFIX}`], [inline, `test-${SUFFIX}-inline`]] as const) {
            if (stack) await stack.workspace.removeStack(name).catch(() => undefined);
        }
    });

    test("the dev program, with the dev cloud's loopback registry allowed, passes every policy", async () => {
        const result = await previewWithPack(onDisk, [DEV_POLICY_CONFIG]);
        expect(result.violations).toEqual([]);
        expect(result.ok).toBe(true);
    });

    // The next preview differs only in the policy config and fails: the pack did run in this one.
    test("the same stack without that allowance fails on its insecure registry, saying how to fix it", async () => {
        const result = await previewWithPack(onDisk, []);
        expect(result.ok).toBe(false);
        expect(summary(result.violations)).toEqual([{ policy: "registry-insecure-allowed", level: "mandatory", resource: "trove-registry" }]);
        expect(result.violations[0].message).toContain("registry 127.0.0.1:4000 is used insecurely");
        expect(result.violations[0].message).toContain(`{"registry-insecure-allowed": {"allowInsecureRegistries": ["127.0.0.1:4000"]}}`);
        expect(result.output).toContain("registry 127.0.0.1:4000 is used insecurely");
    });

    test("the inline copy of the program passes too, so each failure below is its injection's", async () => {
        injection = "none";
        const result = await previewWithPack(inline, [DEV_POLICY_CONFIG]);
        expect(result.violations).toEqual([]);
        expect(result.ok).toBe(true);
    });

    test("an ingress rule from 0.0.0.0/0 added to the management group fails the preview", async () => {
        injection = "world-open-rule";
        const result = await previewWithPack(inline, [DEV_POLICY_CONFIG]);
        expect(result.ok).toBe(false);
        expect(summary(result.violations)).toEqual([{ policy: "management-sg-no-world-ingress", level: "mandatory", resource: "open-ssh-to-world" }]);
        const message = result.violations[0].message;
        expect(message).toContain(`security group rule "open-ssh-to-world" lets tcp port 22 into "trove-mgmt" from 0.0.0.0/0`);
        expect(message).toContain("Fix: allow only the controllers' addresses");
    });

    test("a public guest image fails the preview", async () => {
        injection = "public-image";
        const result = await previewWithPack(inline, [DEV_POLICY_CONFIG]);
        expect(result.ok).toBe(false);
        expect(summary(result.violations)).toEqual([{ policy: "guest-image-private", level: "mandatory", resource: "trove-guest-image-image" }]);
        expect(result.violations[0].message).toContain(`guest image "trove-guest-image-image" has visibility "public"`);
        expect(result.violations[0].message).toContain(`Fix: set visibility: "private"`);
    });

    test("the private key and RPC keys without their secret marks fail the preview, each named", async () => {
        injection = "unmarked-secrets";
        const result = await previewWithPack(inline, [DEV_POLICY_CONFIG]);
        expect(result.ok).toBe(false);
        expect(summary(result.violations)).toEqual([
            { policy: "secrets-marked-secret", level: "mandatory", resource: "trove-config-instance-key-encryption-key" },
            { policy: "secrets-marked-secret", level: "mandatory", resource: "trove-config-taskmanager-rpc-key" },
            { policy: "secrets-marked-secret", level: "mandatory", resource: "trove-keypair-keypair" },
        ]);
        const messages = result.violations.map((v) => v.message).join("\n");
        expect(messages).toContain(`"trove-keypair-keypair" does not mark its "privateKey" output secret`);
        expect(messages).toContain(`"trove-config-taskmanager-rpc-key" does not mark its "value" output secret, but it holds an RPC encryption key`);
        expect(messages).toContain(`Fix: register it with additionalSecretOutputs: ["value"]`);
    });

    test("a port quota below 2 x the instance quota fails the preview", async () => {
        injection = "short-port-quota";
        const result = await previewWithPack(inline, [DEV_POLICY_CONFIG]);
        expect(result.ok).toBe(false);
        expect(summary(result.violations)).toEqual([{ policy: "quotas-ports-cover-instances", level: "mandatory", resource: "trove-quotas-network" }]);
        expect(result.violations[0].message).toMatch(/\nproject [0-9a-f]{32}: the network quota "trove-quotas-network" allows 300 ports but the compute quota "trove-quotas-compute" allows 200 instances/);
        expect(result.violations[0].message).toContain("Fix: set the port quota to at least 400 (trove-region:quotas.ports)");
    });
});
