import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { BACKUP_IMAGE_PREFIX, backupImage, backupSeriesTags, backupTagFallbacks, checkDockerHost, checkRegistryAddress, checkRepositoryName, datastoreImage, DEFAULT_REPOSITORY, tagged } from "../model/image-names";
import { RegistryImageCheck } from "./registry-image-check";
import { RegistryCredentials } from "./registry";
import { buildContextDigest } from "./build-context";
import { DatastoreVersionSpec, resolveVersions, validateDatastoreVersions, versionKey } from "../model/datastore-spec";
import { nested, Problem, throwIfProblems } from "../common/validation";

export interface DatastoreImagesArgs {
    /** host:port of the registry, e.g. `Registry.address`. */
    readonly registry: string;
    /** Pushes authenticate with these (the docker provider's registryAuth). @default anonymous */
    readonly credentials?: RegistryCredentials;
    /** The versions to publish; each gets its datastore image and its backup image. */
    readonly versions: readonly DatastoreVersionSpec[];
    /** @default DEFAULT_REPOSITORY ("trove-datastores") */
    readonly repository?: string;
    /**
     * Trove's `backup/` directory (with its Dockerfile), built once per version with the build args
     * DATASTORE and DATASTORE_VERSION. `false` skips backup images, which breaks backup and restore.
     */
    readonly backupContext: string | false;
    /**
     * The Docker engine that pulls, builds and pushes (`unix://…` or `ssh://user@host`). It must
     * reach the registry, and trust it when the registry is insecure (127.0.0.0/8 always is).
     * @default the docker provider's own default: DOCKER_HOST, else the local socket
     */
    readonly dockerHost?: string;
    /**
     * The registry speaks plain HTTP (an insecure registry): digests are read over http://.
     * @default false (HTTPS)
     */
    readonly insecure?: boolean;
    /**
     * `docker build --network` for the backup builds' RUN steps, e.g. "host" on an engine without
     * a bridge network. @default the engine's default network
     */
    readonly buildNetwork?: string;
    /**
     * Also push each backup image under the series tags the guest agent falls back to when its
     * version number has no backup image (`11.4` and `11` for `11.4.5`), each tag once, pointing at
     * the newest version of its series. Datastore images are pulled by the exact number only, so they
     * get no series tags. @default false
     */
    readonly seriesTags?: boolean;
}

/**
 * The provider's buildx path talks to the default Docker context, not to the provider's `host`, so a
 * build on any engine but the local default one fails; its classic builder uses the provider's own
 * client. `useLegacyBuilder` is in the provider's schema but not in @pulumi/docker 4.x's input type;
 * the nested object reaches the provider as it is.
 */
function legacyBuild(build: docker.types.input.RemoteImageBuild): docker.types.input.RemoteImageBuild {
    const withLegacy: docker.types.input.RemoteImageBuild & { useLegacyBuilder: boolean } = { ...build, useLegacyBuilder: true };
    return withLegacy;
}

/** What one version publishes. */
export interface PublishedVersion {
    /** `<registry>/<repository>/<datastore>:<version number>`: the tag the guest agent pulls. */
    readonly datastoreImage: string;
    /** `<registry>/<repository>/db-backup-<datastore>:<version number>`, or undefined when backups are off. */
    readonly backupImage: string | undefined;
    /** sha256 digest of the pushed datastore image. */
    readonly datastoreDigest: pulumi.Output<string>;
    readonly backupDigest: pulumi.Output<string> | undefined;
    /** Series tags this version's backup image was also pushed under (see `seriesTags`). */
    readonly backupSeriesTags: readonly string[];
}

/** Every problem in `args`. Exported for testing. */
export function validateDatastoreImagesArgs(args: Omit<DatastoreImagesArgs, "credentials">): Problem[] {
    const problems: Problem[] = [];
    const wrong = checkRegistryAddress(args.registry);
    if (wrong) problems.push({ path: "registry", message: wrong });
    if (args.repository !== undefined) {
        const wrongRepo = checkRepositoryName(args.repository);
        if (wrongRepo) problems.push({ path: "repository", message: wrongRepo });
    }
    problems.push(...nested("versions", validateDatastoreVersions(args.versions)));
    const wrongHost = args.dockerHost === undefined ? undefined : checkDockerHost(args.dockerHost);
    if (wrongHost) problems.push({ path: "dockerHost", message: wrongHost });
    if (args.buildNetwork !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(args.buildNetwork)) {
        problems.push({ path: "buildNetwork", message: `${JSON.stringify(args.buildNetwork)} is not a network mode; e.g. "host", "default" or a network's name` });
    }
    if (args.backupContext !== false) {
        if (typeof args.backupContext !== "string" || !fs.existsSync(path.join(args.backupContext, "Dockerfile"))) {
            problems.push({
                path: "backupContext",
                message: `${JSON.stringify(args.backupContext)} has no Dockerfile; point it at Trove's backup/ directory (e.g. /opt/trove/backup), or set false to skip backup images`,
            });
        }
    }
    return problems;
}

/**
 * Publishes, for every datastore version, the datastore image and the backup image the guest agent
 * pulls: `<registry>/trove-datastores/<datastore>:<n>` and `.../db-backup-<datastore>:<n>`, where `n`
 * is the version's number (Trove hands the guest `datastore_version.version`, the number, not the
 * name). Pulls, builds and pushes through a docker provider of its own on `dockerHost`, with the
 * registry's credentials. Then checks, per version, that the registry serves what its guests will
 * pull (`checks`): what depends on this component is not created when a tag is missing.
 */
export class DatastoreImages extends pulumi.ComponentResource {
    /** Per datastore, the untagged image for `[<manager>] docker_image`: Trove appends the version. */
    public readonly dockerImages: Record<string, string>;
    /** Per datastore, the untagged image for `[<manager>] backup_docker_image`. */
    public readonly backupDockerImages: Record<string, string>;
    /** Per `<datastore>-<version>`, what was pushed. */
    public readonly published: Record<string, PublishedVersion>;
    /** Per `<datastore>-<version>`, the check that the registry serves its images' tags. */
    public readonly checks: Record<string, RegistryImageCheck>;

    constructor(name: string, args: DatastoreImagesArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfProblems(`DatastoreImages "${name}"`, validateDatastoreImagesArgs(args));
        super("trove-region:registry:DatastoreImages", name, {}, opts);

        const repository = args.repository ?? DEFAULT_REPOSITORY;
        // A provider of its own: pushes to an authenticated registry need its credentials in the
        // provider's registryAuth, and the engine is the operator's choice, not the stack default's.
        // The provider pushes only to registries it has an entry for, and reads the pushed digest
        // over the entry's scheme: http:// for an insecure registry.
        const provider = new docker.Provider(`${name}-docker`, {
            host: args.dockerHost,
            registryAuth: [{
                address: `${args.insecure ? "http://" : ""}${args.registry}`,
                username: args.credentials?.username,
                password: args.credentials ? pulumi.secret(args.credentials.password) : undefined,
                // Without credentials the provider would look for them in ~/.docker/config.json.
                authDisabled: args.credentials ? undefined : true,
            }],
        }, { parent: this });
        const childOpts = { parent: this, provider };
        const contextDigest = args.backupContext === false ? undefined : buildContextDigest(args.backupContext);
        this.dockerImages = {};
        this.backupDockerImages = {};
        this.published = {};
        this.checks = {};
        const resolved = resolveVersions(args.versions);
        const pushes: pulumi.Resource[] = [];
        const builtBackups = new Map<string, docker.RemoteImage>();
        // Pushes to one repository go one after another. Its tags mostly share layers (versions of
        // one source image, backup images from one context), and registry:2 answers 500 to one of
        // two pushes uploading the same blob at once (seen with 10 versions of one datastore). In
        // series, every push after the first finds the layers there and only writes its manifest.
        const lastPushTo = new Map<string, docker.RegistryImage>();
        const push = (repositoryImage: string, resourceName: string, args: docker.RegistryImageArgs): docker.RegistryImage => {
            const previous = lastPushTo.get(repositoryImage);
            const pushed = new docker.RegistryImage(resourceName, args, { ...childOpts, dependsOn: previous ? [previous] : [] });
            lastPushTo.set(repositoryImage, pushed);
            return pushed;
        };

        for (const v of resolved) {
            const key = versionKey(v);
            const image = datastoreImage(args.registry, v.datastore, repository);
            this.dockerImages[v.datastore] = image;

            // Found on the engine when it is there already (an air-gapped region preloads it),
            // pulled otherwise.
            const source = new docker.RemoteImage(`${name}-${key}-source`, { name: v.sourceImage, keepLocally: true }, childOpts);
            const tag = new docker.Tag(`${name}-${key}-tag`, { sourceImage: source.imageId, targetImage: tagged(image, v.versionNumber) }, childOpts);
            // Re-pushed only when the source's content (its image id) changes.
            const pushed = push(image, `${name}-${key}-push`, {
                name: tag.targetImage,
                keepRemotely: true,
                insecureSkipVerify: args.insecure,
                triggers: { sourceImageId: tag.sourceImageId },
            });

            let backupName: string | undefined;
            let backupDigest: pulumi.Output<string> | undefined;
            if (args.backupContext !== false && contextDigest !== undefined) {
                const backup = backupImage(args.registry, v.datastore, repository);
                this.backupDockerImages[v.datastore] = backup;
                backupName = tagged(backup, v.versionNumber);
                // Rebuilt only when the context's content changes (the trigger replaces the build).
                const built = new docker.RemoteImage(`${name}-${key}-backup`, {
                    name: backupName,
                    build: legacyBuild({
                        // Relative paths are the project directory's, where the program runs.
                        context: path.resolve(args.backupContext),
                        buildArgs: { DATASTORE: v.datastore, DATASTORE_VERSION: v.versionNumber },
                        networkMode: args.buildNetwork,
                    }),
                    triggers: { contextDigest },
                    keepLocally: true,
                }, childOpts);
                const backupPush = push(backup, `${name}-${key}-backup-push`, {
                    name: built.name,
                    keepRemotely: true,
                    insecureSkipVerify: args.insecure,
                    triggers: { imageId: built.imageId },
                });
                backupDigest = backupPush.sha256Digest;
                pushes.push(backupPush);
                builtBackups.set(`${v.datastore}:${v.versionNumber}`, built);
            }
            pushes.push(pushed);
            this.published[key] = {
                datastoreImage: tagged(image, v.versionNumber),
                backupImage: backupName,
                datastoreDigest: pushed.sha256Digest,
                backupDigest,
                backupSeriesTags: [],
            };
        }

        if (args.seriesTags && args.backupContext !== false) {
            for (const datastore of new Set(resolved.map((v) => v.datastore))) {
                const numbers = resolved.filter((v) => v.datastore === datastore).map((v) => v.versionNumber);
                for (const [tag, owner] of backupSeriesTags(numbers)) {
                    const built = builtBackups.get(`${datastore}:${owner}`)!;
                    const series = new docker.Tag(`${name}-${datastore}-backup-series-${tag}`, {
                        sourceImage: built.imageId,
                        targetImage: tagged(backupImage(args.registry, datastore, repository), tag),
                    }, childOpts);
                    pushes.push(push(backupImage(args.registry, datastore, repository), `${name}-${datastore}-backup-series-${tag}-push`, {
                        name: series.targetImage,
                        keepRemotely: true,
                        insecureSkipVerify: args.insecure,
                        triggers: { imageId: series.sourceImageId },
                    }));
                    const ownerKey = versionKey(resolved.find((v) => v.datastore === datastore && v.versionNumber === owner)!);
                    this.published[ownerKey] = { ...this.published[ownerKey], backupSeriesTags: [...this.published[ownerKey].backupSeriesTags, tag] };
                }
            }
        }

        // What guests pull, asked of the registry itself after every push: the datastore image by
        // its exact number, the backup image by the number or a series tag, as the agent falls back.
        for (const v of resolved) {
            const key = versionKey(v);
            const requirements = [{ purpose: `datastore image of ${v.datastore} ${v.version}`, repository: `${repository}/${v.datastore}`, tags: [v.versionNumber] }];
            if (args.backupContext !== false) {
                requirements.push({ purpose: `backup image of ${v.datastore} ${v.version}`, repository: `${repository}/${BACKUP_IMAGE_PREFIX}${v.datastore}`, tags: backupTagFallbacks(v.versionNumber) });
            }
            this.checks[key] = new RegistryImageCheck(`${name}-${key}-check`, {
                address: args.registry,
                plainHttp: args.insecure,
                username: args.credentials?.username,
                password: args.credentials?.password,
                requirements,
            }, { parent: this, dependsOn: pushes });
        }
        this.registerOutputs({
            dockerImages: this.dockerImages,
            backupDockerImages: this.backupDockerImages,
            published: this.published,
        });
    }
}
