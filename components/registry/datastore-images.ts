import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { backupImage, checkRegistryAddress, checkRepositoryName, datastoreImage, DEFAULT_REPOSITORY, tagged } from "./image-names";
import { RegistryCredentials } from "./registry";
import { DatastoreVersionSpec, resolveVersions, validateDatastoreVersions, versionKey } from "../datastores/datastore-spec";
import { nested, Problem, throwIfProblems } from "../common/validation";

export interface DatastoreImagesArgs {
    /** host:port of the registry, e.g. `Registry.address`. */
    readonly registry: string;
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
}

/** What one version publishes. */
export interface PublishedVersion {
    /** `<registry>/<repository>/<datastore>:<version>` */
    readonly datastoreImage: string;
    /** `<registry>/<repository>/db-backup-<datastore>:<version>`, or undefined when backups are off. */
    readonly backupImage: string | undefined;
    /** sha256 digest of the pushed datastore image. */
    readonly datastoreDigest: pulumi.Output<string>;
    readonly backupDigest: pulumi.Output<string> | undefined;
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
 * pulls: `<registry>/trove-datastores/<datastore>:<version>` and `.../db-backup-<datastore>:<version>`,
 * one tag per version, as Trove's production guide requires. Uses the `docker` provider from `opts`.
 */
export class DatastoreImages extends pulumi.ComponentResource {
    /** Per datastore, the untagged image for `[<manager>] docker_image`: Trove appends the version. */
    public readonly dockerImages: Record<string, string>;
    /** Per datastore, the untagged image for `[<manager>] backup_docker_image`. */
    public readonly backupDockerImages: Record<string, string>;
    /** Per `<datastore>-<version>`, what was pushed. */
    public readonly published: Record<string, PublishedVersion>;

    constructor(name: string, args: DatastoreImagesArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfProblems(`DatastoreImages "${name}"`, validateDatastoreImagesArgs(args));
        super("trove-region:registry:DatastoreImages", name, {}, opts);

        const repository = args.repository ?? DEFAULT_REPOSITORY;
        const registryAuth = args.credentials
            ? { server: args.registry, username: args.credentials.username, password: pulumi.secret(args.credentials.password) }
            : undefined;
        this.dockerImages = {};
        this.backupDockerImages = {};
        this.published = {};

        for (const v of resolveVersions(args.versions)) {
            const key = versionKey(v);
            const image = datastoreImage(args.registry, v.datastore, repository);
            this.dockerImages[v.datastore] = image;

            const source = new docker.RemoteImage(`${name}-${key}-source`, {
                name: v.sourceImage,
                keepLocally: true,
            }, { parent: this });
            const tag = new docker.Tag(`${name}-${key}-tag`, {
                sourceImage: source.imageId,
                targetImage: tagged(image, v.version),
            }, { parent: this });
            // Re-push only when the source image's digest changes.
            const pushed = new docker.RegistryImage(`${name}-${key}-push`, {
                name: tag.targetImage,
                keepRemotely: true,
                triggers: { sourceDigest: source.repoDigest },
            }, { parent: this, dependsOn: [tag] });

            let backupName: string | undefined;
            let backupDigest: pulumi.Output<string> | undefined;
            if (args.backupContext !== false) {
                const backup = backupImage(args.registry, v.datastore, repository);
                this.backupDockerImages[v.datastore] = backup;
                backupName = tagged(backup, v.version);
                const built = new docker.Image(`${name}-${key}-backup`, {
                    imageName: backupName,
                    build: {
                        context: args.backupContext,
                        args: { DATASTORE: v.datastore, DATASTORE_VERSION: v.version },
                    },
                    registry: registryAuth,
                }, { parent: this });
                backupDigest = built.repoDigest;
            }
            this.published[key] = {
                datastoreImage: tagged(image, v.version),
                backupImage: backupName,
                datastoreDigest: pushed.sha256Digest,
                backupDigest,
            };
        }
        this.registerOutputs({
            dockerImages: this.dockerImages,
            backupDockerImages: this.backupDockerImages,
            published: this.published,
        });
    }
}
