import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import * as command from "@pulumi/command";
import { atomicBuildScript, buildInputHash, DEFAULT_GUEST_OS, DEFAULT_GUEST_RELEASE, diskFormatOf, GUEST_RELEASES, TrovestackOptions, trovestackCommand } from "./build-inputs";
import { MAX_IMAGE_TAG_LENGTH, TROVE_IMAGE_TAG } from "../model/datastore-spec";
import { Problem, show, throwIfProblems } from "../common/validation";
import { checkOpenStackName } from "../common/names";
import { shellQuote } from "../common/shell";
import type { TroveConnection } from "../model/connection";
import { GlanceImage } from "./glance-image";

export const DEFAULT_GUEST_IMAGE_NAME = `trove-guest-ubuntu-${DEFAULT_GUEST_RELEASE}`;
/** Since Yoga, Trove boots guests without a config drive; cloud-init must use the metadata service. */
export const DEFAULT_CLOUD_INIT_DATASOURCES = ["ConfigDrive", "OpenStack"];
export const DEFAULT_IMAGE_PROPERTIES: Readonly<Record<string, string>> = { hw_rng_model: "virtio" };

/** Build the image here with trovestack (default) or another builder. */
export interface BuiltImageSource extends Partial<TrovestackOptions> {
    readonly mode: "build";
    /** Where built images go; each file name carries the input hash. Relative to the project directory. */
    readonly outputDir: string;
    /**
     * A builder other than trovestack: a shell command that writes the image to "$GUEST_IMAGE_OUTPUT".
     * @default trovestack build-image from `troveDir`
     */
    readonly builderCommand?: string;
    /** @default "qcow2" */
    readonly format?: "qcow2" | "raw";
    /** Extra environment for the builder (DIB_* and the like). */
    readonly environment?: Readonly<Record<string, string>>;
    /** @default DEFAULT_CLOUD_INIT_DATASOURCES (ConfigDrive, OpenStack) */
    readonly cloudInitDatasources?: readonly string[];
    /** Content that goes into the image and so into the input hash. @default [troveDir] */
    readonly hashPaths?: readonly string[];
    /** The Trove revision, when pinned; part of the input hash. */
    readonly troveRef?: string;
}

export type GuestImageSource =
    | BuiltImageSource
    /**
     * Upload an image file built elsewhere (relative paths are taken from the project directory). A
     * new size or modification time uploads it again into a new image.
     */
    | { readonly mode: "file"; readonly path: string }
    /** Have Glance's provider download the image from a URL. */
    | { readonly mode: "url"; readonly url: string; readonly format: "qcow2" | "raw" };

export interface GuestImageArgs {
    readonly source: GuestImageSource;
    /**
     * Keystone login for Glance's API, which built and file images are streamed to (the Trove
     * connection: `troveConnectionFrom` reads it from the OpenStack provider's settings). Required
     * for "build" and "file" sources; a "url" source is the OpenStack provider's to fetch.
     */
    readonly connection?: pulumi.Input<TroveConnection>;
    /** Datastores served by this image: each becomes a Glance tag beside "trove". */
    readonly datastores: readonly string[];
    /** @default DEFAULT_GUEST_IMAGE_NAME ("trove-guest-ubuntu-noble") */
    readonly name?: string;
    /** Glance properties. @default DEFAULT_IMAGE_PROPERTIES (hw_rng_model=virtio) */
    readonly properties?: Readonly<Record<string, string>>;
    /** @default none */
    readonly minDiskGb?: number;
    /** @default none */
    readonly minRamMb?: number;
}

/** The Glance tags of the image: "trove" then each datastore once. */
export function imageTags(datastores: readonly string[]): string[] {
    return [TROVE_IMAGE_TAG, ...new Set(datastores)].filter((t, i, all) => all.indexOf(t) === i);
}

/** Every problem in `args`; reads the file system for paths. Exported for testing. */
export function validateGuestImageArgs(args: GuestImageArgs): Problem[] {
    const problems: Problem[] = [];
    const source = args.source;
    if (source?.mode === "build") {
        if (!source.builderCommand) {
            if (!source.troveDir) {
                problems.push({ path: "source.troveDir", message: "is required to build with trovestack: a Trove checkout (git clone https://opendev.org/openstack/trove)" });
            } else if (!fs.existsSync(path.join(source.troveDir, "integration", "scripts", "trovestack"))) {
                problems.push({ path: "source.troveDir", message: `${source.troveDir} has no integration/scripts/trovestack; point it at a Trove checkout` });
            }
            if ((source.guestOs ?? DEFAULT_GUEST_OS) === "ubuntu" && source.release !== undefined && !(GUEST_RELEASES as readonly string[]).includes(source.release)) {
                problems.push({ path: "source.release", message: `${show(source.release)} is not an Ubuntu release trovestack builds Trove guests of; choose ${GUEST_RELEASES.map((r) => `"${r}"`).join(" or ")} (default "${DEFAULT_GUEST_RELEASE}")` });
            }
            if (source.devMode) {
                problems.push({ path: "source.devMode", message: "dev_mode=true images fetch the guest agent from the controller at boot; production images need devMode false" });
            }
        }
        if (typeof source.outputDir !== "string" || !source.outputDir.trim()) {
            problems.push({ path: "source.outputDir", message: `${show(source.outputDir)} must be a directory path (relative paths are taken from the project directory)` });
        }
        if (source.format !== undefined && source.format !== "qcow2" && source.format !== "raw") {
            problems.push({ path: "source.format", message: `${show(source.format)} is not "qcow2" or "raw"` });
        }
        const datasources = source.cloudInitDatasources ?? DEFAULT_CLOUD_INIT_DATASOURCES;
        if (!datasources.includes("OpenStack")) {
            problems.push({
                path: "source.cloudInitDatasources",
                message: `${show(datasources)} lacks "OpenStack"; Trove boots guests without a config drive since Yoga, so cloud-init needs the metadata service`,
            });
        }
        (source.hashPaths ?? []).forEach((p, i) => {
            if (!fs.existsSync(p)) problems.push({ path: `source.hashPaths[${i}]`, message: `${p} does not exist` });
        });
    } else if (source?.mode === "file") {
        if (!source.path || !fs.existsSync(source.path)) {
            problems.push({ path: "source.path", message: `${show(source.path)} does not exist; give the path of a built guest image` });
        } else if (!diskFormatOf(source.path)) {
            problems.push({ path: "source.path", message: `${source.path} is not .qcow2, .raw or .img; Glance needs the disk format` });
        }
    } else if (source?.mode === "url") {
        if (!/^https?:\/\/\S+$/.test(source.url ?? "")) problems.push({ path: "source.url", message: `${show(source.url)} is not an http(s) URL` });
        if (source.format !== "qcow2" && source.format !== "raw") problems.push({ path: "source.format", message: `${show(source.format)} is not "qcow2" or "raw"` });
    } else {
        problems.push({ path: "source.mode", message: `${show((source as { mode?: unknown })?.mode)} is not a source mode; choose "build", "file" or "url"` });
    }
    if ((source?.mode === "build" || source?.mode === "file") && !args.connection) {
        problems.push({ path: "connection", message: `is required to upload a ${source.mode === "build" ? "built image" : "file"} to Glance: the Keystone login (troveConnectionFrom(new pulumi.Config("openstack"), process.env).connection gives the OpenStack provider's)` });
    }
    const tags = imageTags(args.datastores ?? []);
    if ((args.datastores ?? []).length === 0) {
        problems.push({ path: "datastores", message: "needs at least one datastore: the image is tagged with each so datastore versions find it" });
    }
    tags.forEach((tag) => {
        if (tag.length > MAX_IMAGE_TAG_LENGTH) problems.push({ path: "datastores", message: `tag ${show(tag)} is longer than Trove's ${MAX_IMAGE_TAG_LENGTH} characters` });
    });
    const wrongName = args.name === undefined ? undefined : checkOpenStackName(args.name);
    if (wrongName) problems.push({ path: "name", message: wrongName });
    for (const field of ["minDiskGb", "minRamMb"] as const) {
        const v = args[field];
        if (v !== undefined && (!Number.isInteger(v) || v < 0)) problems.push({ path: field, message: `${show(v)} is not a whole number >= 0` });
    }
    return problems;
}

/**
 * The Trove guest image in Glance: built (by default with trovestack, dev mode off) only when the hash
 * of its inputs changes, or taken from a file or URL; uploaded private, qcow2/bare, tagged "trove" and
 * each datastore. Built and file images are streamed to Glance's API by GlanceImage (at the CLI's
 * speed); a URL is the OpenStack provider's image resource to fetch. A rebuilt image is created
 * before the old one is deleted, so datastore versions that find it by tag never see a gap.
 */
export class GuestImage extends pulumi.ComponentResource {
    public readonly imageId: pulumi.Output<string>;
    public readonly imageName: string;
    public readonly tags: readonly string[];
    public readonly checksum: pulumi.Output<string>;
    /** The input hash of a built image; undefined for file and URL sources. */
    public readonly inputHash: string | undefined;
    /** Where the image file is; undefined for URL sources. */
    public readonly imagePath: string | undefined;

    constructor(name: string, args: GuestImageArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfProblems(`GuestImage "${name}"`, validateGuestImageArgs(args));
        super("trove-region:guest-image:GuestImage", name, {}, opts);

        this.imageName = args.name ?? DEFAULT_GUEST_IMAGE_NAME;
        this.tags = imageTags(args.datastores);
        const source = args.source;

        let image: GlanceImage | openstack.images.Image;
        if (source.mode === "url") {
            image = new openstack.images.Image(`${name}-image`, {
                name: this.imageName,
                containerFormat: "bare",
                diskFormat: source.format,
                imageSourceUrl: source.url,
                visibility: "private",
                tags: [...this.tags],
                properties: { ...(args.properties ?? DEFAULT_IMAGE_PROPERTIES) },
                minDiskGb: args.minDiskGb,
                minRamMb: args.minRamMb,
                verifyChecksum: true,
            }, { parent: this });
        } else {
            let filePath: pulumi.Input<string>;
            let fileStamp: string;
            let diskFormat: string;
            if (source.mode === "build") {
                const built = this.build(name, source);
                filePath = built.file;
                this.inputHash = built.hash;
                this.imagePath = built.path;
                // The file's name carries the hash too; the stamp says so on its own.
                fileStamp = `inputs:${built.hash}`;
                diskFormat = source.format ?? "qcow2";
            } else {
                // Relative paths are taken from the project directory, where the program runs.
                filePath = path.resolve(source.path);
                this.imagePath = filePath;
                const stat = fs.statSync(filePath);
                fileStamp = `size:${stat.size},mtime:${Math.floor(stat.mtimeMs)}`;
                diskFormat = diskFormatOf(source.path)!;
            }
            image = new GlanceImage(`${name}-image`, {
                connection: args.connection!,
                name: this.imageName,
                containerFormat: "bare",
                diskFormat,
                visibility: "private",
                tags: [...this.tags],
                properties: { ...(args.properties ?? DEFAULT_IMAGE_PROPERTIES) },
                minDiskGb: args.minDiskGb,
                minRamMb: args.minRamMb,
                filePath,
                fileStamp,
            }, { parent: this });
        }

        this.imageId = image.id;
        this.checksum = image.checksum;
        this.registerOutputs({
            imageId: this.imageId,
            imageName: this.imageName,
            tags: this.tags,
            checksum: this.checksum,
            inputHash: this.inputHash,
            imagePath: this.imagePath,
        });
    }

    private build(name: string, source: BuiltImageSource): { file: pulumi.Output<string>; hash: string; path: string } {
        const builder = source.builderCommand ?? trovestackCommand({ ...source, troveDir: source.troveDir! });
        const environment: Record<string, string> = {
            ...(source.environment ?? {}),
            DIB_CLOUD_INIT_DATASOURCES: (source.cloudInitDatasources ?? DEFAULT_CLOUD_INIT_DATASOURCES).join(", "),
        };
        const hash = buildInputHash({
            command: builder,
            environment,
            paths: source.hashPaths ?? (source.troveDir ? [source.troveDir] : []),
            troveRef: source.troveRef,
        });
        const output = path.join(
            path.resolve(source.outputDir),
            `trove-guest-${source.guestOs ?? DEFAULT_GUEST_OS}-${source.release ?? DEFAULT_GUEST_RELEASE}-${hash.slice(0, 16)}.${source.format ?? "qcow2"}`,
        );
        // The hash is the only trigger: the build runs again only when an input changes.
        const build = new command.local.Command(`${name}-build`, {
            create: atomicBuildScript(builder, output),
            delete: `rm -f ${shellQuote(output)}`,
            environment,
            triggers: [hash],
        }, { parent: this });
        // Read the path through the command's output, so the upload waits for the build.
        return { file: build.stdout.apply(() => output), hash, path: output };
    }
}
