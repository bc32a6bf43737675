// The package's public API: what another stack program imports (`import { TroveRegion } from
// "trove-region"`). Named, not `export *`: the components, their Args, defaults and validators, the
// region's plan and configuration reader, and the outputs contract. Clients, quoting, rendering and
// digests stay internal; tests import those by path. Importing this runs nothing.

// Problems and validation.
export { type Problem, ValidationError, throwIfProblems } from "./common/validation";

// The shared model.
export { type TroveConnection } from "./model/connection";
export {
    CONTAINER_MANAGERS, type ContainerManager, type DatastoreVersionSpec, MAX_IMAGE_TAGS, MAX_IMAGE_TAG_LENGTH, type ResolvedDatastoreVersion,
    TROVE_IMAGE_TAG, TROVE_REGISTRY_EXT_DEFAULTS, TROVE_REPLICATION_STRATEGIES, checkRegistryExt, checkReplicationStrategy,
    replicationStrategyPath, resolveVersions, validateDatastoreVersions, versionKey,
} from "./model/datastore-spec";
export { DEFAULT_REPOSITORY, backupImage, datastoreImage } from "./model/image-names";

// Management network.
export { type SubnetDemand, type SubnetPlan, parseCidr, planSubnet } from "./network/cidr";
export {
    DEFAULT_CONTROLLERS, DEFAULT_DHCP_PORTS, DEFAULT_MANAGEMENT_CIDR, DEFAULT_MANAGEMENT_NETWORK_NAME, DEFAULT_MAX_INSTANCES,
    LARGEST_MANAGEMENT_PREFIX, ManagementNetwork, type ManagementNetworkArgs, type ManagementRouting, maxPlannableInstances,
    validateManagementNetworkArgs,
} from "./network/management-network";

// Management security group.
export {
    DEFAULT_MIN_INGRESS_PREFIX, type EgressDestination, type EgressPolicy, METADATA_EGRESS, type MinIngressPrefix, type RuleInputs, type RuleSpec,
    managementRules, validateRuleInputs,
} from "./security/rules";
export {
    DEFAULT_SECURITY_GROUP_NAME, ManagementSecurityGroups, type ManagementSecurityGroupsArgs, validateManagementSecurityGroupsArgs,
} from "./security/management-security-groups";

// Keypair and quotas.
export { DEFAULT_KEYPAIR_NAME, ManagementKeypair, type ManagementKeypairArgs, validateManagementKeypairArgs } from "./keypair/management-keypair";
export {
    DEFAULT_OTHER_QUOTAS, DEFAULT_SERVICE_QUOTAS, PORTS_PER_INSTANCE, type QuotaValues, ServiceQuotas, type ServiceQuotasArgs, validateQuotaValues,
} from "./quotas/service-quotas";
export {
    TROVE_DEFAULT_QUOTAS, TROVE_QUOTA_RESOURCES, type TroveQuotaLimits, type TroveQuotaResource, TroveTenantQuotas, type TroveTenantQuotasInputs,
    quotaChanges, validateTroveQuotaLimits,
} from "./quotas/trove-tenant-quotas";
export { type CloudConfig, DEFAULT_CLOUDINIT_LOCATION, cloudInitFileName, validateCloudInit } from "./config/cloud-init";

// Registry and images.
export {
    type CreatedRegistryArgs, DEFAULT_LISTEN_ADDRESS, DEFAULT_REGISTRY_CONTAINER_NAME, DEFAULT_REGISTRY_IMAGE, DEFAULT_REGISTRY_PORT,
    type ExistingRegistryArgs, Registry, type RegistryArgs, type RegistryCredentials, registryAddress, registryInsecure, validateRegistryArgs,
} from "./registry/registry";
export { DatastoreImages, type DatastoreImagesArgs, type PublishedVersion, validateDatastoreImagesArgs } from "./registry/datastore-images";

// Guest image.
export { DEFAULT_GUEST_RELEASE, GUEST_RELEASES, type TrovestackOptions } from "./guest-image/build-inputs";
export {
    type BuiltImageSource, DEFAULT_CLOUD_INIT_DATASOURCES, DEFAULT_GUEST_IMAGE_NAME, DEFAULT_IMAGE_PROPERTIES, GuestImage, type GuestImageArgs,
    type GuestImageSource, imageTags, validateGuestImageArgs,
} from "./guest-image/guest-image";

// Datastores.
export { Datastores, type DatastoresArgs, TROVE_TEMPLATES_IN_VENV, type TroveManageArgs, validateDatastoresArgs, validateTroveManageArgs } from "./datastores/datastores";

// trove.conf and trove-guestagent.conf.
export {
    DEFAULT_MAX_BACKUPS_PER_TENANT, DEFAULT_MAX_INSTANCES_PER_TENANT, type GuestRegistry, type ManagerImages, TroveConfig, type TroveConfigArgs,
    managerSettings, validateTroveConfigArgs,
} from "./config/trove-config";

// The region: arguments, plan, component, configuration, outputs.
export { DEFAULT_VOLUME_TYPE_NAME, type DatastoreImagesSettings, type TroveRegionArgs, type VolumeTypeArgs } from "./region/region-args";
export { ORIGINS, type Origins, type RegionPlan, locate, planRegion, regionQuotas, validateTroveRegionArgs, validateVolumeTypeArgs } from "./region/region-plan";
export { TroveRegion } from "./region/trove-region";
export { BOOLEAN_WORDS, CONFIG_NAMESPACE, type KeyDoc, type StackConfig, stackConfigSchema } from "./region/config-schema";
export {
    type RawStackConfig, type StackSettings, loadRegionConfig, parseStackConfig, rawStackConfig, readRegionConfig, regionArgsFrom,
} from "./region/region-config";
export { type OpenStackConfigSource, troveConnectionFrom } from "./region/trove-connection";
export { OUTPUT_NAMES, type PublishedImages, type RegionOutputs, regionOutputs } from "./region/outputs";
