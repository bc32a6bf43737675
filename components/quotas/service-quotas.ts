import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { isQuotaValue, Problem, show, throwIfProblems } from "../common/validation";

/**
 * The seeds' `openstack quota set --instances 200 --server-groups 200 --volumes 200 --secgroups 200
 * --ports 400 <trove-service-project>`.
 */
export const DEFAULT_SERVICE_QUOTAS = {
    instances: 200,
    serverGroups: 200,
    volumes: 200,
    securityGroups: 200,
    ports: 400,
} as const;

/**
 * The network and block-storage quota resources write every quota they own, and an unset one is
 * written as 0 (found against a real Neutron and Cinder: an unset `security_group_rule` or
 * `gigabytes` became 0 and blocked Trove). So each one has a value: the services' own defaults,
 * except where Trove's use of the service project needs more.
 */
export const DEFAULT_OTHER_QUOTAS = {
    // Trove gives every instance its own security group with a few rules: five per group.
    securityGroupRules: 5 * DEFAULT_SERVICE_QUOTAS.securityGroups,
    floatingIps: 50,
    networks: 100,
    subnets: 100,
    routers: 10,
    subnetPools: -1,
    rbacPolicies: 10,
    // Volume sizes are bounded per tenant by Trove (max_accepted_volume_size and its own quotas).
    gigabytes: -1,
    perVolumeGigabytes: -1,
    snapshots: 10,
    backups: 10,
    backupGigabytes: 1000,
    volumeGroups: 10,
} as const;

/** Every instance has two NICs: one on the user's network, one on the management network. */
export const PORTS_PER_INSTANCE = 2;
export const RULES_PER_SECURITY_GROUP = 5;

/** Quota values are whole numbers; -1 means unlimited. */
export interface QuotaValues {
    /** Nova instances. @default 200 */
    readonly instances?: number;
    /** Nova server groups (Trove makes one per cluster or replica set). @default 200 */
    readonly serverGroups?: number;
    /** Cinder volumes. @default 200 */
    readonly volumes?: number;
    /** Neutron security groups. @default 200 */
    readonly securityGroups?: number;
    /** Neutron ports; at least 2 x instances. @default 400 */
    readonly ports?: number;
    /** Neutron security group rules. @default 5 x securityGroups */
    readonly securityGroupRules?: number;
    /** Nova cores. @default left as Nova has it */
    readonly cores?: number;
    /** Nova RAM in MiB. @default left as Nova has it */
    readonly ramMb?: number;
    /** Cinder gigabytes. @default -1: Trove bounds volume sizes per tenant */
    readonly gigabytes?: number;
    /** @default -1 */
    readonly perVolumeGigabytes?: number;
    /** Cinder snapshots. @default 10 */
    readonly snapshots?: number;
    /** Cinder backups (Trove's backups go to Swift). @default 10 */
    readonly backups?: number;
    /** @default 1000 */
    readonly backupGigabytes?: number;
    /** Cinder volume groups. @default 10 */
    readonly volumeGroups?: number;
    /** @default 50 */
    readonly floatingIps?: number;
    /** @default 100 */
    readonly networks?: number;
    /** @default 100 */
    readonly subnets?: number;
    /** @default 10 */
    readonly routers?: number;
    /** @default -1 */
    readonly subnetPools?: number;
    /** @default 10 */
    readonly rbacPolicies?: number;
}

export interface ServiceQuotasArgs extends QuotaValues {
    /** The Trove service project whose quotas are set. */
    readonly projectId: pulumi.Input<string>;
}

const QUOTA_FIELDS: readonly (keyof QuotaValues)[] = [
    "instances", "serverGroups", "volumes", "securityGroups", "ports", "securityGroupRules", "cores", "ramMb",
    "gigabytes", "perVolumeGigabytes", "snapshots", "backups", "backupGigabytes", "volumeGroups",
    "floatingIps", "networks", "subnets", "routers", "subnetPools", "rbacPolicies",
];

type Resolved = Required<Omit<QuotaValues, "cores" | "ramMb">> & Pick<QuotaValues, "cores" | "ramMb">;

/** The quotas with defaults applied. */
export function resolveQuotas(values: QuotaValues): Resolved {
    const securityGroups = values.securityGroups ?? DEFAULT_SERVICE_QUOTAS.securityGroups;
    return {
        ...DEFAULT_SERVICE_QUOTAS,
        ...DEFAULT_OTHER_QUOTAS,
        securityGroupRules: securityGroups === -1 ? -1 : RULES_PER_SECURITY_GROUP * securityGroups,
        ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)),
    } as Resolved;
}

/** Every problem in `values`. Exported for testing. */
export function validateQuotaValues(values: QuotaValues): Problem[] {
    const problems: Problem[] = [];
    for (const field of QUOTA_FIELDS) {
        const value = values[field];
        if (value !== undefined && !isQuotaValue(value)) {
            problems.push({ path: field, message: `${show(value)} is not a quota: a whole number >= 0, or -1 for unlimited` });
        }
    }
    const known = new Set<string>(QUOTA_FIELDS);
    for (const field of Object.keys(values)) {
        if (!known.has(field) && field !== "projectId") {
            problems.push({ path: field, message: `is not a quota this package sets; known quotas: ${QUOTA_FIELDS.join(", ")}` });
        }
    }
    if (problems.length > 0) return problems;
    const q = resolveQuotas(values);
    if (q.ports !== -1 && (q.instances === -1 || q.ports < PORTS_PER_INSTANCE * q.instances)) {
        const need = q.instances === -1 ? "-1 (unlimited), as instances is unlimited" : `at least ${PORTS_PER_INSTANCE * q.instances}`;
        problems.push({
            path: "ports",
            message: `${q.ports} ports cannot serve ${q.instances === -1 ? "unlimited" : q.instances} instances with two NICs each; set ports to ${need}`,
        });
    }
    return problems;
}

/**
 * Compute, network and block-storage quotas of the Trove service project, which owns every VM,
 * port, security group and volume behind users' database instances.
 */
export class ServiceQuotas extends pulumi.ComponentResource {
    public readonly quotas: Resolved;

    constructor(name: string, args: ServiceQuotasArgs, opts?: pulumi.ComponentResourceOptions) {
        const { projectId, ...values } = args;
        throwIfProblems(`ServiceQuotas "${name}"`, validateQuotaValues(values));
        super("trove-region:quotas:ServiceQuotas", name, {}, opts);

        const q = resolveQuotas(values);
        new openstack.compute.QuotaSetV2(`${name}-compute`, {
            projectId,
            instances: q.instances,
            serverGroups: q.serverGroups,
            cores: q.cores,
            ram: q.ramMb,
        }, { parent: this });
        new openstack.networking.QuotaV2(`${name}-network`, {
            projectId,
            port: q.ports,
            securityGroup: q.securityGroups,
            securityGroupRule: q.securityGroupRules,
            floatingip: q.floatingIps,
            network: q.networks,
            subnet: q.subnets,
            router: q.routers,
            subnetpool: q.subnetPools,
            rbacPolicy: q.rbacPolicies,
        }, { parent: this });
        new openstack.blockstorage.QuoteSetV3(`${name}-block-storage`, {
            projectId,
            volumes: q.volumes,
            gigabytes: q.gigabytes,
            perVolumeGigabytes: q.perVolumeGigabytes,
            snapshots: q.snapshots,
            backups: q.backups,
            backupGigabytes: q.backupGigabytes,
            groups: q.volumeGroups,
        }, { parent: this });

        this.quotas = q;
        this.registerOutputs({ quotas: this.quotas });
    }
}
