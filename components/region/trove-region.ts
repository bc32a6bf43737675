import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { DEFAULT_CONTROLLERS, DEFAULT_MAX_INSTANCES, ManagementNetwork, ManagementNetworkArgs, validateManagementNetworkArgs } from "../network/management-network";
import { ManagementSecurityGroups, ManagementSecurityGroupsArgs, validateManagementSecurityGroupsArgs } from "../security/management-security-groups";
import { ManagementKeypair, ManagementKeypairArgs, validateManagementKeypairArgs } from "../keypair/management-keypair";
import { PORTS_PER_INSTANCE, QuotaValues, ServiceQuotas, validateQuotaValues } from "../quotas/service-quotas";
import { Registry, RegistryArgs, validateRegistryArgs } from "../registry/registry";
import { DatastoreImages, validateDatastoreImagesArgs } from "../registry/datastore-images";
import { GuestImage, GuestImageArgs, validateGuestImageArgs } from "../guest-image/guest-image";
import { Datastores, TroveManageArgs, validateDatastoresArgs } from "../datastores/datastores";
import { DatastoreVersionSpec, resolveVersions } from "../datastores/datastore-spec";
import { TroveConnection } from "../datastores/trove-api";
import { ManagerImages, TroveConfig, validateTroveConfigArgs } from "../config/trove-config";
import { nested, Problem, show, throwIfProblems } from "../common/validation";

export const DEFAULT_VOLUME_TYPE_NAME = "trove";

/** The Cinder volume type Trove attaches to instances (`cinder_volume_type`). */
export interface VolumeTypeArgs {
    /** @default DEFAULT_VOLUME_TYPE_NAME ("trove") */
    readonly name?: string;
    /** Create it (true) or name an existing one (false). @default true */
    readonly create?: boolean;
    /** Backend selection and the like, e.g. { volume_backend_name: "ceph" }. @default none */
    readonly extraSpecs?: Readonly<Record<string, string>>;
    /** Visible to every project (true) or only to the service project (false). @default false */
    readonly isPublic?: boolean;
}

/** Publishing datastore and backup images into the registry. */
export interface DatastoreImagesSettings {
    /** Trove's backup/ directory, or false to skip backup images. */
    readonly backupContext: string | false;
    /** @default "trove-datastores" */
    readonly repository?: string;
    /** The engine that pulls, builds and pushes. @default the registry's engine when it is created here, else DOCKER_HOST or the local socket */
    readonly dockerHost?: string;
    /** `docker build --network` for the backup builds. @default the engine's default network */
    readonly buildNetwork?: string;
}

export interface TroveRegionArgs {
    /** The Trove service project: owns the network, security group, image and quotas. */
    readonly serviceProjectId: pulumi.Input<string>;
    /** Trove's service user, owner of the keypair. @default the user the provider authenticates as */
    readonly troveUserId?: pulumi.Input<string>;
    /** The most instances the region will ever run: sizes the subnet and the quotas. @default 200 */
    readonly maxInstances?: number;
    /** Controllers that need fixed addresses on the management network. @default 3 */
    readonly controllers?: number;
    readonly managementNetwork: Omit<ManagementNetworkArgs, "projectId" | "maxInstances" | "controllers">;
    /** @default no ingress, all egress */
    readonly securityGroups?: Omit<ManagementSecurityGroupsArgs, "projectId">;
    /** @default a generated key named "trove-mgmt" */
    readonly keypair?: Omit<ManagementKeypairArgs, "userId">;
    /** @default the seeds' numbers, scaled to maxInstances: instances = maxInstances, ports = 2 x instances */
    readonly quotas?: QuotaValues;
    /** @default a private "trove" type is created */
    readonly volumeType?: VolumeTypeArgs;
    /** @default none: guest agents pull from Docker Hub */
    readonly registry?: RegistryArgs;
    readonly datastores: readonly DatastoreVersionSpec[];
    /** Publish datastore and backup images into `registry`. @default not published */
    readonly datastoreImages?: DatastoreImagesSettings;
    readonly guestImage: Omit<GuestImageArgs, "datastores">;
    /** How the stack reaches Trove's management API. */
    readonly trove: {
        readonly connection: pulumi.Input<TroveConnection>;
        /** See DatastoresArgs.parametersDir. @default no parameters loaded */
        readonly parametersDir?: string;
        /** See DatastoresArgs.troveManage. @default REST only */
        readonly troveManage?: TroveManageArgs;
        /** Pin datastore versions to the image id instead of tags. @default false */
        readonly pinImageId?: boolean;
    };
    /** Per-tenant limits in trove.conf. */
    readonly limits?: { readonly maxInstancesPerTenant?: number; readonly maxBackupsPerTenant?: number; readonly defaultDatastore?: string };
    /** Bring your own RPC keys (secrets). @default generated */
    readonly rpcKeys?: { readonly taskmanagerRpcEncrKey?: pulumi.Input<string>; readonly instRpcKeyEncrKey?: pulumi.Input<string> };
}

/** Quotas with the region's defaults: instances follow maxInstances, ports follow instances. */
export function regionQuotas(args: Pick<TroveRegionArgs, "quotas" | "maxInstances">): QuotaValues {
    const instances = args.quotas?.instances ?? args.maxInstances ?? DEFAULT_MAX_INSTANCES;
    const ports = args.quotas?.ports ?? (instances === -1 ? -1 : PORTS_PER_INSTANCE * instances);
    return { ...args.quotas, instances, ports };
}

/**
 * Every problem in the region's settings, each named by its path (`managementNetwork.cidr`), which is
 * also its config key. Reads the files the settings name. Exported for testing.
 */
export function validateTroveRegionArgs(args: TroveRegionArgs): Problem[] {
    const maxInstances = args.maxInstances ?? DEFAULT_MAX_INSTANCES;
    const controllers = args.controllers ?? DEFAULT_CONTROLLERS;
    const problems: Problem[] = [];
    if (!args.managementNetwork) {
        problems.push({ path: "managementNetwork", message: "is required: at least { routing: { mode: ... } }" });
    } else {
        const networkProblems = validateManagementNetworkArgs({ ...args.managementNetwork, maxInstances, controllers });
        // maxInstances and controllers are region settings; report them under their own names.
        problems.push(...networkProblems.map((p) =>
            p.path === "maxInstances" || p.path === "controllers" ? p : { ...p, path: `managementNetwork.${p.path}` }));
    }
    problems.push(...nested("securityGroups", validateManagementSecurityGroupsArgs(args.securityGroups ?? {})));
    problems.push(...nested("keypair", validateManagementKeypairArgs(args.keypair ?? {})));
    const quotas = regionQuotas(args);
    problems.push(...nested("quotas", validateQuotaValues(quotas)));
    if (quotas.instances !== undefined && quotas.instances !== -1 && quotas.instances > maxInstances) {
        problems.push({
            path: "quotas.instances",
            message: `${quotas.instances} is more than maxInstances (${maxInstances}), for which the management subnet is sized; raise maxInstances or lower the quota`,
        });
    }
    if (args.volumeType?.name !== undefined && !args.volumeType.name.trim()) {
        problems.push({ path: "volumeType.name", message: "must not be empty" });
    }
    if (args.registry) problems.push(...nested("registry", validateRegistryArgs(args.registry)));
    if (args.datastoreImages) {
        if (!args.registry) {
            problems.push({ path: "datastoreImages", message: "needs a registry to publish into; set registry (mode \"create\" or \"existing\")" });
        } else {
            const registryAddress = args.registry.mode === "existing" ? args.registry.address : `${args.registry.hostAddress}:${args.registry.port ?? 4000}`;
            problems.push(...nested("datastoreImages", validateDatastoreImagesArgs({ ...args.datastoreImages, registry: registryAddress, versions: args.datastores }))
                .filter((p) => !p.path.startsWith("datastoreImages.versions") && !p.path.startsWith("datastoreImages.registry")));
        }
    }
    problems.push(...validateDatastoresArgs({ versions: args.datastores, parametersDir: args.trove?.parametersDir, troveManage: args.trove?.troveManage })
        .map((p) => p.path.startsWith("versions") ? { ...p, path: p.path.replace(/^versions/, "datastores") } : { ...p, path: `trove.${p.path}` }));
    if (!args.guestImage) {
        problems.push({ path: "guestImage", message: "is required: { source: { mode: \"build\" | \"file\" | \"url\", ... } }" });
    } else {
        problems.push(...nested("guestImage", validateGuestImageArgs({ ...args.guestImage, datastores: (args.datastores ?? []).map((d) => d.datastore) }))
            .filter((p) => p.path !== "guestImage.datastores"));
    }
    problems.push(...nested("limits", validateTroveConfigArgs(args.limits ?? {})));
    const defaultDatastore = args.limits?.defaultDatastore;
    if (defaultDatastore !== undefined && !(args.datastores ?? []).some((d) => d.datastore === defaultDatastore)) {
        problems.push({ path: "limits.defaultDatastore", message: `${show(defaultDatastore)} is not one of the configured datastores` });
    }
    return problems;
}

/**
 * Everything OpenStack Trove needs around its controller in one region: the management network and
 * security group, the keypair, the service project's quotas, the volume type, the registry and its
 * images, the guest image, the datastores, and the rendered configuration.
 */
export class TroveRegion extends pulumi.ComponentResource {
    public readonly network: ManagementNetwork;
    public readonly securityGroups: ManagementSecurityGroups;
    public readonly keypair: ManagementKeypair;
    public readonly quotas: ServiceQuotas;
    public readonly volumeTypeName: pulumi.Output<string>;
    public readonly registry: Registry | undefined;
    public readonly datastoreImages: DatastoreImages | undefined;
    public readonly guestImage: GuestImage;
    public readonly datastores: Datastores;
    public readonly config: TroveConfig;

    constructor(name: string, args: TroveRegionArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfProblems(`TroveRegion "${name}"`, validateTroveRegionArgs(args));
        super("trove-region:region:TroveRegion", name, {}, opts);
        const projectId = args.serviceProjectId;

        this.network = new ManagementNetwork(`${name}-network`, {
            ...args.managementNetwork,
            projectId,
            maxInstances: args.maxInstances,
            controllers: args.controllers,
        }, { parent: this });
        this.securityGroups = new ManagementSecurityGroups(`${name}-secgroup`, { ...args.securityGroups, projectId }, { parent: this });
        this.keypair = new ManagementKeypair(`${name}-keypair`, { ...args.keypair, userId: args.troveUserId }, { parent: this });
        this.quotas = new ServiceQuotas(`${name}-quotas`, { ...regionQuotas(args), projectId }, { parent: this });
        this.volumeTypeName = this.createVolumeType(name, args.volumeType ?? {}, projectId);

        const versions = resolveVersions(args.datastores);
        if (args.registry) this.registry = new Registry(`${name}-registry`, args.registry, { parent: this });
        if (args.datastoreImages && this.registry) {
            this.datastoreImages = new DatastoreImages(`${name}-images`, {
                registry: this.registry.address,
                credentials: this.registry.username && this.registry.password
                    ? { username: this.registry.username, password: this.registry.password }
                    : undefined,
                versions: args.datastores,
                repository: args.datastoreImages.repository,
                backupContext: args.datastoreImages.backupContext,
                insecure: this.registry.insecure,
                dockerHost: args.datastoreImages.dockerHost ?? (args.registry?.mode === "create" ? args.registry.dockerHost : undefined),
                buildNetwork: args.datastoreImages.buildNetwork,
            }, { parent: this, dependsOn: [this.registry] });
        }

        this.guestImage = new GuestImage(`${name}-guest-image`, {
            ...args.guestImage,
            datastores: [...new Set(versions.map((v) => v.datastore))],
        }, { parent: this });

        this.datastores = new Datastores(`${name}-datastores`, {
            connection: args.trove.connection,
            versions: args.datastores,
            imageId: args.trove.pinImageId ? this.guestImage.imageId : undefined,
            imageDependency: this.guestImage,
            parametersDir: args.trove.parametersDir,
            troveManage: args.trove.troveManage,
        }, { parent: this });

        const images: Record<string, ManagerImages> = {};
        if (this.datastoreImages) {
            for (const v of versions) {
                images[v.manager] = {
                    dockerImage: this.datastoreImages.dockerImages[v.datastore],
                    backupDockerImage: this.datastoreImages.backupDockerImages[v.datastore],
                };
            }
        }
        this.config = new TroveConfig(`${name}-config`, {
            managementNetworkId: this.network.networkId,
            managementSecurityGroupIds: [this.securityGroups.securityGroupId],
            novaKeypair: this.keypair.keypairName,
            cinderVolumeType: this.volumeTypeName,
            registry: this.registry && {
                address: this.registry.address,
                insecure: this.registry.insecure,
                username: this.registry.username,
                password: this.registry.password,
            },
            images,
            managers: versions.map((v) => v.manager),
            ...args.limits,
            ...args.rpcKeys,
        }, { parent: this });

        this.registerOutputs({
            managementNetworkId: this.network.networkId,
            securityGroupId: this.securityGroups.securityGroupId,
            keypairName: this.keypair.keypairName,
            guestImageId: this.guestImage.imageId,
            volumeTypeName: this.volumeTypeName,
            troveConf: this.config.troveConf,
            guestAgentConf: this.config.guestAgentConf,
        });
    }

    private createVolumeType(name: string, args: VolumeTypeArgs, projectId: pulumi.Input<string>): pulumi.Output<string> {
        const typeName = args.name ?? DEFAULT_VOLUME_TYPE_NAME;
        if (args.create === false) return pulumi.output(typeName);
        const isPublic = args.isPublic ?? false;
        const volumeType = new openstack.blockstorage.VolumeTypeV3(`${name}-volume-type`, {
            name: typeName,
            isPublic,
            extraSpecs: args.extraSpecs ? { ...args.extraSpecs } : undefined,
            description: "Volumes of Trove database instances",
        }, { parent: this });
        if (!isPublic) {
            // A private type is usable only by the projects granted access: Trove's service project.
            new openstack.blockstorage.VolumeTypeAccessV3(`${name}-volume-type-access`, {
                projectId,
                volumeTypeId: volumeType.id,
            }, { parent: this });
        }
        return volumeType.name;
    }
}
