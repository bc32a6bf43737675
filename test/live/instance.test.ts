// Live fire: Trove 26 runs a database on the region this package built. A region stack (MariaDB
// 11.8, a series Trove 2025.2+ supports, under a version name that differs from its number and
// allowing one flavor; a registry with credentials; restricted egress) goes up on the dev cloud;
// the dev cloud's Trove controllers take the stack's troveConf and guestAgentConf verbatim; a tenant
// creates an instance through Trove's API (another flavor is refused); the guest harness plays the
// server's guest (cloud-init's files from Nova's user_data, Trove's real guest agent in namespaces
// of its own, pulling from the stack's registry); the instance goes ACTIVE and HEALTHY and the
// tenant's user queries MariaDB 11.8 in the guest. Then everything is removed, and checked removed.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { Stack } from "@pulumi/pulumi/automation";
import { regionTestStack } from "../support/region-stack";
import { devSettings } from "../support/dev-config";
import { destroyAndRemove } from "../support/stack";
import { OpenStackApi } from "../support/openstack-api";
import { GuestHarness } from "../support/guest-harness";
import { RegistryApi } from "../support/registry-api";
import { missingPluginsReason, requirePulumiToolchain, requireRealEnvironment } from "../support/real-env";
import { tempDir } from "../tmp";

const repo = path.join(__dirname, "..", "..");
const suffix = `l${Date.now().toString(36).slice(-5)}`;
const STACK = `test-live-${suffix}`;
const REGISTRY_PORT = 4100;
const REGISTRY_USER = "trove-guest";
const REGISTRY_PASSWORD = `live-${suffix}-registry-password`;
const VERSION_NAME = "11.8-live";
const VERSION_NUMBER = "11.8";
const TENANT_CIDR = "192.168.77.0/24";
/** The flavor the version allows, and one it does not (created by the test). */
const FLAVOR = process.env.DEVCLOUD_FLAVOR_ID ?? "trove-ds1-small";
const OTHER_FLAVOR = `live-other-${suffix}`;

interface Instance { id: string; status: string; operating_status?: string; fault?: { message: string } }
interface Server { id: string; name: string; status: string; tenant_id: string; key_name: string; image: { id: string } }
interface Port { id: string; network_id: string; security_groups: string[]; "binding:host_id"?: string }

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `read` until it answers a value, or fails with what it saw last. */
async function waitFor<T>(what: string, timeoutMs: number, read: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await read();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
        await sleep(2000);
    }
}

function devcloud(args: string[]): string {
    // Restarting Trove waits up to 2 minutes for its API; never hang a run on it.
    return execFileSync("bash", [path.join(repo, "scripts", "devcloud.sh"), ...args], { stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 }).toString();
}

function docker(args: string[]): string {
    return execFileSync("docker", args, { stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 }).toString();
}

/** The live region: the dev stack's settings, with what a production region sets for guests. */
function liveSettings(): Record<string, unknown> {
    const dev = devSettings();
    const image = dev["trove-region:guestImage"] as Record<string, unknown>;
    return {
        ...dev,
        "trove-region:keypair": { name: `trove-mgmt-${suffix}` },
        "trove-region:volumeType": { name: `trove-${suffix}` },
        "trove-region:guestImage": { ...image, name: `trove-guest-${suffix}` },
        "trove-region:securityGroups": {
            sshFromCidrs: ["192.0.2.10/32"],
            egress: {
                mode: "restricted",
                destinations: [
                    { purpose: "rabbitmq", cidrs: ["127.0.0.1/32"], ports: [Number(process.env.DEVCLOUD_RABBIT_PORT ?? 5672)] },
                    { purpose: "registry", cidrs: ["127.0.0.1/32"], ports: [REGISTRY_PORT] },
                    { purpose: "keystone", cidrs: ["127.0.0.1/32"], ports: [5000] },
                    { purpose: "dns", cidrs: ["127.0.0.1/32"], ports: [53], protocol: "udp" },
                ],
            },
        },
        // A registry of its own, with credentials, on the dev cloud's Docker engine.
        "trove-region:registry": {
            mode: "create", hostAddress: "127.0.0.1", port: REGISTRY_PORT, listenAddress: "127.0.0.1",
            containerName: `trove-registry-${suffix}`, credentials: { username: REGISTRY_USER },
        },
        // The version allows one flavor, written with the dev cloud's trove-manage as on a controller.
        "trove-region:datastores": [{ datastore: "mariadb", version: VERSION_NAME, versionNumber: VERSION_NUMBER, sourceImage: `mariadb:${VERSION_NUMBER}`, flavors: [FLAVOR] }],
        "trove-region:trove": {
            ...(dev["trove-region:trove"] as Record<string, unknown>),
            troveManage: { command: path.join(repo, "scripts", "devcloud", "trove-manage"), configFile: path.join(process.env.DEVCLOUD_DIR ?? "/nonexistent", "etc", "trove", "trove.conf") },
        },
        // Per-datastore user data: the controllers read it from cloudinit_location, which the stack's
        // troveConf names; the test places the cloudInitFiles output there, as a deployment would.
        "trove-region:cloudInit": { mariadb: { runcmd: [CLOUD_INIT_MARKER] } },
        "trove-region:cloudInitLocation": cloudInitDir(),
    };
}

/** Where this run's controllers look for `<manager>.cloudinit`. */
function cloudInitDir(): string {
    return path.join(process.env.DEVCLOUD_DIR ?? "/nonexistent", `cloudinit-${suffix}`);
}

const CLOUD_INIT_MARKER = "echo live-fire per-datastore cloud-init";

requirePulumiToolchain();
const blocked = missingPluginsReason(["openstack", "docker"]);
if (blocked) console.warn(`SKIPPED the live-fire suite: ${blocked}`);

(blocked ? describe.skip : describe)("live fire: Trove 26 creates a MariaDB instance on the region the stack built", () => {
    let stack: Stack | undefined;
    let outputs: Record<string, { value: unknown; secret: boolean }>;
    let service: OpenStackApi;
    let tenant: OpenStackApi;
    const harness = new GuestHarness(process.env);
    const created: { network?: string; subnet?: string; router?: string; instance?: string; server?: string; flavor?: string } = {};
    const tenantEnv = { ...process.env, OS_USERNAME: "demo", OS_PASSWORD: "devcloud-demo", OS_PROJECT_NAME: "demo" };

    beforeAll(async () => {
        requireRealEnvironment();
        if (!process.env.DEVCLOUD_DIR || !process.env.DOCKER_HOST) throw new Error("DEVCLOUD_DIR and DOCKER_HOST are not set: run through `npm test`, which starts the dev cloud");
        // The real MariaDB image of that number (11.8: Debian 13's packages; cached): the stack publishes it.
        execFileSync("bash", [path.join(repo, "scripts", "devcloud", "images", "mariadb.sh"), VERSION_NUMBER], { stdio: "inherit" });
        stack = await regionTestStack(STACK, suffix, liveSettings());
        await stack.setConfig("trove-region:registryPassword", { value: REGISTRY_PASSWORD, secret: true });
        service = await OpenStackApi.login();
        tenant = await OpenStackApi.login(tenantEnv);
        await service.request("POST", "compute", "/flavors", { flavor: { name: OTHER_FLAVOR, id: OTHER_FLAVOR, ram: 512, vcpus: 1, disk: 1 } });
        created.flavor = OTHER_FLAVOR;
    });

    afterAll(async () => {
        // Whatever failed, leave nothing behind: the instance (force), the guest, Trove's settings,
        // the tenant's network, the stack.
        if (created.instance) {
            await service.request("POST", "database", `/mgmt/instances/${created.instance}/action`, { reset_status: {} }).catch(() => undefined);
            await tenant.request("DELETE", "database", `/instances/${created.instance}`).catch(() => undefined);
            await waitFor("the instance to go", 120_000, async () => (await instanceGone(created.instance!)) ? true : undefined).catch((e: Error) => console.error(e.message));
        }
        if (created.server) {
            try { harness.stop(created.server); } catch (e) { console.error(`guest stop: ${(e as Error).message}`); }
        }
        fs.rmSync(cloudInitDir(), { recursive: true, force: true });
        try { devcloud(["trove-config", "--clear"]); } catch (e) { console.error(`trove-config --clear: ${(e as Error).message}`); }
        await removeTenantNetwork().catch((e: Error) => console.error(`tenant network: ${e.message}`));
        if (created.flavor) await service.request("DELETE", "compute", `/flavors/${created.flavor}`).catch((e: Error) => console.error(`flavor: ${e.message}`));
        await destroyAndRemove(stack, STACK);
    });

    async function instanceGone(id: string): Promise<boolean> {
        return tenant.request("GET", "database", `/instances/${id}`).then(() => false, (e: Error) => /: 404 /.test(e.message));
    }

    async function removeTenantNetwork(): Promise<void> {
        if (created.router && created.subnet) {
            await tenant.request("PUT", "network", `/v2.0/routers/${created.router}/remove_router_interface`, { subnet_id: created.subnet }).catch(() => undefined);
        }
        if (created.router) await tenant.request("DELETE", "network", `/v2.0/routers/${created.router}`);
        if (created.network) await tenant.request("DELETE", "network", `/v2.0/networks/${created.network}`);
        created.router = created.subnet = created.network = undefined;
    }

    test("pulumi up of the region, and the controllers take its settings verbatim", async () => {
        const result = await stack!.up({ onOutput: (line) => process.stdout.write(line) });
        expect(result.summary.result).toBe("succeeded");
        outputs = result.outputs as typeof outputs;
        expect(outputs.troveConf.secret).toBe(true);
        expect(outputs.guestAgentConf.secret).toBe(true);
        const dir = tempDir("live-conf");
        const troveConf = path.join(dir, "trove.conf");
        const guestConf = path.join(dir, "guest.conf");
        fs.writeFileSync(troveConf, outputs.troveConf.value as string, { mode: 0o600 });
        fs.writeFileSync(guestConf, outputs.guestAgentConf.value as string, { mode: 0o600 });
        const files = outputs.cloudInitFiles.value as Record<string, string>;
        expect(Object.keys(files)).toEqual(["mariadb.cloudinit"]);
        fs.mkdirSync(cloudInitDir(), { recursive: true });
        for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(cloudInitDir(), file), text);
        devcloud(["trove-config", troveConf, guestConf]);
        fs.rmSync(dir, { recursive: true, force: true });
        const state = process.env.DEVCLOUD_DIR!;
        expect(fs.readFileSync(path.join(state, "etc", "trove", "region.conf"), "utf8")).toBe(outputs.troveConf.value);
        expect(fs.readFileSync(path.join(state, "etc", "trove", "trove-guestagent.conf"), "utf8").endsWith(outputs.guestAgentConf.value as string)).toBe(true);
    });

    test("a tenant creates an instance (a flavor the version does not allow is refused); the guest pulls its image from the stack's registry; it goes ACTIVE and HEALTHY", async () => {
        const { network } = (await tenant.request<{ network: { id: string } }>("POST", "network", "/v2.0/networks", { network: { name: `live-${suffix}` } }))!;
        created.network = network.id;
        const { subnet } = (await tenant.request<{ subnet: { id: string } }>("POST", "network", "/v2.0/subnets", {
            subnet: { network_id: network.id, cidr: TENANT_CIDR, ip_version: 4, name: `live-${suffix}` },
        }))!;
        created.subnet = subnet.id;
        // Trove refuses a user subnet that no router serves ([network] enable_access_check).
        const { router } = (await tenant.request<{ router: { id: string } }>("POST", "network", "/v2.0/routers", { router: { name: `live-${suffix}` } }))!;
        created.router = router.id;
        await tenant.request("PUT", "network", `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });

        const request = (flavorRef: string) => ({
            instance: {
                name: `live-${suffix}`,
                flavorRef,
                datastore: { type: "mariadb", version: VERSION_NAME },
                nics: [{ "net-id": network.id }],
                databases: [{ name: "livedb" }],
                users: [{ name: "liveuser", password: "live-user-password", databases: [{ name: "livedb" }] }],
            },
        });
        // The version allows only FLAVOR (the stack's datastores[].flavors): Trove refuses another.
        const refused = await tenant.request("POST", "database", "/instances", request(OTHER_FLAVOR)).then(() => "created", (e: Error) => e.message);
        expect(refused).toMatch(new RegExp(`: 400 .*Flavor ${OTHER_FLAVOR} is not supported for datastore version`));
        const { instance } = (await tenant.request<{ instance: Instance }>("POST", "database", "/instances", request(FLAVOR)))!;
        created.instance = instance.id;
        const buildStarted = Date.now();
        expect(instance.status).toBe("BUILD");

        // The taskmanager's server, in the service project: ACTIVE at once (the fake driver boots nothing).
        const server = await waitFor("the instance's Nova server", 120_000, async () => {
            const { servers } = await service.get<{ servers: Server[] }>("compute", `/servers/detail?name=${encodeURIComponent(`^live-${suffix}$`)}`);
            return servers.find((s) => s.status === "ACTIVE");
        });
        created.server = server.id;
        // What cloud-init would do on the VM: the harness reads the user_data and starts the guest.
        console.log(harness.start(server.id).trim());

        const active = await waitFor("the instance to go ACTIVE", 600_000, async () => {
            const { instance: now } = await tenant.get<{ instance: Instance }>("database", `/instances/${instance.id}`);
            if (now.status === "ERROR" || now.status === "FAILED") throw new Error(`instance ${now.status}: ${now.fault?.message ?? "no fault given"}`);
            return now.status === "ACTIVE" ? now : undefined;
        });
        const seconds = (Date.now() - buildStarted) / 1000;
        console.log(`live fire: instance ${instance.id} went from BUILD to ACTIVE in ${seconds.toFixed(1)} s`);
        expect(active.operating_status).toBe("HEALTHY");
    });

    test("the guest's user data carries the stack's per-datastore cloud-init, merged with Trove's own files", async () => {
        const { server } = await service.get<{ server: Record<string, unknown> }>("compute", `/servers/${created.server}`, { "OpenStack-API-Version": "compute 2.3" });
        const userData = Buffer.from(server["OS-EXT-SRV-ATTR:user_data"] as string, "base64").toString("utf8");
        const cloudConfig = yaml.load(userData) as { runcmd?: string[]; write_files?: { path: string }[] };
        expect(userData.startsWith("#cloud-config\n")).toBe(true);
        expect(cloudConfig.runcmd).toEqual([CLOUD_INIT_MARKER]);
        // Trove's own files are still there: the guest agent's configuration and the guest's identity.
        expect((cloudConfig.write_files ?? []).map((f) => f.path)).toEqual(expect.arrayContaining([expect.stringMatching(/guest_info\.conf$/), expect.stringMatching(/trove-guestagent\.conf$/)]));
    });

    test("the server, its ports, key and image are the ones the stack built", async () => {
        const { server } = await service.get<{ server: Server }>("compute", `/servers/${created.server}`);
        expect(server.tenant_id).toBe(service.projectId);
        expect(server.key_name).toBe(outputs.novaKeypairName.value);
        // Found by tags (trove, mariadb): the stack's guest image.
        expect(server.image.id).toBe(outputs.guestImageId.value);

        const { ports } = await service.get<{ ports: Port[] }>("network", `/v2.0/ports?device_id=${created.server}`);
        expect(ports.map((p) => p.network_id).sort()).toEqual([created.network, outputs.managementNetworkId.value].sort());
        const management = ports.find((p) => p.network_id === outputs.managementNetworkId.value)!;
        expect(management.security_groups).toEqual([outputs.managementSecurityGroupId.value]);
        // Bound by ML2 (the dev cloud's `test` driver) to the compute host Nova placed the server on.
        expect(ports.map((p) => p["binding:host_id"])).toEqual(["host-ovs-no_filter", "host-ovs-no_filter"]);
    });

    test("the guest pulled <registry>/trove-datastores/mariadb:<version number> from the stack's registry, with its credentials", async () => {
        expect((await new RegistryApi(`127.0.0.1:${REGISTRY_PORT}`).request("GET", "/v2/_catalog")).status).toBe(401);
        // The registry's request log: one line per request, with the user it authenticated.
        // (The registry writes its access log to stdout and its structured log to stderr.)
        const read = spawnSync("docker", ["logs", `trove-registry-${suffix}`], { maxBuffer: 64 << 20 });
        expect(read.status).toBe(0);
        const logs = `${read.stdout.toString()}\n${read.stderr.toString()}`;
        // The guest agent pulls through the Docker SDK for Python; the stack pushed through the engine's Go client.
        const guestRequests = logs.split("\n").filter((l) => l.includes("http.request.uri=") && l.includes("docker-sdk-python"));
        // logrus quotes a value only when it needs quoting.
        const uri = new RegExp(`http\\.request\\.uri="?/v2/trove-datastores/mariadb/manifests/${VERSION_NUMBER.replace(/\./g, "\\.")}"?( |$)`);
        // Answered 200 (a first anonymous try is answered 401 by an authenticated registry).
        const manifest = guestRequests.filter((l) => uri.test(l) && l.includes('msg="response completed"') && /http\.response\.status=200( |$)/.test(l));
        expect(manifest.length).toBeGreaterThan(0);
        // Each was authenticated: the registry's htpasswd (the stack's one user) logs "authorized
        // request" under the request's id; an anonymous request is refused with 401.
        const requestId = (l: string): string | undefined => /http\.request\.id=([0-9a-f-]+)/.exec(l)?.[1];
        const authorized = new Set(guestRequests.filter((l) => l.includes('msg="authorized request"')).map(requestId));
        for (const line of manifest) expect(authorized.has(requestId(line))).toBe(true);
        // Never by the version's name.
        expect(logs).not.toContain(`/v2/trove-datastores/mariadb/manifests/${VERSION_NAME}`);
    });

    test("the tenant's user queries MariaDB in the guest", () => {
        const containers = harness.exec(created.server!, ["docker", "ps", "--format", "{{.Names}} {{.Image}}"]);
        expect(containers).toContain(`127.0.0.1:${REGISTRY_PORT}/trove-datastores/mariadb:${VERSION_NUMBER}`);
        const name = containers.trim().split("\n").find((l) => l.includes("trove-datastores/mariadb"))!.split(" ")[0];
        const answer = harness.exec(created.server!, ["docker", "exec", name, "mariadb", "-uliveuser", "-plive-user-password",
            "-h127.0.0.1", "--protocol=TCP", "-N", "-e", "SELECT CONCAT(CURRENT_USER(), ' ', DATABASE()), VERSION()", "livedb"]);
        // The server is of the version number's series.
        expect(answer).toMatch(new RegExp(`^liveuser@% livedb\t${VERSION_NUMBER.replace(/\./g, "\\.")}\\.`, "m"));
    });

    test("delete the instance and destroy the stack: nothing is left in any service, nor of the guest", async () => {
        await tenant.request("DELETE", "database", `/instances/${created.instance}`);
        await waitFor("the instance to be deleted", 180_000, async () => (await instanceGone(created.instance!)) ? true : undefined);
        created.instance = undefined;
        await waitFor("the server to be deleted", 120_000, async () =>
            service.request("GET", "compute", `/servers/${created.server}`).then(() => undefined, (e: Error) => /: 404 /.test(e.message) ? true : undefined));
        const guestDir = harness.stateDir(created.server!);
        expect(fs.existsSync(guestDir)).toBe(true);
        harness.stop(created.server!);
        expect(fs.existsSync(guestDir)).toBe(false);
        expect(fs.readFileSync("/proc/self/mounts", "utf8")).not.toContain(created.server!);
        const left = execFileSync("ps", ["-eo", "args"]).toString().split("\n").filter((l) => l.includes(created.server!));
        expect(left).toEqual([]);
        created.server = undefined;

        const managementNetwork = outputs.managementNetworkId.value as string;
        await removeTenantNetwork();
        await stack!.destroy({ onOutput: () => undefined });
        const { ports } = await service.get<{ ports: Port[] }>("network", `/v2.0/ports?network_id=${managementNetwork}`);
        expect(ports).toEqual([]);
        const { servers } = await service.get<{ servers: Server[] }>("compute", `/servers?name=${encodeURIComponent(suffix)}`);
        expect(servers).toEqual([]);
        const { security_groups: groups } = await service.get<{ security_groups: { name: string }[] }>("network", "/v2.0/security-groups");
        expect(groups.filter((g) => g.name.startsWith("trove_sg-"))).toEqual([]);
        expect(docker(["ps", "-a", "--filter", `name=trove-registry-${suffix}`, "--format", "{{.Names}}"]).trim()).toBe("");
    });
});
