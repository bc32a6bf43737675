import * as pulumi from "@pulumi/pulumi";
import { TroveClient } from "../datastores/trove-api";
import { TroveConnection } from "../model/connection";
import { isQuotaValue, Problem, show } from "../common/validation";

/**
 * The resources Trove counts per project (trove/quota/quota.py), each defaulting to its
 * `max_<resource>_per_tenant` option in trove.conf.
 */
export const TROVE_QUOTA_RESOURCES = ["instances", "backups", "volumes", "ram"] as const;
export type TroveQuotaResource = (typeof TROVE_QUOTA_RESOURCES)[number];

/**
 * Limits for one project; -1 is unlimited. A resource left out keeps trove.conf's default.
 * `volumes` is gigabytes of Trove volumes, `ram` megabytes, as Trove counts them.
 */
export type TroveQuotaLimits = Partial<Record<TroveQuotaResource, number>>;

/** Trove 26's defaults for the options this package does not set (trove/common/cfg.py). */
export const TROVE_DEFAULT_QUOTAS: Readonly<Record<TroveQuotaResource, number>> = { instances: 10, backups: 50, volumes: 40, ram: -1 };

export interface TroveTenantQuotasInputs {
    readonly connection: pulumi.Input<TroveConnection>;
    /** The Keystone project whose limits are set. */
    readonly projectId: pulumi.Input<string>;
    readonly limits: pulumi.Input<TroveQuotaLimits>;
    /**
     * What the controllers' trove.conf makes the defaults: written back when a limit is removed or the
     * resource is deleted, since Trove's API has no "back to the default" call.
     */
    readonly defaults: pulumi.Input<Readonly<Record<TroveQuotaResource, number>>>;
}

interface QuotasState {
    readonly connection: TroveConnection;
    readonly projectId: string;
    readonly limits: TroveQuotaLimits;
    readonly defaults: Readonly<Record<TroveQuotaResource, number>>;
}

/** Every problem in one project's limits, paths relative to them. */
export function validateTroveQuotaLimits(limits: Readonly<Record<string, unknown>>): Problem[] {
    const problems: Problem[] = [];
    for (const [resource, value] of Object.entries(limits)) {
        if (!(TROVE_QUOTA_RESOURCES as readonly string[]).includes(resource)) {
            problems.push({ path: resource, message: `is not a resource Trove counts; it counts ${TROVE_QUOTA_RESOURCES.join(", ")}` });
        } else if (!isQuotaValue(value)) {
            problems.push({ path: resource, message: `${show(value)} is not a quota: a whole number >= 0, or -1 for unlimited` });
        }
    }
    return problems;
}

/**
 * The PUT body that takes a project from `olds` to `news`: changed and added limits, and the default
 * for every limit no longer managed. Exported for testing.
 */
export function quotaChanges(olds: TroveQuotaLimits, news: TroveQuotaLimits, defaults: Readonly<Record<TroveQuotaResource, number>>): TroveQuotaLimits {
    const body: TroveQuotaLimits = {};
    for (const resource of TROVE_QUOTA_RESOURCES) {
        const before = olds[resource];
        const after = news[resource];
        if (after !== undefined && after !== before) body[resource] = after;
        if (after === undefined && before !== undefined) body[resource] = defaults[resource];
    }
    return body;
}

function quotasPath(projectId: string): string {
    return `/mgmt/quotas/${encodeURIComponent(projectId)}`;
}

async function put(connection: TroveConnection, projectId: string, body: TroveQuotaLimits): Promise<void> {
    if (Object.keys(body).length > 0) await new TroveClient(connection).request("PUT", quotasPath(projectId), { quotas: body });
}

const provider: pulumi.dynamic.ResourceProvider<QuotasState, QuotasState> = {
    async create(inputs) {
        await put(inputs.connection, inputs.projectId, quotaChanges({}, inputs.limits, inputs.defaults));
        return { id: `${inputs.projectId}/trove-quotas`, outs: inputs };
    },
    async read(id, props) {
        if (!props) throw new Error(`cannot read Trove quotas ${id} without their recorded state`);
        const body = await new TroveClient(props.connection).request<{ quotas: { resource: string; limit: number }[] }>("GET", quotasPath(props.projectId));
        const live = new Map((body?.quotas ?? []).map((q) => [q.resource, q.limit]));
        // Only the managed limits: the others belong to trove.conf's defaults.
        const limits: TroveQuotaLimits = {};
        for (const resource of TROVE_QUOTA_RESOURCES) {
            if (props.limits[resource] !== undefined) limits[resource] = live.get(resource) ?? props.defaults[resource];
        }
        return { id, props: { ...props, limits } };
    },
    async diff(_id, olds, news) {
        const replaces = olds.projectId !== news.projectId ? ["projectId"] : [];
        const changed = TROVE_QUOTA_RESOURCES.filter((r) => olds.limits[r] !== news.limits[r]);
        return { changes: replaces.length > 0 || changed.length > 0, replaces, deleteBeforeReplace: true };
    },
    async update(_id, olds, news) {
        await put(news.connection, news.projectId, quotaChanges(olds.limits, news.limits, news.defaults));
        return { outs: news };
    },
    async delete(_id, props) {
        await put(props.connection, props.projectId, quotaChanges(props.limits, {}, props.defaults));
    },
};

/**
 * One project's Trove quotas (`PUT /v1.0/{admin project}/mgmt/quotas/{project}`), overriding
 * trove.conf's `max_*_per_tenant` defaults for that project. Refresh reads the limits back, so a
 * change made out of band shows as drift and the next `up` restores it; delete writes the defaults back.
 */
export class TroveTenantQuotas extends pulumi.dynamic.Resource {
    public readonly projectId!: pulumi.Output<string>;
    public readonly limits!: pulumi.Output<TroveQuotaLimits>;

    constructor(name: string, args: TroveTenantQuotasInputs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { ...args, connection: pulumi.secret(args.connection) }, {
            ...opts,
            additionalSecretOutputs: ["connection"],
        }, "trove-region", "TroveTenantQuotas");
    }
}
