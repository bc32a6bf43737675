// What the live tests (test/live: Trove running databases on a region the stack built) share: the
// live region's settings, the dev cloud's controllers taking the stack's configuration, a tenant's
// network, and waiting on Trove's and Nova's states.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { devSettings } from "./dev-config";
import { OpenStackApi } from "./openstack-api";
import { tempDir } from "../tmp";

export const repo = path.join(__dirname, "..", "..");

/** The dev cloud's tenant: a member of the demo project, as a customer of Trove. */
export const TENANT_ENV = { ...process.env, OS_USERNAME: "demo", OS_PASSWORD: "devcloud-demo", OS_PROJECT_NAME: "demo" };

/** The flavor the live versions allow (created by the dev cloud). */
export const LIVE_FLAVOR = process.env.DEVCLOUD_FLAVOR_ID ?? "trove-ds1-small";

export interface Instance { id: string; status: string; operating_status?: string; fault?: { message: string } }
export interface Server { id: string; name: string; status: string; tenant_id: string; key_name: string; image: { id: string } }
export type StackOutputs = Record<string, { value: unknown; secret: boolean }>;

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `read` every 2 s until it answers a value, or fails with what it waited for. */
export async function waitFor<T>(what: string, timeoutMs: number, read: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await read();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
        await sleep(2000);
    }
}

export function devcloud(args: string[]): string {
    // Restarting Trove waits up to 2 minutes for its API; never hang a run on it.
    return execFileSync("bash", [path.join(repo, "scripts", "devcloud.sh"), ...args], { stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 }).toString();
}

export function docker(args: string[]): string {
    return execFileSync("docker", args, { stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 }).toString();
}

/** A script of scripts/devcloud/images (real images from Debian's packages), its output shown. */
export function devcloudImage(script: string, args: string[]): string {
    return execFileSync("bash", [path.join(repo, "scripts", "devcloud", "images", script), ...args], { stdio: ["ignore", "pipe", "inherit"] }).toString().trim();
}

export interface LiveRegion {
    suffix: string;
    registryPort: number;
    registryUser: string;
    /** The version's name (what tenants ask for) and its number (the image tag guests pull). */
    versionName: string;
    versionNumber: string;
    /** Destinations the guests reach beyond RabbitMQ, the registry, Keystone and DNS. */
    moreEgress?: { purpose: string; cidrs: string[]; ports: number[] }[];
    /** Per-datastore cloud-init (the stack's cloudInit setting). */
    cloudInit?: Record<string, unknown>;
    /** Trove's backup/ build context; the dev stack's stand-in when not given. */
    backupContext?: string;
}

/** Where this region's controllers look for `<manager>.cloudinit`. */
export function cloudInitDir(suffix: string): string {
    return path.join(process.env.DEVCLOUD_DIR ?? "/nonexistent", `cloudinit-${suffix}`);
}

/** The live region: the dev stack's settings, with what a production region sets for guests. */
export function liveSettings(region: LiveRegion): Record<string, unknown> {
    const dev = devSettings();
    const { suffix, registryPort } = region;
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
                    { purpose: "registry", cidrs: ["127.0.0.1/32"], ports: [registryPort] },
                    { purpose: "keystone", cidrs: ["127.0.0.1/32"], ports: [5000] },
                    ...(region.moreEgress ?? []),
                    { purpose: "dns", cidrs: ["127.0.0.1/32"], ports: [53], protocol: "udp" },
                ],
            },
        },
        // A registry of its own, with credentials, on the dev cloud's Docker engine.
        "trove-region:registry": {
            mode: "create", hostAddress: "127.0.0.1", port: registryPort, listenAddress: "127.0.0.1",
            containerName: `trove-registry-${suffix}`, credentials: { username: region.registryUser },
        },
        ...(region.backupContext ? { "trove-region:datastoreImages": { ...(dev["trove-region:datastoreImages"] as Record<string, unknown>), backupContext: region.backupContext } } : {}),
        // The version allows one flavor, written with the dev cloud's trove-manage as on a controller.
        "trove-region:datastores": [{ datastore: "mariadb", version: region.versionName, versionNumber: region.versionNumber, sourceImage: `mariadb:${region.versionNumber}`, flavors: [LIVE_FLAVOR] }],
        "trove-region:trove": {
            ...(dev["trove-region:trove"] as Record<string, unknown>),
            troveManage: { command: path.join(repo, "scripts", "devcloud", "trove-manage"), configFile: path.join(process.env.DEVCLOUD_DIR ?? "/nonexistent", "etc", "trove", "trove.conf") },
        },
        // Per-datastore user data: the controllers read it from cloudinit_location, which the stack's
        // troveConf names; the test places the cloudInitFiles output there, as a deployment would.
        ...(region.cloudInit ? { "trove-region:cloudInit": region.cloudInit } : {}),
        "trove-region:cloudInitLocation": cloudInitDir(suffix),
    };
}

/**
 * `pulumi up` of the live region, then the dev cloud's controllers take its troveConf and
 * guestAgentConf verbatim and its cloud-init files where troveConf says. Answers the outputs.
 */
export async function upAndConfigureControllers(stack: Stack, suffix: string): Promise<StackOutputs> {
    const result = await stack.up({ onOutput: (line) => process.stdout.write(line) });
    if (result.summary.result !== "succeeded") throw new Error(`pulumi up: ${result.summary.result}`);
    const outputs = result.outputs as StackOutputs;
    const dir = tempDir("live-conf");
    const troveConf = path.join(dir, "trove.conf");
    const guestConf = path.join(dir, "guest.conf");
    fs.writeFileSync(troveConf, outputs.troveConf.value as string, { mode: 0o600 });
    fs.writeFileSync(guestConf, outputs.guestAgentConf.value as string, { mode: 0o600 });
    fs.mkdirSync(cloudInitDir(suffix), { recursive: true });
    // The stack has the output only when it sets cloud-init.
    for (const [file, text] of Object.entries((outputs.cloudInitFiles?.value ?? {}) as Record<string, string>)) fs.writeFileSync(path.join(cloudInitDir(suffix), file), text);
    devcloud(["trove-config", troveConf, guestConf]);
    fs.rmSync(dir, { recursive: true, force: true });
    return outputs;
}

/** The controllers back to the dev cloud's own settings, and this region's cloud-init files gone. */
export function restoreControllers(suffix: string): void {
    fs.rmSync(cloudInitDir(suffix), { recursive: true, force: true });
    try { devcloud(["trove-config", "--clear"]); } catch (e) { console.error(`trove-config --clear: ${(e as Error).message}`); }
}

/** A tenant's network, subnet and router: Trove refuses a subnet no router serves ([network] enable_access_check). */
export class TenantNetwork {
    network?: string;
    subnet?: string;
    router?: string;

    constructor(private readonly tenant: OpenStackApi, private readonly name: string, private readonly cidr: string) {}

    async create(): Promise<string> {
        const { network } = (await this.tenant.request<{ network: { id: string } }>("POST", "network", "/v2.0/networks", { network: { name: this.name } }))!;
        this.network = network.id;
        const { subnet } = (await this.tenant.request<{ subnet: { id: string } }>("POST", "network", "/v2.0/subnets", {
            subnet: { network_id: network.id, cidr: this.cidr, ip_version: 4, name: this.name },
        }))!;
        this.subnet = subnet.id;
        const { router } = (await this.tenant.request<{ router: { id: string } }>("POST", "network", "/v2.0/routers", { router: { name: this.name } }))!;
        this.router = router.id;
        await this.tenant.request("PUT", "network", `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
        return network.id;
    }

    async remove(): Promise<void> {
        if (this.router && this.subnet) {
            await this.tenant.request("PUT", "network", `/v2.0/routers/${this.router}/remove_router_interface`, { subnet_id: this.subnet }).catch(() => undefined);
        }
        if (this.router) await this.tenant.request("DELETE", "network", `/v2.0/routers/${this.router}`);
        this.router = this.subnet = undefined;
        const network = this.network;
        if (network) {
            // Trove deletes an instance's port on this network after the instance answers 404
            // (seen once: 409 NetworkInUse naming that port): wait for it to go.
            await waitFor(`the tenant network ${network} to have no ports left`, 120_000, () =>
                this.tenant.request("DELETE", "network", `/v2.0/networks/${network}`).then(() => true, (e: Error) => {
                    if (/: 409 .*NetworkInUse/.test(e.message)) return undefined;
                    throw e;
                }));
        }
        this.network = undefined;
    }
}

export async function instanceGone(tenant: OpenStackApi, id: string): Promise<boolean> {
    return tenant.request("GET", "database", `/instances/${id}`).then(() => false, (e: Error) => /: 404 /.test(e.message));
}

/** The taskmanager's server for an instance, in the service project: ACTIVE at once (the fake driver boots nothing). */
export async function waitForServer(service: OpenStackApi, name: string): Promise<Server> {
    return waitFor(`the Nova server ${name}`, 120_000, async () => {
        const { servers } = await service.get<{ servers: Server[] }>("compute", `/servers/detail?name=${encodeURIComponent(`^${name}$`)}`);
        return servers.find((s) => s.status === "ACTIVE");
    });
}

/** Waits for the instance to go ACTIVE; fails at once, with Trove's fault, on ERROR. */
export async function waitForActive(tenant: OpenStackApi, id: string, timeoutMs = 600_000): Promise<Instance> {
    return waitFor(`instance ${id} to go ACTIVE`, timeoutMs, async () => {
        const { instance } = await tenant.get<{ instance: Instance }>("database", `/instances/${id}`);
        if (instance.status === "ERROR" || instance.status === "FAILED") throw new Error(`instance ${instance.status}: ${instance.fault?.message ?? "no fault given"}`);
        return instance.status === "ACTIVE" ? instance : undefined;
    });
}

/** Deletes an instance however it stands (reset first), and waits for it to go. */
export async function forceDeleteInstance(service: OpenStackApi, tenant: OpenStackApi, id: string): Promise<void> {
    await service.request("POST", "database", `/mgmt/instances/${id}/action`, { reset_status: {} }).catch(() => undefined);
    await tenant.request("DELETE", "database", `/instances/${id}`).catch(() => undefined);
    await waitFor(`instance ${id} to go`, 120_000, async () => (await instanceGone(tenant, id)) ? true : undefined).catch((e: Error) => console.error(e.message));
}
