// Operator ergonomics for real: a fresh stack of the region program configured only with the
// `pulumi config set` CLI, every setting of the README's table (scalars plain, structured settings
// with --path, secrets with --secret), then a `pulumi preview` against the dev cloud that plans what
// was set. Secrets must be ciphertext in Pulumi.<stack>.yaml; wrongly typed values must fail clearly.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { OpenStackApi } from "../support/openstack-api";
import { configKeys } from "../../components/region/config-keys";
import { TROVE_TEMPLATES } from "../support/dev-config";
import { missingPluginsReason, requirePulumiToolchain, requireRealEnvironment } from "../support/real-env";
import { tempDir } from "../tmp";

const repo = path.join(__dirname, "..", "..");
const suffix = `s${Date.now().toString(36).slice(-5)}`;
const STACK = `test-config-set-${suffix}`;
const stackFile = path.join(repo, `Pulumi.${STACK}.yaml`);
const NS = "trove-region";

interface Run { status: number | null; stdout: string; stderr: string }

/** The pulumi CLI in the repository, on the test stack; `input` goes to its stdin. */
function pulumi(args: string[], input?: string): Run {
    // The stack flags go before a `--`, after which everything is a key or a value.
    const end = args.includes("--") ? args.indexOf("--") : args.length;
    const full = [...args.slice(0, end), "--stack", STACK, "--non-interactive", ...args.slice(end)];
    const run = spawnSync("pulumi", full, { cwd: repo, input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function mustRun(args: string[], input?: string): Run {
    const run = pulumi(args, input);
    if (run.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
    return run;
}

/** `pulumi config set [flags] -- <key> <value>`: `--` so that values such as -1 are not read as flags. */
function set(key: string, value: string, flags: string[] = []): void {
    mustRun(["config", "set", ...flags, "--", key, value]);
}

/** The top-level keys of the schema, which the README's table (generated from it) documents. */
function documentedKeys(): string[] {
    return configKeys().filter((k) => !/[.[]/.test(k.path)).map((k) => k.path).sort();
}

requirePulumiToolchain();
const blocked = missingPluginsReason(["openstack"]);
if (blocked) console.warn(`SKIPPED the pulumi config set suite: ${blocked}`);

(blocked ? describe.skip : describe)("every setting through `pulumi config set`, then a preview", () => {
    // Fresh secrets per run, so finding one in a file means it leaked.
    const secrets = {
        registryPassword: crypto.randomBytes(12).toString("hex"),
        taskmanagerRpcEncrKey: crypto.randomBytes(16).toString("hex"),
        instRpcKeyEncrKey: crypto.randomBytes(16).toString("hex"),
        openstackPassword: process.env.OS_PASSWORD ?? "",
        sshPrivateKey: "",
    };
    const publicKey = fs.readFileSync(path.join(repo, "test", "keypair", "fixture-ed25519.pub"), "utf8").trim();
    const setKeys = new Set<string>();
    let preview: Run;

    beforeAll(() => {
        requireRealEnvironment();
        const dir = tempDir("config-set");
        const keyFile = path.join(dir, "trove-manage");
        const keygen = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "trove-manage", "-f", keyFile]);
        if (keygen.status !== 0) throw new Error(`ssh-keygen failed: ${keygen.stderr.toString()}`);
        secrets.sshPrivateKey = fs.readFileSync(keyFile, "utf8");
        mustRun(["stack", "init"]);
    });

    afterAll(() => {
        // Nothing was deployed: removing the stack removes its file too.
        const rm = pulumi(["stack", "rm", "--yes", "--force"]);
        if (rm.status !== 0) console.error(`stack rm ${STACK}: ${rm.stderr}`);
    });

    test("a fresh stack has the defaults Pulumi.yaml declares for the scalar settings", () => {
        const config = JSON.parse(mustRun(["config", "--json"]).stdout) as Record<string, { value: string }>;
        expect(config[`${NS}:maxInstances`].value).toBe("200");
        expect(config[`${NS}:controllers`].value).toBe("3");
        expect(config[`${NS}:serviceProjectName`].value).toBe("service");
        expect(config[`${NS}:troveUserName`].value).toBe("trove");
    });

    test("every setting can be set with the CLI: scalars, --path for structured ones, --secret for secrets", async () => {
        const api = await OpenStackApi.login();
        const { users } = await api.get<{ users: { id: string }[] }>("identity", "/users?name=trove");
        const scalar = (key: string, value: string, flags: string[] = []): void => { set(`${NS}:${key}`, value, flags); setKeys.add(key); };
        const structured = (key: string, value: string, flags: string[] = []): void => {
            set(`${NS}:${key}`, value, ["--path", ...flags]);
            setKeys.add(key.split(/[.[]/)[0]);
        };

        // The OpenStack provider (its password a secret), as an operator sets it up for a region.
        set("openstack:authUrl", process.env.OS_AUTH_URL!);
        set("openstack:userName", process.env.OS_USERNAME!);
        set("openstack:tenantName", process.env.OS_PROJECT_NAME!);
        set("openstack:userDomainName", "Default");
        set("openstack:projectDomainName", "Default");
        set("openstack:region", process.env.OS_REGION_NAME ?? "RegionOne");
        set("openstack:password", secrets.openstackPassword, ["--secret"]);

        scalar("maxInstances", "150");
        scalar("controllers", "2");
        scalar("serviceProjectName", "service");
        scalar("serviceProjectId", api.projectId);
        scalar("troveUserName", "trove");
        scalar("troveUserId", users[0].id);

        structured("managementNetwork.cidr", "10.254.0.0/22");
        structured("managementNetwork.routing.mode", "host-routes");
        structured("managementNetwork.routing.routes[0].destination", "192.0.2.0/24");
        structured("managementNetwork.routing.routes[0].nexthop", "10.254.3.254");
        structured("managementNetwork.dnsServers[0]", "192.0.2.53");
        structured("managementNetwork.avoidCidrs[0]", "10.0.0.0/16");
        structured("managementNetwork.dhcpPorts", "2");
        structured("managementNetwork.mtu", "1400");
        structured("managementNetwork.networkName", `trove-mgmt-${suffix}`);
        structured("securityGroups.sshFromCidrs[0]", "192.0.2.10/32");
        structured("securityGroups.icmpFromCidrs[0]", "192.0.2.0/24");
        structured("securityGroups.egress.mode", "all");
        structured("keypair.name", `trove-mgmt-${suffix}`);
        structured("keypair.publicKey", publicKey);
        structured("quotas.instances", "150");
        structured("quotas.ports", "300");
        structured("quotas.volumes", "150");
        // A negative number after `--`: without it the CLI reads -1 as a flag.
        structured("quotas.gigabytes", "-1");
        structured("volumeType.name", `trove-${suffix}`);
        structured("volumeType.create", "true");
        structured("volumeType.isPublic", "false");
        structured("registry.mode", "existing");
        structured("registry.address", "127.0.0.1:4000");
        structured("registry.insecure", "true");
        structured("registry.credentials.username", "trove-guest");
        scalar("registryPassword", secrets.registryPassword, ["--secret"]);
        structured("datastores[0].datastore", "mysql");
        structured("datastores[0].version", `5.7.29-${suffix}`);
        structured("datastores[0].versionNumber", "5.7.29");
        structured("datastores[0].sourceImage", "mysql:5.7.29");
        structured("datastores[1].datastore", "postgresql");
        // A version that looks like a number needs --type string: with --path the CLI stores 12 as an integer.
        structured("datastores[1].version", "12", ["--type", "string"]);
        structured("datastores[1].sourceImage", "postgres:12");
        structured("guestImage.name", `trove-guest-${suffix}`);
        structured("guestImage.source.mode", "file");
        structured("guestImage.source.path", ".devcloud/guest-image/trove-guest-dev.qcow2");
        structured("guestImage.properties.hw_rng_model", "virtio");
        structured("guestImage.minDiskGb", "5");
        structured("trove.parametersDir", TROVE_TEMPLATES);
        structured("trove.troveManage.configFile", "/etc/trove/trove.conf");
        structured("trove.troveManage.ssh.host", "127.0.0.1");
        structured("trove.troveManage.ssh.user", "trove");
        structured("trove.troveManage.ssh.port", "22");
        // A multi-line secret from stdin (--raw keeps its last newline), the way one pipes a key file in.
        mustRun(["config", "set", "--path", "--secret", "--raw", `${NS}:trove.troveManage.ssh.privateKey`], secrets.sshPrivateKey);
        structured("limits.maxInstancesPerTenant", "5");
        structured("limits.maxBackupsPerTenant", "20");
        structured("limits.defaultDatastore", "mysql");
        // Per-tenant Trove quotas (the demo project, by its id) and per-datastore cloud-init.
        const { projects } = await api.get<{ projects: { id: string }[] }>("identity", "/projects?name=demo");
        structured(`tenantQuotas.${projects[0].id}.instances`, "5");
        structured("cloudInit.mysql.runcmd[0]", "echo per-datastore user data");
        scalar("cloudInitLocation", "/etc/trove/cloudinit");
        scalar("taskmanagerRpcEncrKey", secrets.taskmanagerRpcEncrKey, ["--secret"]);
        scalar("instRpcKeyEncrKey", secrets.instRpcKeyEncrKey, ["--secret"]);

        // Published with the dev cloud's Docker engine (DOCKER_HOST of scripts/devcloud.sh env); a
        // preview plans the pushes and the backup builds without running them.
        structured("datastoreImages.backupContext", "scripts/devcloud/backup");
        structured("datastoreImages.repository", `trove-datastores-${suffix}`);
        if (process.env.DOCKER_HOST) structured("datastoreImages.dockerHost", process.env.DOCKER_HOST);

        expect([...setKeys].sort()).toEqual(documentedKeys());
    });

    test("the CLI stored the values with their types: numbers and booleans typed, version names strings", () => {
        const file = yaml.load(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
        expect(file.config[`${NS}:maxInstances`]).toBe("150");
        expect(file.config[`${NS}:managementNetwork`]).toMatchObject({ dhcpPorts: 2, mtu: 1400, routing: { routes: [{ destination: "192.0.2.0/24" }] } });
        expect(file.config[`${NS}:quotas`]).toEqual({ instances: 150, ports: 300, volumes: 150, gigabytes: -1 });
        expect(file.config[`${NS}:volumeType`]).toMatchObject({ create: true, isPublic: false });
        expect(file.config[`${NS}:datastores`]).toEqual([
            { datastore: "mysql", version: `5.7.29-${suffix}`, versionNumber: "5.7.29", sourceImage: "mysql:5.7.29" },
            { datastore: "postgresql", version: "12", sourceImage: "postgres:12" },
        ]);
    });

    test("secrets are ciphertext in Pulumi.<stack>.yaml, and their values are nowhere in it", () => {
        const text = fs.readFileSync(stackFile, "utf8");
        const file = yaml.load(text) as { config: Record<string, unknown> };
        const secure = (v: unknown): boolean => typeof v === "object" && v !== null && /^v1:/.test((v as { secure?: string }).secure ?? "");
        expect(secure(file.config["openstack:password"])).toBe(true);
        expect(secure(file.config[`${NS}:registryPassword`])).toBe(true);
        expect(secure(file.config[`${NS}:taskmanagerRpcEncrKey`])).toBe(true);
        expect(secure(file.config[`${NS}:instRpcKeyEncrKey`])).toBe(true);
        // --path --secret encrypts just the leaf; the rest of the object stays readable.
        const ssh = (file.config[`${NS}:trove`] as { troveManage: { ssh: Record<string, unknown> } }).troveManage.ssh;
        expect(secure(ssh.privateKey)).toBe(true);
        expect(ssh.host).toBe("127.0.0.1");
        for (const value of Object.values(secrets)) {
            expect(value.length).toBeGreaterThan(8);
            expect(text).not.toContain(value.trim().split("\n")[1] ?? value);
            expect(text).not.toContain(value.trim());
        }
        // The CLI reads them back (decrypted) for the program.
        const config = JSON.parse(mustRun(["config", "--json", "--show-secrets"]).stdout) as Record<string, { value: string; secret: boolean }>;
        expect(config[`${NS}:registryPassword`]).toEqual({ value: secrets.registryPassword, secret: true });
    });

    test("pulumi preview succeeds and plans what was set", () => {
        preview = mustRun(["preview", "--json"]);
        const plan = JSON.parse(preview.stdout) as { steps: { op: string; urn: string; newState?: { type: string; inputs: Record<string, unknown> } }[] };
        expect(plan.steps.every((s) => s.op === "create")).toBe(true);
        const inputsOf = (type: string): Record<string, unknown>[] =>
            plan.steps.filter((s) => s.newState?.type === type).map((s) => s.newState!.inputs);
        expect(inputsOf("openstack:networking/network:Network")).toEqual([expect.objectContaining({ name: `trove-mgmt-${suffix}`, mtu: 1400 })]);
        expect(inputsOf("openstack:networking/subnet:Subnet")).toEqual([expect.objectContaining({
            cidr: "10.254.0.0/22", dnsNameservers: ["192.0.2.53"],
        })]);
        expect(inputsOf("openstack:compute/keypair:Keypair")).toEqual([expect.objectContaining({ name: `trove-mgmt-${suffix}`, publicKey })]);
        expect(inputsOf("openstack:compute/quotaSetV2:QuotaSetV2")).toEqual([expect.objectContaining({ instances: 150, projectId: inputsOf("openstack:compute/quotaSetV2:QuotaSetV2")[0].projectId })]);
        expect(inputsOf("pulumi-nodejs:dynamic/trove-region:GlanceImage")).toEqual([expect.objectContaining({ name: `trove-guest-${suffix}` })]);
        const rules = inputsOf("openstack:networking/secGroupRule:SecGroupRule").map((r) => `${r.direction as string} ${(r.protocol as string | undefined) ?? "any"} ${(r.remoteIpPrefix as string | undefined) ?? ""}`).sort();
        expect(rules).toEqual(["egress any 0.0.0.0/0", "egress any ::/0", "ingress icmp 192.0.2.0/24", "ingress tcp 192.0.2.10/32"]);
        // datastoreImages: each version tagged into the repository that was set, by its number (the tag
        // the guest pulls), not its name.
        expect(inputsOf("docker:index/tag:Tag").map((t) => t.targetImage).sort()).toEqual([
            `127.0.0.1:4000/trove-datastores-${suffix}/mysql:5.7.29`,
            `127.0.0.1:4000/trove-datastores-${suffix}/postgresql:12`,
        ]);
    });

    test("no secret appears in the preview's output", () => {
        for (const value of Object.values(secrets)) {
            const probe = value.trim().split("\n")[1] ?? value;
            expect(preview.stdout).not.toContain(probe);
            expect(preview.stderr).not.toContain(probe);
        }
    });

    test("a wrongly typed scalar is stored, then refused by preview with the key and the type", () => {
        set(`${NS}:maxInstances`, "abc");
        const run = pulumi(["preview"]);
        expect(run.status).not.toBe(0);
        expect(`${run.stdout}${run.stderr}`).toContain("configuration key 'maxInstances' must be of type 'integer'");
        set(`${NS}:maxInstances`, "150");
    });

    test("a wrongly typed structured value is refused by the program, naming the setting", () => {
        set(`${NS}:managementNetwork.dhcpPorts`, "two", ["--path"]);
        const run = pulumi(["preview"]);
        expect(run.status).not.toBe(0);
        expect(`${run.stdout}${run.stderr}`).toContain(`${NS}:managementNetwork.dhcpPorts`);
        set(`${NS}:managementNetwork.dhcpPorts`, "2", ["--path"]);
    });

    test("a version name that looks like a number, set without --type string, is refused naming the setting", () => {
        // Set afresh: over an existing string value the CLI keeps the string type.
        mustRun(["config", "rm", "--path", `${NS}:datastores[1].version`]);
        set(`${NS}:datastores[1].version`, "12", ["--path"]);
        expect((yaml.load(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, { version: unknown }[]> }).config[`${NS}:datastores`][1].version).toBe(12);
        const run = pulumi(["preview"]);
        expect(run.status).not.toBe(0);
        expect(`${run.stdout}${run.stderr}`).toContain(`${NS}:datastores[1].version: 12 is a number, not a string: quote it in the stack file ("12"), or set it with \`pulumi config set --path --type string ...\``);
        mustRun(["config", "rm", "--path", `${NS}:datastores[1].version`]);
        set(`${NS}:datastores[1].version`, "12", ["--path", "--type", "string"]);
    });
});
