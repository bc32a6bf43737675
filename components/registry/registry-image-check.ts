import * as pulumi from "@pulumi/pulumi";
import { RegistryAccess, tagExists } from "../common/registry-client";

/** One image guests will pull: satisfied by the first of its tags the registry has. */
export interface ImageRequirement {
    /** What needs it, for the message: e.g. "datastore image of mariadb 11.8-live". */
    readonly purpose: string;
    /** Repository path inside the registry, e.g. "trove-datastores/mariadb". */
    readonly repository: string;
    /** Acceptable tags in the guest's order of preference; the first one found wins. */
    readonly tags: readonly string[];
}

export interface RegistryImageCheckInputs {
    /** host:port of the registry, as in the image names. */
    readonly address: pulumi.Input<string>;
    /** The registry speaks plain HTTP. @default false */
    readonly plainHttp?: pulumi.Input<boolean>;
    readonly username?: pulumi.Input<string>;
    readonly password?: pulumi.Input<string>;
    readonly requirements: pulumi.Input<readonly ImageRequirement[]>;
}

interface State {
    readonly address: string;
    readonly plainHttp?: boolean;
    readonly username?: string;
    readonly password?: string;
    readonly requirements: ImageRequirement[];
    /** Per requirement (by purpose), the tag found. */
    readonly found?: Record<string, string>;
    /** What the last look did not find: `<repository>:<tags...>`; a refresh fills it when a tag went away. */
    readonly missing?: string[];
}

/** What one look at the registry found. Exported for testing through a fake `exists`. */
export async function lookUp(
    requirements: readonly ImageRequirement[],
    exists: (repository: string, tag: string) => Promise<boolean>,
): Promise<{ found: Record<string, string>; missing: ImageRequirement[] }> {
    const found: Record<string, string> = {};
    const missing: ImageRequirement[] = [];
    for (const r of requirements) {
        let hit: string | undefined;
        for (const tag of r.tags) {
            if (await exists(r.repository, tag)) { hit = tag; break; }
        }
        if (hit === undefined) missing.push(r); else found[r.purpose] = hit;
    }
    return { found, missing };
}

/** `repo:tag` or `repo:{a|b|c}` when any of several tags would do. */
export function describeMissing(r: ImageRequirement): string {
    return r.tags.length === 1 ? `${r.repository}:${r.tags[0]}` : `${r.repository}:{${r.tags.join("|")}}`;
}

/** The error that stops an up before Trove is asked. Exported for testing. */
export function missingImagesMessage(address: string, missing: readonly ImageRequirement[]): string {
    return `the registry ${address} lacks ${missing.length === 1 ? "an image" : `${missing.length} images`} guests would pull: ` +
        missing.map((r) => `${describeMissing(r)} (${r.purpose})`).join("; ") +
        ". Publish them (datastoreImages pushes them on the next up; after an out-of-band deletion run `pulumi up --refresh`), " +
        "or fix the datastore version's number, which is the tag guests pull";
}

async function check(s: State): Promise<{ found: Record<string, string>; missing: ImageRequirement[] }> {
    const access: RegistryAccess = { address: s.address, plainHttp: s.plainHttp, username: s.username, password: s.password };
    return lookUp(s.requirements, (repository, tag) => tagExists(access, repository, tag));
}

const provider: pulumi.dynamic.ResourceProvider<State, State> = {
    async create(inputs) {
        const { found, missing } = await check(inputs);
        if (missing.length > 0) throw new Error(missingImagesMessage(inputs.address, missing));
        return { id: `${inputs.address}/image-check`, outs: { ...inputs, found, missing: [] } };
    },
    async read(id, props) {
        if (!props) throw new Error(`cannot read the image check ${id} without its recorded registry`);
        const { found, missing } = await check(props);
        return { id, props: { ...props, found, missing: missing.map(describeMissing) } };
    },
    async diff(_id, olds, news) {
        const same = olds.address === news.address && (olds.plainHttp ?? false) === (news.plainHttp ?? false)
            && olds.username === news.username && olds.password === news.password
            && JSON.stringify(olds.requirements) === JSON.stringify(news.requirements);
        // A refresh that found a tag gone shows as a change, and the update checks again.
        return { changes: !same || (olds.missing ?? []).length > 0 };
    },
    async update(_id, _olds, news) {
        const { found, missing } = await check(news);
        if (missing.length > 0) throw new Error(missingImagesMessage(news.address, missing));
        return { outs: { ...news, found, missing: [] } };
    },
};

/**
 * Checks that a registry holds the images guests will pull, before anything that hands guests those
 * names is created: resources that depend on it are not created when an image is missing. A refresh
 * looks again, so a tag deleted out of band shows as a change to this check, and the next up fails
 * here (naming the tag) unless the image is published again first.
 */
export class RegistryImageCheck extends pulumi.dynamic.Resource {
    /** Per requirement (by purpose), the tag the registry has. */
    public readonly found!: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: RegistryImageCheckInputs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, {
            ...args,
            password: args.password === undefined ? undefined : pulumi.secret(args.password),
            found: undefined,
            missing: undefined,
        }, { ...opts, additionalSecretOutputs: ["password"] }, "trove-region", "RegistryImageCheck");
    }
}
