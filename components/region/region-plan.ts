// One plan of the region: the region's arguments turned, once, into each child component's
// arguments. Validation and TroveRegion's constructor both use it, so they cannot disagree.
import { DEFAULT_MAX_INSTANCES, ManagementNetworkArgs, validateManagementNetworkArgs } from "../network/management-network";
import { ManagementSecurityGroupsArgs, validateManagementSecurityGroupsArgs } from "../security/management-security-groups";
import { ManagementKeypairArgs, validateManagementKeypairArgs } from "../keypair/management-keypair";
import { PORTS_PER_INSTANCE, QuotaValues, validateQuotaValues } from "../quotas/service-quotas";
import { RegistryArgs, registryAddress, registryInsecure, validateRegistryArgs } from "../registry/registry";
import { DatastoreImagesArgs, validateDatastoreImagesArgs } from "../registry/datastore-images";
import { GuestImageArgs, validateGuestImageArgs } from "../guest-image/guest-image";
import { DatastoresArgs, validateDatastoresArgs } from "../datastores/datastores";
import { resolveVersions } from "../model/datastore-spec";
import { TroveConfigArgs, validateTroveConfigArgs } from "../config/trove-config";
import { checkOpenStackName } from "../common/names";
import { nested, Problem, show } from "../common/validation";
import { TROVE_DEFAULT_QUOTAS, TroveQuotaLimits, TroveQuotaResource, validateTroveQuotaLimits } from "../quotas/trove-tenant-quotas";
import { DEFAULT_MAX_BACKUPS_PER_TENANT, DEFAULT_MAX_INSTANCES_PER_TENANT } from "../config/trove-config";
import { TroveRegionArgs, VolumeTypeArgs } from "./region-args";
import { egressReachProblems } from "../security/egress-reach";

/** Quotas with the region's defaults: instances follow maxInstances, ports follow instances. */
export function regionQuotas(args: Pick<TroveRegionArgs, "quotas" | "maxInstances">): QuotaValues {
    const instances = args.quotas?.instances ?? args.maxInstances ?? DEFAULT_MAX_INSTANCES;
    const ports = args.quotas?.ports ?? (instances === -1 ? -1 : PORTS_PER_INSTANCE * instances);
    return { ...args.quotas, instances, ports };
}

/** The TroveConfig settings known before anything is created; the rest are other children's outputs. */
export type PlannedTroveConfig = Pick<TroveConfigArgs, "managers" | "maxInstancesPerTenant" | "maxBackupsPerTenant" | "defaultDatastore"
    | "taskmanagerRpcEncrKey" | "instRpcKeyEncrKey" | "cloudInit" | "cloudInitLocation">;

/** Each child's arguments, minus what only exists once another child is created (ids, outputs). */
export interface RegionPlan {
    readonly network: Omit<ManagementNetworkArgs, "projectId">;
    readonly securityGroups: Omit<ManagementSecurityGroupsArgs, "projectId">;
    readonly keypair: Omit<ManagementKeypairArgs, "userId">;
    readonly quotas: QuotaValues;
    readonly volumeType: VolumeTypeArgs;
    readonly registry?: RegistryArgs;
    /** Present when images are published and there is a registry to publish into. */
    readonly datastoreImages?: Omit<DatastoreImagesArgs, "credentials">;
    readonly guestImage: GuestImageArgs;
    readonly datastores: Omit<DatastoresArgs, "connection" | "imageId" | "imageDependency" | "versionDependencies">;
    readonly config: PlannedTroveConfig;
    /** Per project id, its limits; the defaults are what troveConf makes them. */
    readonly tenantQuotas: { readonly limits: Readonly<Record<string, TroveQuotaLimits>>; readonly defaults: Readonly<Record<TroveQuotaResource, number>> };
}

export function planRegion(args: TroveRegionArgs): RegionPlan {
    const versions = resolveVersions(args.datastores ?? []);
    const registry = args.registry;
    return {
        network: { ...args.managementNetwork, maxInstances: args.maxInstances, controllers: args.controllers },
        securityGroups: { ...args.securityGroups },
        keypair: { ...args.keypair },
        quotas: regionQuotas(args),
        volumeType: { ...args.volumeType },
        registry,
        datastoreImages: args.datastoreImages && registry && {
            registry: registryAddress(registry),
            insecure: registryInsecure(registry),
            versions: args.datastores,
            repository: args.datastoreImages.repository,
            backupContext: args.datastoreImages.backupContext,
            dockerHost: args.datastoreImages.dockerHost ?? (registry.mode === "create" ? registry.dockerHost : undefined),
            buildNetwork: args.datastoreImages.buildNetwork,
            seriesTags: args.datastoreImages.seriesTags,
        },
        // Glance is called with the Trove connection: the same login the OpenStack provider uses.
        guestImage: { ...args.guestImage, connection: args.trove?.connection, datastores: [...new Set(versions.map((v) => v.datastore))] },
        datastores: { versions: args.datastores, parametersDir: args.trove?.parametersDir, troveManage: args.trove?.troveManage },
        config: {
            managers: versions.map((v) => v.manager),
            maxInstancesPerTenant: args.limits?.maxInstancesPerTenant,
            maxBackupsPerTenant: args.limits?.maxBackupsPerTenant,
            defaultDatastore: args.limits?.defaultDatastore,
            taskmanagerRpcEncrKey: args.rpcKeys?.taskmanagerRpcEncrKey,
            instRpcKeyEncrKey: args.rpcKeys?.instRpcKeyEncrKey,
            cloudInit: args.cloudInit,
            cloudInitLocation: args.cloudInitLocation,
        },
        tenantQuotas: {
            limits: args.tenantQuotas ?? {},
            defaults: {
                ...TROVE_DEFAULT_QUOTAS,
                instances: args.limits?.maxInstancesPerTenant ?? DEFAULT_MAX_INSTANCES_PER_TENANT,
                backups: args.limits?.maxBackupsPerTenant ?? DEFAULT_MAX_BACKUPS_PER_TENANT,
            },
        },
    };
}

/**
 * Where a child's argument comes from among the region's settings: its argument path (the longest
 * match wins, "" is the child's own key) to the setting's path, or null when the argument is derived
 * from a setting that another check already reports.
 */
export type Origins = Readonly<Record<string, string | null>>;

export const ORIGINS = {
    network: { "": "managementNetwork", maxInstances: "maxInstances", controllers: "controllers" },
    securityGroups: { "": "securityGroups" },
    keypair: { "": "keypair" },
    quotas: { "": "quotas" },
    volumeType: { "": "volumeType" },
    registry: { "": "registry", "credentials.password": "registryPassword" },
    // The registry's address and the versions are the registry's and the datastores' to report.
    datastoreImages: { "": "datastoreImages", registry: null, insecure: null, versions: null },
    // The image's datastores are the datastores' names; its connection is trove.connection.
    guestImage: { "": "guestImage", datastores: null, connection: "trove.connection" },
    datastores: { "": "trove", versions: "datastores" },
    config: { "": "limits", managers: null, images: null, cloudInit: "cloudInit", cloudInitLocation: "cloudInitLocation" },
    tenantQuotas: { "": "tenantQuotas", defaults: null },
} as const satisfies Record<keyof RegionPlan, Origins>;

/** The setting a child's problem belongs to, or undefined when another check reports it. */
export function locate(problem: Problem, origins: Origins): Problem | undefined {
    const match = Object.keys(origins)
        .filter((arg) => arg === "" || problem.path === arg || problem.path.startsWith(`${arg}.`) || problem.path.startsWith(`${arg}[`))
        .sort((a, b) => b.length - a.length)[0];
    const setting = origins[match];
    if (setting === null) return undefined;
    const rest = problem.path.slice(match.length);
    const path = match === "" ? (rest ? (rest.startsWith("[") ? `${setting}${rest}` : `${setting}.${rest}`) : setting) : `${setting}${rest}`;
    return { path, message: problem.message };
}

export function validateVolumeTypeArgs(args: VolumeTypeArgs): Problem[] {
    const wrong = args.name === undefined ? undefined : checkOpenStackName(args.name);
    return wrong ? [{ path: "name", message: wrong }] : [];
}

/** Each child's own validation of its planned arguments; a child without its required setting is skipped (reported once, as missing). */
function childProblems(args: TroveRegionArgs, plan: RegionPlan): Record<keyof RegionPlan, Problem[]> {
    return {
        network: args.managementNetwork ? validateManagementNetworkArgs(plan.network) : [],
        securityGroups: validateManagementSecurityGroupsArgs(plan.securityGroups),
        keypair: validateManagementKeypairArgs(plan.keypair),
        quotas: validateQuotaValues(plan.quotas),
        volumeType: validateVolumeTypeArgs(plan.volumeType),
        registry: plan.registry ? validateRegistryArgs(plan.registry) : [],
        datastoreImages: plan.datastoreImages ? validateDatastoreImagesArgs(plan.datastoreImages) : [],
        guestImage: args.guestImage ? validateGuestImageArgs(plan.guestImage) : [],
        datastores: validateDatastoresArgs(plan.datastores),
        config: validateTroveConfigArgs(plan.config),
        tenantQuotas: Object.entries(plan.tenantQuotas.limits).flatMap(([project, limits]) => nested(project, validateTroveQuotaLimits(limits))),
    };
}

/** Rules across children: what no single child can see. */
function regionProblems(args: TroveRegionArgs, plan: RegionPlan): Problem[] {
    const problems: Problem[] = [];
    if (!args.managementNetwork) problems.push({ path: "managementNetwork", message: "is required: at least { routing: { mode: ... } }" });
    if (!args.guestImage) problems.push({ path: "guestImage", message: "is required: { source: { mode: \"build\" | \"file\" | \"url\", ... } }" });
    const maxInstances = args.maxInstances ?? DEFAULT_MAX_INSTANCES;
    const instances = plan.quotas.instances;
    if (instances !== undefined && instances !== -1 && instances > maxInstances) {
        problems.push({
            path: "quotas.instances",
            message: `${instances} is more than maxInstances (${maxInstances}), for which the management subnet is sized; raise maxInstances or lower the quota`,
        });
    }
    if (args.datastoreImages && !args.registry) {
        problems.push({ path: "datastoreImages", message: "needs a registry to publish into; set registry (mode \"create\" or \"existing\")" });
    }
    for (const [project, limits] of Object.entries(args.tenantQuotas ?? {})) {
        const instances = limits.instances;
        if (instances !== undefined && instances !== -1 && instances > maxInstances) {
            problems.push({ path: `tenantQuotas.${project}.instances`, message: `${instances} is more than maxInstances (${maxInstances}), for which the management subnet is sized; raise maxInstances or lower the quota` });
        }
    }
    // Restricted egress under network isolation: what the region knows guests must reach.
    problems.push(...nested("securityGroups.egress", egressReachProblems(args.securityGroups?.egress, {
        registry: plan.registry ? registryAddress(plan.registry) : undefined,
        dnsServers: args.managementNetwork?.dnsServers,
    })));
    const defaultDatastore = args.limits?.defaultDatastore;
    if (defaultDatastore !== undefined && !(args.datastores ?? []).some((d) => d.datastore === defaultDatastore)) {
        problems.push({ path: "limits.defaultDatastore", message: `${show(defaultDatastore)} is not one of the configured datastores` });
    }
    return problems;
}

/**
 * Every problem in the region's settings, each named by its setting's path (`managementNetwork.cidr`),
 * which is also its config key: the children's own checks of the plan, then the rules across them.
 * Reads the files the settings name. A problem two children find in one setting is reported once.
 */
export function validateTroveRegionArgs(args: TroveRegionArgs): Problem[] {
    const plan = planRegion(args);
    const children = childProblems(args, plan);
    const located = (Object.keys(children) as (keyof RegionPlan)[])
        .flatMap((child) => children[child].map((p) => locate(p, ORIGINS[child])))
        .filter((p): p is Problem => p !== undefined);
    const seen = new Set<string>();
    return [...regionProblems(args, plan), ...located].filter((p) => {
        const key = `${p.path}\0${p.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}
