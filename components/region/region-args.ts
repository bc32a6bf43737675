// The region's arguments: what TroveRegion takes, as a library or from the stack's configuration.
import * as pulumi from "@pulumi/pulumi";
import { ManagementNetworkArgs } from "../network/management-network";
import { ManagementSecurityGroupsArgs } from "../security/management-security-groups";
import { ManagementKeypairArgs } from "../keypair/management-keypair";
import { QuotaValues } from "../quotas/service-quotas";
import { RegistryArgs } from "../registry/registry";
import { DatastoreImagesArgs } from "../registry/datastore-images";
import { GuestImageArgs } from "../guest-image/guest-image";
import { TroveManageArgs } from "../datastores/datastores";
import { DatastoreVersionSpec } from "../model/datastore-spec";
import { TroveConnection } from "../model/connection";
import { CloudConfig } from "../config/cloud-init";
import { TroveQuotaLimits } from "../quotas/trove-tenant-quotas";

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
/**
 * How the region publishes datastore and backup images: DatastoreImages' own settings (their
 * documentation and defaults live there), but `dockerHost` defaults to the registry's engine when the
 * registry is created here.
 */
export type DatastoreImagesSettings = Pick<DatastoreImagesArgs, "backupContext" | "repository" | "dockerHost" | "buildNetwork" | "seriesTags">;

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
    /** The guest image; Glance is called with `trove.connection`. */
    readonly guestImage: Omit<GuestImageArgs, "datastores" | "connection">;
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
    /** Per Keystone project id, Trove quotas overriding trove.conf's per-tenant defaults. @default none */
    readonly tenantQuotas?: Readonly<Record<string, TroveQuotaLimits>>;
    /** Per datastore manager, cloud-config Trove adds to its guests' user data (`<manager>.cloudinit`). @default none */
    readonly cloudInit?: Readonly<Record<string, CloudConfig>>;
    /** The controllers' `cloudinit_location`. @default DEFAULT_CLOUDINIT_LOCATION ("/etc/trove/cloudinit") */
    readonly cloudInitLocation?: string;
    /** Bring your own RPC keys (secrets). @default generated */
    readonly rpcKeys?: { readonly taskmanagerRpcEncrKey?: pulumi.Input<string>; readonly instRpcKeyEncrKey?: pulumi.Input<string> };
}
