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
import { destroyAndRemove } from "../support/stack";
import { OpenStackApi } from "../support/openstack-api";
import { GuestHarness } from "../support/guest-harness";
import { RegistryApi } from "../support/registry-api";
import { missingPluginsReason, requirePulumiToolchain, requireRealEnvironment } from "../support/real-env";
import {
    devcloudImage, docker, forceDeleteInstance, instanceGone, Instance, LIVE_FLAVOR, liveSettings, restoreControllers, Server,
    StackOutputs, TENANT_ENV, TenantNetwork, upAndConfigureControllers, waitFor, waitForActive, waitForServer,
} from "../support/live-region";

const suffix = `l${Date.now().toString(36).slice(-5)}`;
const STACK = `test-live-${suffix}`;
const REGISTRY_PORT = 4100;
const REGISTRY_USER = "trove-guest";
const REGISTRY_PASSWORD = `live-${suffix}-registry-password`;
const VERSION_NAME = "11.8-live";
const VERSION_NUMBER = "11.8";
const TENANT_CIDR = "192.168.77.0/24";
/** A flavor the version does not allow (created by the test). */
const OTHER_FLAVOR = `live-other-${suffix}`;
const CLOUD_INIT_MARKER = "echo live-fire per-datastore cloud-init";

interface Port { id: string; network_id: string; security_groups: string[]; "binding:host_id"?: string }

requirePulumiToolchain();
const blocked = missingPluginsReason(["openstack", "docker"]);
if (blocked) console.warn(`SKIPPED the live-fire suite: ${blocked}`);

(blocked ? describe.skip : describe)("live fire: Trove 26 creates a MariaDB instance on the region the stack built", () => {
    let stack: Stack | undefined;
    let outputs: StackOutputs;
    let service: OpenStackApi;
    let tenant: OpenStackApi;
    let tenantNetwork: TenantNetwork;
    const harness = new GuestHarness(process.env);
    const created: { instance?: string; server?: string; flavor?: string } = {};

    beforeAll(async () => {
        requireRealEnvironment();
        if (!process.env.DEVCLOUD_DIR || !process.env.DOCKER_HOST) throw new Error("DEVCLOUD_DIR and DOCKER_HOST are not set: run through `npm test`, which starts the dev cloud");
        // The real MariaDB image of that number (11.8: Debian 13's packages; cached): the stack publishes it.
        devcloudImage("mariadb.sh", [VERSION_NUMBER]);
        stack = await regionTestStack(STACK, suffix, liveSettings({
            suffix, registryPort: REGISTRY_PORT, registryUser: REGISTRY_USER, versionName: VERSION_NAME, versionNumber: VERSION_NUMBER,
            cloudInit: { mariadb: { runcmd: [CLOUD_INIT_MARKER] } },
        }));
        await stack.setConfig("trove-region:registryPassword", { value: REGISTRY_PASSWORD, secret: true });
        service = await OpenStackApi.login();
        tenant = await OpenStackApi.login(TENANT_ENV);
        tenantNetwork = new TenantNetwork(tenant, `live-${suffix}`, TENANT_CIDR);
        await service.request("POST", "compute", "/flavors", { flavor: { name: OTHER_FLAVOR, id: OTHER_FLAVOR, ram: 512, vcpus: 1, disk: 1 } });
        created.flavor = OTHER_FLAVOR;
    });

    afterAll(async () => {
        // Whatever failed, leave nothing behind: the instance (force), the guest, Trove's settings,
        // the tenant's network, the stack.
        if (created.instance) await forceDeleteInstance(service, tenant, created.instance);
        if (created.server) {
            try { harness.stop(created.server); } catch (e) { console.error(`guest stop: ${(e as Error).message}`); }
        }
        restoreControllers(suffix);
        await tenantNetwork?.remove().catch((e: Error) => console.error(`tenant network: ${e.message}`));
        if (created.flavor) await service.request("DELETE", "compute", `/flavors/${created.flavor}`).catch((e: Error) => console.error(`flavor: ${e.message}`));
        await destroyAndRemove(stack, STACK);
    });

    test("pulumi up of the region, and the controllers take its settings verbatim", async () => {
        outputs = await upAndConfigureControllers(stack!, suffix);
        expect(outputs.troveConf.secret).toBe(true);
        expect(outputs.guestAgentConf.secret).toBe(true);
        expect(Object.keys(outputs.cloudInitFiles.value as Record<string, string>)).toEqual(["mariadb.cloudinit"]);
        const state = process.env.DEVCLOUD_DIR!;
        expect(fs.readFileSync(path.join(state, "etc", "trove", "region.conf"), "utf8")).toBe(outputs.troveConf.value);
        expect(fs.readFileSync(path.join(state, "etc", "trove", "trove-guestagent.conf"), "utf8").endsWith(outputs.guestAgentConf.value as string)).toBe(true);
    });

    test("a tenant creates an instance (a flavor the version does not allow is refused); the guest pulls its image from the stack's registry; it goes ACTIVE and HEALTHY", async () => {
        const network = await tenantNetwork.create();
        const request = (flavorRef: string) => ({
            instance: {
                name: `live-${suffix}`,
                flavorRef,
                datastore: { type: "mariadb", version: VERSION_NAME },
                nics: [{ "net-id": network }],
                databases: [{ name: "livedb" }],
                users: [{ name: "liveuser", password: "live-user-password", databases: [{ name: "livedb" }] }],
            },
        });
        // The version allows only FLAVOR (the stack's datastores[].flavors): Trove refuses another.
        const refused = await tenant.request("POST", "database", "/instances", request(OTHER_FLAVOR)).then(() => "created", (e: Error) => e.message);
        expect(refused).toMatch(new RegExp(`: 400 .*Flavor ${OTHER_FLAVOR} is not supported for datastore version`));
        const { instance } = (await tenant.request<{ instance: Instance }>("POST", "database", "/instances", request(LIVE_FLAVOR)))!;
        created.instance = instance.id;
        const buildStarted = Date.now();
        expect(instance.status).toBe("BUILD");

        const server = await waitForServer(service, `live-${suffix}`);
        created.server = server.id;
        // What cloud-init would do on the VM: the harness reads the user_data and starts the guest.
        console.log(harness.start(server.id).trim());

        const active = await waitForActive(tenant, instance.id);
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
        expect(ports.map((p) => p.network_id).sort()).toEqual([tenantNetwork.network, outputs.managementNetworkId.value].sort());
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
        await waitFor("the instance to be deleted", 180_000, async () => (await instanceGone(tenant, created.instance!)) ? true : undefined);
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
        await tenantNetwork.remove();
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
