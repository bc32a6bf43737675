import * as pulumi from "@pulumi/pulumi";
import { parameterBody, ParameterRule } from "./validation-rules";
import { TroveApiError, TroveClient } from "./trove-api";
import { TroveConnection } from "../model/connection";

export interface DatastoreParametersInputs {
    readonly connection: pulumi.Input<TroveConnection>;
    /** The datastore version's id. */
    readonly versionId: pulumi.Input<string>;
    /** Integer and string rules only: the types Trove's REST API accepts. */
    readonly rules: pulumi.Input<ParameterRule[]>;
}

interface ParametersState {
    readonly connection: TroveConnection;
    readonly versionId: string;
    readonly rules: ParameterRule[];
}

/** Rules added, changed and removed between two sets, by name. Exported for testing. */
export function diffRules(olds: readonly ParameterRule[], news: readonly ParameterRule[]): { added: ParameterRule[]; changed: ParameterRule[]; removed: string[] } {
    const before = new Map(olds.map((r) => [r.name, r]));
    const after = new Map(news.map((r) => [r.name, r]));
    const same = (a: ParameterRule, b: ParameterRule): boolean =>
        a.type === b.type && a.restartRequired === b.restartRequired && a.min === b.min && a.max === b.max;
    return {
        added: news.filter((r) => !before.has(r.name)),
        changed: news.filter((r) => before.has(r.name) && !same(before.get(r.name)!, r)),
        removed: olds.filter((r) => !after.has(r.name)).map((r) => r.name),
    };
}

function parametersPath(versionId: string, name?: string): string {
    const base = `/mgmt/datastores/versions/${encodeURIComponent(versionId)}/parameters`;
    return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

async function apply(client: TroveClient, versionId: string, olds: readonly ParameterRule[], news: readonly ParameterRule[]): Promise<void> {
    const { added, changed, removed } = diffRules(olds, news);
    for (const rule of added) await client.request("POST", parametersPath(versionId), parameterBody(rule));
    for (const rule of changed) await client.request("PUT", parametersPath(versionId, rule.name), parameterBody(rule));
    for (const name of removed) {
        try {
            await client.request("DELETE", parametersPath(versionId, name));
        } catch (e) {
            // Trove answers 400 for a name it does not have, 404 when the version is gone too:
            // already gone is what we wanted.
            if (!(e instanceof TroveApiError && (e.status === 400 || e.notFound))) throw e;
        }
    }
}

const provider: pulumi.dynamic.ResourceProvider<ParametersState, ParametersState> = {
    async create(inputs) {
        await apply(new TroveClient(inputs.connection), inputs.versionId, [], inputs.rules);
        return { id: `${inputs.versionId}/parameters`, outs: inputs };
    },
    async read(id, props) {
        if (!props) throw new Error(`cannot read datastore parameters ${id} without their recorded state`);
        const client = new TroveClient(props.connection);
        let body;
        try {
            body = await client.request<{ "configuration-parameters": { name: string; type: string; restart_required: boolean | number; min?: number; max?: number; deleted?: boolean | number }[] }>(
                "GET", parametersPath(props.versionId));
        } catch (e) {
            // The version itself is gone, and its parameters with it.
            if (e instanceof TroveApiError && e.notFound) return {};
            throw e;
        }
        const live = new Map((body?.["configuration-parameters"] ?? []).filter((p) => !p.deleted).map((p) => [p.name, p]));
        const rules = props.rules.filter((r) => live.has(r.name)).map((r) => {
            const p = live.get(r.name)!;
            return { ...r, type: p.type as ParameterRule["type"], restartRequired: Boolean(p.restart_required) };
        });
        return { id, props: { ...props, rules } };
    },
    async diff(_id, olds, news) {
        const { added, changed, removed } = diffRules(olds.rules, news.rules);
        const replaces = olds.versionId !== news.versionId ? ["versionId"] : [];
        return { changes: added.length + changed.length + removed.length > 0 || replaces.length > 0, replaces };
    },
    async update(_id, olds, news) {
        await apply(new TroveClient(news.connection), news.versionId, olds.rules, news.rules);
        return { outs: news };
    },
    async delete(_id, props) {
        await apply(new TroveClient(props.connection), props.versionId, props.rules, []);
    },
};

/** The REST-loadable configuration parameters of one datastore version. */
export class DatastoreParameters extends pulumi.dynamic.Resource {
    public readonly versionId!: pulumi.Output<string>;
    public readonly rules!: pulumi.Output<ParameterRule[]>;

    constructor(name: string, args: DatastoreParametersInputs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { ...args, connection: pulumi.secret(args.connection) }, {
            ...opts,
            additionalSecretOutputs: ["connection"],
        }, "trove-region", "DatastoreParameters");
    }
}
