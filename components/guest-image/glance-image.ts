import * as pulumi from "@pulumi/pulumi";
import { fieldsOfImage, GlanceClient, type GlanceImageFields, imagePatch, sameTags } from "./glance-api";
import type { TroveConnection } from "../model/connection";

/** Inputs of one Glance image uploaded from a local file. */
export interface GlanceImageInputs {
    /** Keystone login Glance is called with (the Trove connection: same user, project and TLS settings). */
    readonly connection: pulumi.Input<TroveConnection>;
    readonly name: pulumi.Input<string>;
    readonly containerFormat: pulumi.Input<string>;
    readonly diskFormat: pulumi.Input<string>;
    readonly visibility: pulumi.Input<string>;
    readonly tags: pulumi.Input<pulumi.Input<string>[]>;
    readonly properties: pulumi.Input<Record<string, pulumi.Input<string>>>;
    readonly minDiskGb?: pulumi.Input<number>;
    readonly minRamMb?: pulumi.Input<number>;
    /** The image file, an absolute path on the machine that runs pulumi up. */
    readonly filePath: pulumi.Input<string>;
    /**
     * What identifies the file's content without reading it (a build's input hash, or a file's size
     * and modification time): a new stamp uploads the file again into a new image.
     */
    readonly fileStamp: pulumi.Input<string>;
}

/** What the provider stores: the fields, the file, the connection, and what Glance made of the upload. */
export interface GlanceImageState extends GlanceImageFields {
    readonly connection: TroveConnection;
    readonly filePath: string;
    readonly fileStamp: string;
    /** MD5 of the data, as Glance computed it and the upload's own hash confirmed. */
    readonly checksum: string;
    /** Bytes stored. */
    readonly size: number;
}

/** Settings Glance cannot change in place: a new value means a new image (made before the old one goes). */
export const REPLACE_FIELDS = ["filePath", "fileStamp", "containerFormat", "diskFormat"] as const;
/** Settings changed in place with a JSON patch. */
export const UPDATE_FIELDS = ["name", "visibility", "tags", "properties", "minDiskGb", "minRamMb"] as const;

type Compared = GlanceImageFields & { readonly filePath: string; readonly fileStamp: string };

/** Which fields changed, and which of those need a new image. Exported for testing: it is what a preview shows. */
export function diffImage(olds: Compared, news: Compared): { changes: string[]; replaces: string[] } {
    const changed = (field: (typeof REPLACE_FIELDS)[number] | (typeof UPDATE_FIELDS)[number]): boolean => {
        switch (field) {
            case "tags": return !sameTags(olds.tags ?? [], news.tags ?? []);
            case "properties": return JSON.stringify(sorted(olds.properties ?? {})) !== JSON.stringify(sorted(news.properties ?? {}));
            // Glance stores 0 for "no minimum".
            case "minDiskGb": case "minRamMb": return (olds[field] ?? 0) !== (news[field] ?? 0);
            default: return olds[field] !== news[field];
        }
    };
    const replaces = REPLACE_FIELDS.filter(changed);
    return { changes: [...replaces, ...UPDATE_FIELDS.filter(changed)], replaces: [...replaces] };
}

function sorted(record: Readonly<Record<string, string>>): [string, string][] {
    return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function fieldsFrom(s: GlanceImageState): GlanceImageFields {
    return {
        name: s.name,
        containerFormat: s.containerFormat,
        diskFormat: s.diskFormat,
        visibility: s.visibility,
        tags: [...(s.tags ?? [])],
        properties: { ...(s.properties ?? {}) },
        minDiskGb: s.minDiskGb || undefined,
        minRamMb: s.minRamMb || undefined,
    };
}

/** Drops undefined fields: the engine's wire format (a protobuf Struct) has no undefined. */
function defined<T extends object>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const provider: pulumi.dynamic.ResourceProvider<GlanceImageState, GlanceImageState> = {
    async create(inputs: GlanceImageState) {
        const glance = new GlanceClient(inputs.connection);
        const created = await glance.create(fieldsFrom(inputs));
        try {
            const sent = await glance.upload(created.id, inputs.filePath);
            const image = await glance.waitActive(created.id);
            // What the tf provider's verifyChecksum checked, without reading the file twice.
            if (image.checksum && image.checksum !== sent.md5) {
                throw new Error(`Glance stored ${image.size} bytes with MD5 ${image.checksum}, but ${sent.bytes} bytes with MD5 ${sent.md5} were sent from ${inputs.filePath}`);
            }
            return { id: created.id, outs: defined({ ...inputs, checksum: image.checksum ?? sent.md5, size: image.size ?? sent.bytes }) };
        } catch (e) {
            // No half-made image stays behind (a queued record would be found by its tags, not used).
            await glance.delete(created.id).catch(() => undefined);
            throw e;
        }
    },

    async read(id: string, props?: GlanceImageState) {
        if (!props) throw new Error(`cannot read Glance image ${id} without its recorded connection`);
        const image = await new GlanceClient(props.connection).get(id);
        // An empty result tells `pulumi refresh` the image was deleted out of band.
        if (!image || image.status === "deleted" || image.status === "killed") return {};
        const fields = fieldsOfImage(image, Object.keys(props.properties ?? {}));
        return { id, props: defined({ ...props, ...fields, checksum: image.checksum ?? props.checksum, size: image.size ?? props.size }) };
    },

    async diff(_id: string, olds: GlanceImageState, news: GlanceImageState) {
        const { changes, replaces } = diffImage(olds, news);
        // Datastore versions find the image by its tags: the new image comes first, then the old goes.
        return { changes: changes.length > 0, replaces, deleteBeforeReplace: false };
    },

    async update(id: string, olds: GlanceImageState, news: GlanceImageState) {
        await new GlanceClient(news.connection).update(id, imagePatch(fieldsFrom(olds), fieldsFrom(news)));
        return { outs: defined({ ...news, checksum: olds.checksum, size: olds.size }) };
    },

    async delete(id: string, props: GlanceImageState) {
        await new GlanceClient(props.connection).delete(id);
    },
};

/**
 * A Glance image uploaded from a local file through Glance's API: one streaming PUT, hashed as it
 * goes, then a short status poll. The OpenStack provider's image resource reads the whole file for
 * its MD5 before uploading it and waits a fixed 10 s before its first status poll (issue 17: half
 * the CLI's throughput); this one uploads at the speed of `openstack image create --file`.
 */
export class GlanceImage extends pulumi.dynamic.Resource {
    public readonly name!: pulumi.Output<string>;
    public readonly checksum!: pulumi.Output<string>;
    public readonly size!: pulumi.Output<number>;
    public readonly visibility!: pulumi.Output<string>;
    public readonly tags!: pulumi.Output<string[]>;

    constructor(name: string, args: GlanceImageInputs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { checksum: undefined, size: undefined, ...args, connection: pulumi.secret(args.connection) }, {
            ...opts,
            // The connection carries the password; keep it secret in the state's outputs too.
            additionalSecretOutputs: ["connection"],
        }, "trove-region", "GlanceImage");
    }
}
