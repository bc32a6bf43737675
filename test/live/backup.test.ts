// Backups that restore (issue 16): on a region the stack built, with the backup image it published
// from Trove's own backup/ code (on the dev cloud's stand-in base: Debian 13's mariadb-backup and
// Python packages), a tenant's MariaDB 11.8 instance is backed up by Trove into the cloud's Swift;
// the guest pulled the backup image by the version's number; the object is in the tenant's Swift
// account; a new instance restored from the backup holds the rows written before the backup and not
// the one written after it. Then the backup is deleted (its object goes with it) and everything is
// removed.
import { Stack } from "@pulumi/pulumi/automation";
import { regionTestStack } from "../support/region-stack";
import { destroyAndRemove } from "../support/stack";
import { OpenStackApi } from "../support/openstack-api";
import { GuestHarness } from "../support/guest-harness";
import { missingPluginsReason, requirePulumiToolchain, requireRealEnvironment } from "../support/real-env";
import {
    devcloudImage, forceDeleteInstance, Instance, LIVE_FLAVOR, liveSettings, restoreControllers, StackOutputs, TENANT_ENV,
    TenantNetwork, upAndConfigureControllers, waitFor, waitForActive, waitForServer,
} from "../support/live-region";

const suffix = `b${Date.now().toString(36).slice(-5)}`;
const STACK = `test-backup-${suffix}`;
const REGISTRY_PORT = 4101;
const REGISTRY_USER = "trove-guest";
const REGISTRY_PASSWORD = `backup-${suffix}-registry-password`;
const VERSION_NAME = "11.8-backup";
const VERSION_NUMBER = "11.8";
const TENANT_CIDR = "192.168.78.0/24";
const USER = { name: "backupuser", password: "backup-user-password" };
const DATABASE = "backupdb";

/** Trove's view of a backup: `locationRef` is the Swift object's URL. */
interface Backup { id: string; status: string; locationRef?: string; size?: number }
interface SwiftObject { name: string; bytes: number }

requirePulumiToolchain();
const blocked = missingPluginsReason(["openstack", "docker"]);
if (blocked) console.warn(`SKIPPED the backup suite: ${blocked}`);

(blocked ? describe.skip : describe)("backup and restore: Trove backs a MariaDB instance up into Swift with the stack's backup image, and restores it", () => {
    let stack: Stack | undefined;
    let outputs: StackOutputs;
    let service: OpenStackApi;
    let tenant: OpenStackApi;
    let tenantNetwork: TenantNetwork;
    let swiftPort: number;
    const harness = new GuestHarness(process.env);
    const instances: { id: string; server?: string }[] = [];
    let backup: Backup | undefined;
    /** The backup as Trove recorded it when COMPLETED: where its object is. */
    let completed: Backup;

    beforeAll(async () => {
        requireRealEnvironment();
        if (!process.env.DEVCLOUD_DIR || !process.env.DOCKER_HOST) throw new Error("DEVCLOUD_DIR and DOCKER_HOST are not set: run through `npm test`, which starts the dev cloud");
        // The real MariaDB server image, the backup tools' base, and Trove's backup/ as a build context.
        devcloudImage("mariadb.sh", [VERSION_NUMBER]);
        devcloudImage("mariadb.sh", ["--backup", VERSION_NUMBER]);
        const backupContext = devcloudImage("trove-backup-context.sh", []).split("\n").pop()!;
        service = await OpenStackApi.login();
        tenant = await OpenStackApi.login(TENANT_ENV);
        tenantNetwork = new TenantNetwork(tenant, `backup-${suffix}`, TENANT_CIDR);
        swiftPort = Number(new URL(tenant.endpoint("object-store")).port || 80);
        stack = await regionTestStack(STACK, suffix, liveSettings({
            suffix, registryPort: REGISTRY_PORT, registryUser: REGISTRY_USER, versionName: VERSION_NAME, versionNumber: VERSION_NUMBER,
            // The backup container streams to Swift from the guest.
            moreEgress: [{ purpose: "swift", cidrs: ["127.0.0.1/32"], ports: [swiftPort] }],
            backupContext,
        }));
        await stack.setConfig("trove-region:registryPassword", { value: REGISTRY_PASSWORD, secret: true });
    });

    afterAll(async () => {
        // Whatever failed, leave nothing behind: the backup (and its object), the instances, their
        // guests, Trove's settings, the tenant's network, the stack.
        if (backup) await tenant.request("DELETE", "database", `/backups/${backup.id}`).catch((e: Error) => console.error(`backup: ${e.message}`));
        for (const instance of instances) {
            await forceDeleteInstance(service, tenant, instance.id);
            if (instance.server) {
                try { harness.stop(instance.server); } catch (e) { console.error(`guest stop: ${(e as Error).message}`); }
            }
        }
        restoreControllers(suffix);
        await tenantNetwork?.remove().catch((e: Error) => console.error(`tenant network: ${e.message}`));
        await destroyAndRemove(stack, STACK);
    });

    /** SQL as the tenant's user, in the instance's database container, over TCP. */
    function sql(server: string, statement: string): string {
        const containers = harness.exec(server, ["docker", "ps", "--format", "{{.Names}} {{.Image}}"]);
        const name = containers.trim().split("\n").find((l) => l.includes("trove-datastores/mariadb"))?.split(" ")[0];
        if (!name) throw new Error(`no MariaDB container in the guest: ${containers}`);
        return harness.exec(server, ["docker", "exec", name, "mariadb", `-u${USER.name}`, `-p${USER.password}`, "-h127.0.0.1", "--protocol=TCP", "-N", "-e", statement, DATABASE]);
    }

    /** The Swift container and object of a backup's location, which must be in the tenant's account. */
    function swiftObject(b: Backup): { container: string; object: string } {
        const account = `${tenant.endpoint("object-store")}/`;
        if (!b.locationRef?.startsWith(account)) throw new Error(`backup ${b.id} is at ${b.locationRef}, not in the tenant's Swift account ${account}`);
        const [container, ...object] = b.locationRef.slice(account.length).split("/");
        return { container, object: object.join("/") };
    }

    /** Creates an instance, plays its guest (with Swift forwarded), and waits for it to go ACTIVE. */
    async function launch(name: string, extra: Record<string, unknown>): Promise<{ id: string; server: string; seconds: number }> {
        const { instance } = (await tenant.request<{ instance: Instance }>("POST", "database", "/instances", {
            instance: { name, flavorRef: LIVE_FLAVOR, datastore: { type: "mariadb", version: VERSION_NAME }, nics: [{ "net-id": tenantNetwork.network }], ...extra },
        }))!;
        const started = Date.now();
        const record: { id: string; server?: string } = { id: instance.id };
        instances.push(record);
        const server = await waitForServer(service, name);
        record.server = server.id;
        console.log(harness.start(server.id, { forward: [swiftPort] }).trim());
        try {
            await waitForActive(tenant, instance.id);
        } catch (e) {
            throw new Error(`${(e as Error).message}\nthe guest agent's log ends:\n${harness.logTail(server.id, "trove/trove-guestagent")}`);
        }
        return { id: instance.id, server: server.id, seconds: (Date.now() - started) / 1000 };
    }

    test("pulumi up publishes the backup image built from Trove's backup/ under the version's number", async () => {
        outputs = await upAndConfigureControllers(stack!, suffix);
        const published = outputs.imageDigests.value as Record<string, { backupImage?: string; backupDigest?: string }>;
        expect(Object.values(published).map((p) => p.backupImage)).toEqual([`127.0.0.1:${REGISTRY_PORT}/trove-datastores/db-backup-mariadb:${VERSION_NUMBER}`]);
        expect(outputs.backupImages.value).toEqual({ mariadb: `127.0.0.1:${REGISTRY_PORT}/trove-datastores/db-backup-mariadb` });
        expect(outputs.guestAgentConf.value).toContain(`backup_docker_image = 127.0.0.1:${REGISTRY_PORT}/trove-datastores/db-backup-mariadb`);
    });

    test("a tenant's instance goes ACTIVE and holds the rows written to it", async () => {
        await tenantNetwork.create();
        const source = await launch(`backup-src-${suffix}`, {
            databases: [{ name: DATABASE }],
            users: [{ name: USER.name, password: USER.password, databases: [{ name: DATABASE }] }],
        });
        console.log(`backup: source instance ${source.id} ACTIVE in ${source.seconds.toFixed(1)} s`);
        sql(source.server, `CREATE TABLE notes (id INT PRIMARY KEY, note VARCHAR(64)); INSERT INTO notes VALUES (1, 'first ${suffix}'), (2, 'second ${suffix}')`);
        expect(sql(source.server, "SELECT id, note FROM notes ORDER BY id")).toBe(`1\tfirst ${suffix}\n2\tsecond ${suffix}\n`);
    });

    test("Trove backs the instance up: the guest runs the stack's backup image, and the backup lands in the tenant's Swift", async () => {
        const source = instances[0];
        const started = Date.now();
        ({ backup } = (await tenant.request<{ backup: Backup }>("POST", "database", "/backups", { backup: { name: `backup-${suffix}`, instance: source.id } }))!);
        const done = await waitFor("the backup to complete", 600_000, async () => {
            const { backup: now } = await tenant.get<{ backup: Backup }>("database", `/backups/${backup!.id}`);
            if (now.status === "FAILED" || now.status === "ERROR") {
                throw new Error(`backup ${now.status}\nthe guest agent's log ends:\n${harness.logTail(source.server!, "trove/trove-guestagent", 60)}`);
            }
            return now.status === "COMPLETED" ? now : undefined;
        });
        completed = done;
        console.log(`backup: ${done.id} COMPLETED in ${((Date.now() - started) / 1000).toFixed(1)} s, ${done.size} GB, at ${done.locationRef}`);
        // A row written after the backup must not come back in the restore.
        sql(source.server!, `INSERT INTO notes VALUES (3, 'after the backup ${suffix}')`);
        // The guest pulled the backup image by the version's number from the stack's registry.
        const pulled = harness.exec(source.server!, ["docker", "images", "--format", "{{.Repository}}:{{.Tag}}"]);
        expect(pulled).toContain(`127.0.0.1:${REGISTRY_PORT}/trove-datastores/db-backup-mariadb:${VERSION_NUMBER}`);
        // The object Trove recorded is in the tenant's own Swift account, with the metadata the
        // backup code writes (what it holds, and the stream's own, e.g. the log sequence number).
        const { container, object } = swiftObject(done);
        const listing = await tenant.get<SwiftObject[]>("object-store", `/${container}?format=json`);
        const stored = listing.find((o) => o.name === object);
        expect(stored).toBeDefined();
        expect(stored!.bytes).toBeGreaterThan(0);
        const head = await fetch(done.locationRef!, { method: "HEAD", headers: { "X-Auth-Token": tenant.token } });
        expect(head.status).toBe(200);
        expect(head.headers.get("x-object-meta-datastore")).toBe("mariadb");
        expect(head.headers.get("x-object-meta-lsn")).toMatch(/^\d+$/);
        console.log(`backup: Swift object ${container}/${object}, ${stored!.bytes} bytes`);
    });

    test("a new instance restored from the backup holds the rows written before it, and not the one after", async () => {
        const restored = await launch(`backup-dst-${suffix}`, { restorePoint: { backupRef: backup!.id } });
        console.log(`backup: instance ${restored.id} restored from ${backup!.id}, ACTIVE in ${restored.seconds.toFixed(1)} s`);
        expect(sql(restored.server, "SELECT id, note FROM notes ORDER BY id")).toBe(`1\tfirst ${suffix}\n2\tsecond ${suffix}\n`);
        expect(sql(instances[0].server!, "SELECT COUNT(*) FROM notes")).toBe("3\n");
    });

    test("deleting the backup removes its object from Swift", async () => {
        const { container, object } = swiftObject(completed);
        await tenant.request("DELETE", "database", `/backups/${backup!.id}`);
        await waitFor("the backup to be deleted", 180_000, async () =>
            tenant.request("GET", "database", `/backups/${backup!.id}`).then(() => undefined, (e: Error) => /: 404 /.test(e.message) ? true : undefined));
        backup = undefined;
        const listing = await tenant.get<SwiftObject[]>("object-store", `/${container}?format=json`);
        expect(listing.map((o) => o.name)).not.toContain(object);
    });
});
