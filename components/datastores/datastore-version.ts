import * as pulumi from "@pulumi/pulumi";
import { DatastoreVersionFields, fieldsOf, sameList, TROVE_FILLED_FIELDS, TroveClient, updateVersionBody } from "./trove-api";
import { TroveConnection } from "../model/connection";
import { troveDefaultsFor } from "../model/datastore-spec";

/** Inputs of one datastore version resource. */
export interface DatastoreVersionInputs {
    readonly connection: pulumi.Input<TroveConnection>;
    readonly datastore: pulumi.Input<string>;
    readonly name: pulumi.Input<string>;
    readonly manager: pulumi.Input<string>;
    readonly versionNumber: pulumi.Input<string>;
    /** Pin one Glance image; cannot be combined with imageTags. */
    readonly image?: pulumi.Input<string>;
    /** Trove picks the newest active image carrying all of them. */
    readonly imageTags?: pulumi.Input<pulumi.Input<string>[]>;
    readonly packages?: pulumi.Input<pulumi.Input<string>[]>;
    readonly active: pulumi.Input<boolean>;
    readonly default: pulumi.Input<boolean>;
    /** Trove's `registry_ext`. @default unmanaged: Trove's default for the manager stays */
    readonly registryExt?: pulumi.Input<string>;
    /** Trove's `repl_strategy`, a full import path. @default unmanaged: trove.conf's default for the manager stays */
    readonly replicationStrategy?: pulumi.Input<string>;
}

/** What the provider stores: the fields plus the connection it needs to read and delete later. */
export interface DatastoreVersionState extends DatastoreVersionFields {
    readonly connection: TroveConnection;
    readonly datastoreId: string;
}

/** Fields Trove cannot change in place: a new value means a new version. */
export const REPLACE_FIELDS = ["datastore", "versionNumber"] as const;
/** Fields Trove changes in place (`PATCH /mgmt/datastore-versions/{id}`). */
export const UPDATE_FIELDS = ["name", "manager", "image", "imageTags", "packages", "active", "default", ...TROVE_FILLED_FIELDS] as const;

/**
 * Which fields changed, and whether the change needs a replacement. Exported for testing: the diff
 * decides what `pulumi preview` shows, so it is worth testing on its own. registryExt and
 * replicationStrategy count only when the new inputs set them: unset, Trove fills in its default,
 * which a refresh reads into the state, and that must not show as a change on every preview.
 */
export function diffVersion(olds: DatastoreVersionFields, news: DatastoreVersionFields): { changes: string[]; replaces: string[] } {
    const changed = (field: keyof DatastoreVersionFields): boolean => {
        const a = olds[field];
        const b = news[field];
        if ((TROVE_FILLED_FIELDS as readonly string[]).includes(field) && b === undefined) return false;
        if (Array.isArray(a) || Array.isArray(b)) return !sameList(a as string[] | undefined, b as string[] | undefined);
        return (a ?? undefined) !== (b ?? undefined);
    };
    const replaces = REPLACE_FIELDS.filter(changed);
    const changes = [...replaces, ...UPDATE_FIELDS.filter(changed)];
    return { changes, replaces: [...replaces] };
}

/** Drops undefined fields: the engine's wire format (a protobuf Struct) has no undefined. */
function defined<T extends object>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function fieldsFrom(inputs: DatastoreVersionState | Record<string, unknown>): DatastoreVersionFields {
    const i = inputs as DatastoreVersionFields;
    return {
        datastore: i.datastore,
        name: i.name,
        manager: i.manager,
        versionNumber: i.versionNumber,
        image: i.image || undefined,
        imageTags: i.image ? undefined : [...(i.imageTags ?? [])],
        packages: [...(i.packages ?? [])],
        active: i.active,
        default: i.default,
        registryExt: i.registryExt || undefined,
        replicationStrategy: i.replicationStrategy || undefined,
    };
}

const provider: pulumi.dynamic.ResourceProvider<DatastoreVersionState, DatastoreVersionState> = {
    async create(inputs: DatastoreVersionState) {
        const client = new TroveClient(inputs.connection);
        const created = await client.createVersion(fieldsFrom(inputs));
        // The outputs record what Trove stored for settings left unset (its defaults for the manager).
        const stored = fieldsOf(created);
        return {
            id: created.id,
            outs: defined({
                ...inputs,
                registryExt: inputs.registryExt ?? stored.registryExt,
                replicationStrategy: inputs.replicationStrategy ?? stored.replicationStrategy,
                datastoreId: created.datastore_id,
            }),
        };
    },

    async read(id: string, props?: DatastoreVersionState) {
        if (!props) throw new Error(`cannot read datastore version ${id} without its recorded connection`);
        const client = new TroveClient(props.connection);
        const found = await client.getVersion(id);
        // An empty result tells `pulumi refresh` the version was deleted out of band.
        if (!found) return {};
        return { id, props: defined({ ...props, ...fieldsOf(found), datastoreId: found.datastore_id }) };
    },

    async diff(_id: string, olds: DatastoreVersionState, news: DatastoreVersionState) {
        const { changes, replaces } = diffVersion(fieldsFrom(olds), fieldsFrom(news));
        return {
            changes: changes.length > 0,
            replaces,
            // Trove refuses two versions with one name and number in a datastore.
            deleteBeforeReplace: replaces.length > 0,
        };
    },

    async update(id: string, olds: DatastoreVersionState, news: DatastoreVersionState) {
        const client = new TroveClient(news.connection);
        const before = fieldsFrom(olds);
        const after = fieldsFrom(news);
        // When the manager changes, Trove would keep the old manager's registry_ext and repl_strategy.
        const defaults = before.manager === after.manager ? {} : troveDefaultsFor(after.manager);
        const body = updateVersionBody(before, after, defaults);
        await client.updateVersion(id, body);
        return {
            outs: defined({
                ...news,
                // Unset settings: what was sent, or else what Trove kept.
                registryExt: after.registryExt ?? (body.registry_ext as string | undefined) ?? before.registryExt,
                replicationStrategy: after.replicationStrategy ?? (body.repl_strategy as string | undefined) ?? before.replicationStrategy,
                datastoreId: olds.datastoreId,
            }),
        };
    },

    async delete(id: string, props: DatastoreVersionState) {
        await new TroveClient(props.connection).deleteVersion(id);
    },
};

/**
 * A Trove datastore version, managed through Trove's management REST API (no trove-manage on the
 * controller). The datastore is created with its first version. Trove has no Pulumi or Terraform
 * resource for this, hence a dynamic provider.
 */
export class DatastoreVersion extends pulumi.dynamic.Resource {
    public readonly datastoreId!: pulumi.Output<string>;
    public readonly datastore!: pulumi.Output<string>;
    public readonly name!: pulumi.Output<string>;
    public readonly versionNumber!: pulumi.Output<string>;
    public readonly active!: pulumi.Output<boolean>;
    public readonly default!: pulumi.Output<boolean>;
    /** What Trove stores as `registry_ext`: the input, or Trove's default when unset. */
    public readonly registryExt!: pulumi.Output<string | undefined>;
    /** What Trove stores as `repl_strategy` (a full import path): the input, or Trove's default when unset. */
    public readonly replicationStrategy!: pulumi.Output<string | undefined>;

    constructor(name: string, args: DatastoreVersionInputs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { datastoreId: undefined, registryExt: undefined, replicationStrategy: undefined, ...args, connection: pulumi.secret(args.connection) }, {
            ...opts,
            // The connection carries the password; keep it secret in the state's outputs too.
            additionalSecretOutputs: ["connection"],
        }, "trove-region", "DatastoreVersion");
    }
}
