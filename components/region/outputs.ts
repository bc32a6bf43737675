import * as pulumi from "@pulumi/pulumi";
import { TroveRegion } from "./trove-region";

/**
 * The stack outputs: a contract with the teams that deploy the controllers. Renaming or removing one
 * breaks their StackReferences, so the set is pinned by a test and documented in the README.
 */
export interface RegionOutputs {
    readonly managementNetworkId: pulumi.Output<string>;
    readonly managementSubnetId: pulumi.Output<string>;
    readonly managementCidr: string;
    readonly managementGatewayIp: string;
    readonly managementRouterId: pulumi.Output<string> | undefined;
    readonly controllerAddressRange: { readonly start: string; readonly end: string } | undefined;
    readonly managementSecurityGroupId: pulumi.Output<string>;
    readonly novaKeypairName: pulumi.Output<string>;
    /** Secret; only when the key was generated. */
    readonly novaKeypairPrivateKey: pulumi.Output<string> | undefined;
    readonly cinderVolumeType: pulumi.Output<string>;
    readonly registryAddress: string | undefined;
    readonly guestImageId: pulumi.Output<string>;
    readonly guestImageChecksum: pulumi.Output<string>;
    readonly datastoreVersionIds: Record<string, pulumi.Output<string>>;
    readonly defaultDatastoreVersions: Record<string, string>;
    readonly datastoreImages: Record<string, string> | undefined;
    readonly backupImages: Record<string, string> | undefined;
    /** Per `<datastore>-<version>`, the tags pushed and their digests, to pin or verify what guests pull. */
    readonly imageDigests: Record<string, PublishedImages> | undefined;
    /** Per `<manager>.cloudinit`, the file's text for the controllers' cloudinit_location; absent without cloudInit. */
    readonly cloudInitFiles: Record<string, string> | undefined;
    /** Secret: carries the RPC encryption keys. */
    readonly troveConf: pulumi.Output<string>;
    /** Secret when it carries the registry password. */
    readonly guestAgentConf: pulumi.Output<string>;
    /** Secret. */
    readonly taskmanagerRpcEncrKey: pulumi.Output<string>;
    /** Secret. */
    readonly instRpcKeyEncrKey: pulumi.Output<string>;
}

/** One version's images in the registry. */
export interface PublishedImages {
    readonly image: string;
    readonly digest: pulumi.Output<string>;
    readonly backupImage: string | undefined;
    readonly backupDigest: pulumi.Output<string> | undefined;
}

export const OUTPUT_NAMES: readonly (keyof RegionOutputs)[] = [
    "managementNetworkId", "managementSubnetId", "managementCidr", "managementGatewayIp", "managementRouterId",
    "controllerAddressRange", "managementSecurityGroupId", "novaKeypairName", "novaKeypairPrivateKey",
    "cinderVolumeType", "registryAddress", "guestImageId", "guestImageChecksum", "datastoreVersionIds",
    "defaultDatastoreVersions", "datastoreImages", "backupImages", "imageDigests", "cloudInitFiles", "troveConf", "guestAgentConf",
    "taskmanagerRpcEncrKey", "instRpcKeyEncrKey",
];

export function regionOutputs(region: TroveRegion): RegionOutputs {
    return {
        managementNetworkId: region.network.networkId,
        managementSubnetId: region.network.subnetId,
        managementCidr: region.network.cidr,
        managementGatewayIp: region.network.gatewayIp,
        managementRouterId: region.network.routerId,
        controllerAddressRange: region.network.controllerRange,
        managementSecurityGroupId: region.securityGroups.securityGroupId,
        novaKeypairName: region.keypair.keypairName,
        novaKeypairPrivateKey: region.keypair.privateKey,
        cinderVolumeType: region.volumeTypeName,
        registryAddress: region.registry?.address,
        guestImageId: region.guestImage.imageId,
        guestImageChecksum: region.guestImage.checksum,
        datastoreVersionIds: region.datastores.versionIds,
        defaultDatastoreVersions: region.datastores.defaultVersions,
        datastoreImages: region.datastoreImages?.dockerImages,
        backupImages: region.datastoreImages?.backupDockerImages,
        imageDigests: region.datastoreImages && Object.fromEntries(Object.entries(region.datastoreImages.published).map(([key, p]) => [key, {
            image: p.datastoreImage, digest: p.datastoreDigest, backupImage: p.backupImage, backupDigest: p.backupDigest,
        }])),
        cloudInitFiles: Object.keys(region.config.cloudInitFiles).length > 0 ? region.config.cloudInitFiles : undefined,
        troveConf: region.config.troveConf,
        guestAgentConf: region.config.guestAgentConf,
        taskmanagerRpcEncrKey: region.config.taskmanagerRpcEncrKey,
        instRpcKeyEncrKey: region.config.instRpcKeyEncrKey,
    };
}
