import * as pulumi from "@pulumi/pulumi";
import { IniSection, IniValue, renderIni } from "./ini";
import { RandomKey } from "./random-key";
import { isPositiveInteger, nested, Problem, show, throwIfProblems } from "../common/validation";
import { cloudInitFiles, CloudConfig, DEFAULT_CLOUDINIT_LOCATION, validateCloudInit } from "./cloud-init";

/** Trove's own defaults for per-tenant limits, from the production guide. */
export const DEFAULT_MAX_INSTANCES_PER_TENANT = 10;
export const DEFAULT_MAX_BACKUPS_PER_TENANT = 50;

/** The registry as the guest agent sees it. */
export interface GuestRegistry {
    /** host:port */
    readonly address: string;
    /** Listed in `docker_insecure_registries` when true. */
    readonly insecure: boolean;
    readonly username?: string;
    /** A Pulumi secret. */
    readonly password?: pulumi.Input<string>;
}

/**
 * Settings of a datastore manager's section that both the controllers (trove-api validates user
 * requests with them) and the guest agent read. MariaDB's container health check logs in as the
 * `healthcheck` users the image creates (`.my-healthcheck.cnf`); Trove's default `ignore_users`
 * (os_admin, root) lists them as the tenant's users, who could then drop them and make the instance
 * unhealthy for good. Exported for testing.
 */
export function managerSettings(manager: string): readonly (readonly [string, IniValue])[] {
    switch (manager) {
        case "mariadb":
            return [["ignore_users", ["os_admin", "root", "healthcheck"]]];
        default:
            return [];
    }
}

/** The images of one datastore manager, untagged: Trove appends the datastore version. */
export interface ManagerImages {
    readonly dockerImage: string;
    readonly backupDockerImage?: string;
}

export interface TroveConfigArgs {
    readonly managementNetworkId: pulumi.Input<string>;
    readonly managementSecurityGroupIds: pulumi.Input<string>[];
    readonly novaKeypair: pulumi.Input<string>;
    /** @default unset: Cinder's default volume type */
    readonly cinderVolumeType?: pulumi.Input<string>;
    /** @default unset: the guest agent pulls from Docker Hub */
    readonly registry?: GuestRegistry;
    /** Per manager (section name: mysql, mariadb, postgresql), its images. */
    readonly images?: Readonly<Record<string, ManagerImages>>;
    /** The managers the region offers: each gets its `managerSettings` in both fragments. @default none */
    readonly managers?: readonly string[];
    /** @default DEFAULT_MAX_INSTANCES_PER_TENANT (10) */
    readonly maxInstancesPerTenant?: number;
    /** @default DEFAULT_MAX_BACKUPS_PER_TENANT (50) */
    readonly maxBackupsPerTenant?: number;
    /** @default unset: instance create requests must name a datastore */
    readonly defaultDatastore?: string;
    /**
     * Bring your own RPC keys (secrets). Each one left unset is generated once and kept in the state.
     * @default both generated
     */
    readonly taskmanagerRpcEncrKey?: pulumi.Input<string>;
    readonly instRpcKeyEncrKey?: pulumi.Input<string>;
    /** Per manager, cloud-config Trove adds to its guests' user data. @default none */
    readonly cloudInit?: Readonly<Record<string, CloudConfig>>;
    /** Where the controllers keep the `<manager>.cloudinit` files. @default DEFAULT_CLOUDINIT_LOCATION ("/etc/trove/cloudinit") */
    readonly cloudInitLocation?: string;
}

/** One option, possibly an Output (ids) or a secret (keys, passwords). */
type Option = readonly [string, pulumi.Input<IniValue> | undefined];

/** Every problem in `args`. Exported for testing. */
export function validateTroveConfigArgs(args: Pick<TroveConfigArgs, "maxInstancesPerTenant" | "maxBackupsPerTenant" | "images" | "cloudInit" | "cloudInitLocation" | "managers">): Problem[] {
    const problems: Problem[] = [];
    if (args.cloudInit) problems.push(...nested("cloudInit", validateCloudInit(args.cloudInit, [...new Set(args.managers ?? [])])));
    if (args.cloudInitLocation !== undefined && !/^\/[^\0\n]*$/.test(args.cloudInitLocation)) {
        problems.push({ path: "cloudInitLocation", message: `${show(args.cloudInitLocation)} is not an absolute directory path` });
    }
    for (const field of ["maxInstancesPerTenant", "maxBackupsPerTenant"] as const) {
        const v = args[field];
        if (v !== undefined && !isPositiveInteger(v)) problems.push({ path: field, message: `${show(v)} is not a positive whole number` });
    }
    for (const [manager, images] of Object.entries(args.images ?? {})) {
        for (const [field, image] of Object.entries(images)) {
            // Trove appends the version as the tag; a tag here would make it pull image:tag:version.
            if (typeof image === "string" && /:[^/]*$/.test(image.replace(/^[^/]*\//, ""))) {
                problems.push({ path: `images.${manager}.${field}`, message: `${image} carries a tag; give the image without one, Trove appends the datastore version` });
            }
        }
    }
    return problems;
}

function renderSections(sections: readonly { name: string; options: readonly Option[] }[]): pulumi.Output<string> {
    // pulumi.all keeps secretness: the text is secret when any value in it is.
    return pulumi.all(sections.map((s) => pulumi.all(s.options.map(([k, v]) => pulumi.all([k, v])))))
        .apply((resolved) => renderIni(resolved.map((options, i) => ({
            name: sections[i].name,
            options: options.map(([k, v]) => [k, v] as const),
        }) as IniSection)));
}

/**
 * Renders the `trove.conf` and `trove-guestagent.conf` settings this region decides, from the other
 * components' outputs, and generates the RPC encryption keys. Both fragments are secrets: they carry
 * keys and the registry password.
 */
export class TroveConfig extends pulumi.ComponentResource {
    /** The `[DEFAULT]` fragment of trove.conf for the controllers. Secret. */
    public readonly troveConf: pulumi.Output<string>;
    /** The trove-guestagent.conf fragment. Secret when it carries a registry password. */
    public readonly guestAgentConf: pulumi.Output<string>;
    public readonly taskmanagerRpcEncrKey: pulumi.Output<string>;
    public readonly instRpcKeyEncrKey: pulumi.Output<string>;
    /** Per file name (`<manager>.cloudinit`), its text, for the controllers' cloudinit_location. Empty without cloudInit. */
    public readonly cloudInitFiles: Record<string, string>;

    constructor(name: string, args: TroveConfigArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfProblems(`TroveConfig "${name}"`, validateTroveConfigArgs(args));
        super("trove-region:config:TroveConfig", name, {}, opts);

        this.taskmanagerRpcEncrKey = pulumi.secret(args.taskmanagerRpcEncrKey
            ?? new RandomKey(`${name}-taskmanager-rpc-key`, {}, { parent: this }).value);
        this.instRpcKeyEncrKey = pulumi.secret(args.instRpcKeyEncrKey
            ?? new RandomKey(`${name}-instance-key-encryption-key`, {}, { parent: this }).value);

        const registry = args.registry;
        const managers = [...new Set([...(args.managers ?? []), ...Object.keys(args.images ?? {})])].sort();
        const settingsSections = managers
            .filter((m) => managerSettings(m).length > 0)
            .map((m) => ({ name: m, options: managerSettings(m) as Option[] }));
        this.troveConf = pulumi.secret(renderSections([{
            name: "DEFAULT",
            options: [
                ["management_networks", args.managementNetworkId],
                ["management_security_groups", pulumi.all(args.managementSecurityGroupIds)],
                ["nova_keypair", args.novaKeypair],
                ["cinder_volume_type", args.cinderVolumeType],
                ["docker_insecure_registries", registry?.insecure ? registry.address : undefined],
                ["default_datastore", args.defaultDatastore],
                ["max_instances_per_tenant", args.maxInstancesPerTenant ?? DEFAULT_MAX_INSTANCES_PER_TENANT],
                ["max_backups_per_tenant", args.maxBackupsPerTenant ?? DEFAULT_MAX_BACKUPS_PER_TENANT],
                ["cloudinit_location", args.cloudInit && Object.keys(args.cloudInit).length > 0 ? args.cloudInitLocation ?? DEFAULT_CLOUDINIT_LOCATION : undefined],
                ["enable_secure_rpc_messaging", true],
                ["taskmanager_rpc_encr_key", this.taskmanagerRpcEncrKey],
                ["inst_rpc_key_encr_key", this.instRpcKeyEncrKey],
            ],
        }, ...settingsSections]));

        this.guestAgentConf = renderSections([
            {
                name: "guest_agent",
                options: [
                    ["container_registry", registry?.address],
                    ["container_registry_username", registry?.username],
                    ["container_registry_password", registry?.password === undefined ? undefined : pulumi.secret(registry.password)],
                ],
            },
            ...managers.map((manager) => ({
                name: manager,
                options: [
                    ["docker_image", args.images?.[manager]?.dockerImage],
                    ["backup_docker_image", args.images?.[manager]?.backupDockerImage],
                    ...managerSettings(manager),
                ] as Option[],
            })),
        ]);

        this.cloudInitFiles = cloudInitFiles(args.cloudInit ?? {});
        this.registerOutputs({
            cloudInitFiles: this.cloudInitFiles,
            troveConf: this.troveConf,
            guestAgentConf: this.guestAgentConf,
            taskmanagerRpcEncrKey: this.taskmanagerRpcEncrKey,
            instRpcKeyEncrKey: this.instRpcKeyEncrKey,
        });
    }
}
