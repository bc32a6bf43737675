import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { ManagementNetwork } from "../network/management-network";
import { ManagementSecurityGroups } from "../security/management-security-groups";
import { ManagementKeypair } from "../keypair/management-keypair";
import { ServiceQuotas } from "../quotas/service-quotas";
import { TroveTenantQuotas } from "../quotas/trove-tenant-quotas";
import { Registry } from "../registry/registry";
import { DatastoreImages } from "../registry/datastore-images";
import { GuestImage } from "../guest-image/guest-image";
import { Datastores } from "../datastores/datastores";
import { resolveVersions } from "../model/datastore-spec";
import { ManagerImages, TroveConfig } from "../config/trove-config";
import { throwIfProblems } from "../common/validation";
import { DEFAULT_VOLUME_TYPE_NAME, TroveRegionArgs, VolumeTypeArgs } from "./region-args";
import { planRegion, validateTroveRegionArgs } from "./region-plan";

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
    /** Per project id, its Trove quotas. */
    public readonly tenantQuotas: Record<string, TroveTenantQuotas>;

    constructor(name: string, args: TroveRegionArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfProblems(`TroveRegion "${name}"`, validateTroveRegionArgs(args));
        super("trove-region:region:TroveRegion", name, {}, opts);
        const plan = planRegion(args);
        const projectId = args.serviceProjectId;

        this.network = new ManagementNetwork(`${name}-network`, { ...plan.network, projectId }, { parent: this });
        this.securityGroups = new ManagementSecurityGroups(`${name}-secgroup`, { ...plan.securityGroups, projectId }, { parent: this });
        this.keypair = new ManagementKeypair(`${name}-keypair`, { ...plan.keypair, userId: args.troveUserId }, { parent: this });
        this.quotas = new ServiceQuotas(`${name}-quotas`, { ...plan.quotas, projectId }, { parent: this });
        this.volumeTypeName = this.createVolumeType(name, plan.volumeType, projectId);

        if (plan.registry) this.registry = new Registry(`${name}-registry`, plan.registry, { parent: this });
        if (plan.datastoreImages && this.registry) {
            this.datastoreImages = new DatastoreImages(`${name}-images`, {
                ...plan.datastoreImages,
                credentials: this.registry.username && this.registry.password
                    ? { username: this.registry.username, password: this.registry.password }
                    : undefined,
            }, { parent: this, dependsOn: [this.registry] });
        }

        this.guestImage = new GuestImage(`${name}-guest-image`, plan.guestImage, { parent: this });

        this.datastores = new Datastores(`${name}-datastores`, {
            ...plan.datastores,
            connection: args.trove.connection,
            imageId: args.trove.pinImageId ? this.guestImage.imageId : undefined,
            imageDependency: this.guestImage,
            versionDependencies: this.datastoreImages?.checks,
        }, { parent: this });

        const images: Record<string, ManagerImages> = {};
        if (this.datastoreImages) {
            for (const v of resolveVersions(args.datastores)) {
                images[v.manager] = {
                    dockerImage: this.datastoreImages.dockerImages[v.datastore],
                    backupDockerImage: this.datastoreImages.backupDockerImages[v.datastore],
                };
            }
        }
        this.config = new TroveConfig(`${name}-config`, {
            ...plan.config,
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
        }, { parent: this });

        this.tenantQuotas = Object.fromEntries(Object.entries(plan.tenantQuotas.limits).map(([project, limits]) => [project,
            new TroveTenantQuotas(`${name}-tenant-quotas-${project}`, {
                connection: args.trove.connection, projectId: project, limits, defaults: plan.tenantQuotas.defaults,
            }, { parent: this })]));

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
