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

/** Every instance has two NICs: one on the user's network, one on the management network. */
export const PORTS_PER_INSTANCE = 2;

/** Quota values are whole numbers; -1 means unlimited. Unset optional quotas are left as they are. */
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
    /** Nova cores. @default left unchanged */
    readonly cores?: number;
    /** Nova RAM in MiB. @default left unchanged */
    readonly ramMb?: number;
    /** Cinder gigabytes. @default left unchanged */
    readonly gigabytes?: number;
    /** Cinder snapshots. @default left unchanged */
    readonly snapshots?: number;
    /** Neutron security group rules. @default left unchanged */
    readonly securityGroupRules?: number;
}

export interface ServiceQuotasArgs extends QuotaValues {
    /** The Trove service project whose quotas are set. */
    readonly projectId: pulumi.Input<string>;
}

const QUOTA_FIELDS: readonly (keyof QuotaValues)[] = [
    "instances", "serverGroups", "volumes", "securityGroups", "ports",
    "cores", "ramMb", "gigabytes", "snapshots", "securityGroupRules",
];

/** The quotas with defaults applied. */
export function resolveQuotas(values: QuotaValues): Required<Pick<QuotaValues, keyof typeof DEFAULT_SERVICE_QUOTAS>> & QuotaValues {
    return { ...values, ...Object.fromEntries(
        Object.entries(DEFAULT_SERVICE_QUOTAS).map(([k, v]) => [k, values[k as keyof QuotaValues] ?? v]),
    ) } as Required<Pick<QuotaValues, keyof typeof DEFAULT_SERVICE_QUOTAS>> & QuotaValues;
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
    public readonly quotas: QuotaValues;

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
        }, { parent: this });
        new openstack.blockstorage.QuoteSetV3(`${name}-block-storage`, {
            projectId,
            volumes: q.volumes,
            gigabytes: q.gigabytes,
            snapshots: q.snapshots,
        }, { parent: this });

        this.quotas = q;
        this.registerOutputs({ quotas: this.quotas });
    }
}
