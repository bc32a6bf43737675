import * as crypto from "crypto";
import * as path from "path";
import { shellQuote } from "../common/shell";
import { digestTree } from "../common/tree-digest";

/** Everything that decides the bytes of a built guest image. */
export interface BuildInputs {
    /** The shell command that builds the image into `$GUEST_IMAGE_OUTPUT`. */
    readonly command: string;
    readonly environment: Readonly<Record<string, string>>;
    /** Directories and files whose content goes into the image (Trove checkout, DIB elements). */
    readonly paths: readonly string[];
    /** An explicit source revision, when the operator pins one. */
    readonly troveRef?: string;
}

/** Names never worth hashing: VCS metadata, caches, and build leftovers. */
const IGNORED = new Set([".git", ".tox", "__pycache__", ".pytest_cache", ".stestr", "node_modules"]);

/** A digest of a file or directory tree, without VCS metadata, caches and build leftovers. */
export function digestPath(root: string): string {
    return digestTree(root, (relative) => {
        const name = path.basename(relative);
        return IGNORED.has(name) || name.endsWith(".pyc");
    });
}

/**
 * The build's identity. The environment is hashed in sorted order; paths by content, not by where
 * they sit, so moving a checkout does not force a rebuild.
 */
export function buildInputHash(inputs: BuildInputs, digest: (p: string) => string = digestPath): string {
    const hash = crypto.createHash("sha256");
    hash.update(JSON.stringify({
        command: inputs.command,
        environment: Object.keys(inputs.environment).sort().map((k) => [k, inputs.environment[k]]),
        troveRef: inputs.troveRef ?? null,
        paths: inputs.paths.map((p) => digest(p)),
    }));
    return hash.digest("hex");
}

/**
 * Ubuntu releases trovestack builds guests of. devstack's default has been noble since stable/2025.2
 * (jammy before); jammy stays selectable for regions that have not moved yet.
 */
export const GUEST_RELEASES = ["noble", "jammy"] as const;
export const DEFAULT_GUEST_RELEASE = "noble";
/** trovestack's guest OS and the guest's login user. */
export const DEFAULT_GUEST_OS = "ubuntu";
export const DEFAULT_GUEST_USERNAME = "ubuntu";

export interface TrovestackOptions {
    readonly troveDir: string;
    /** @default DEFAULT_GUEST_OS ("ubuntu") */
    readonly guestOs?: string;
    /** @default DEFAULT_GUEST_RELEASE ("noble"), Trove's default since 2025.2; "jammy" is the other choice */
    readonly release?: string;
    /** dev_mode=true pulls the agent from the controller at boot: never for production. @default false */
    readonly devMode?: boolean;
    /** @default DEFAULT_GUEST_USERNAME ("ubuntu") */
    readonly guestUsername?: string;
}

/** `trovestack build-image <os> <release> <dev_mode> <username> <output>`, run from its directory. */
export function trovestackCommand(options: TrovestackOptions): string {
    const q = shellQuote;
    return [
        `cd ${q(path.join(options.troveDir, "integration", "scripts"))}`,
        `./trovestack build-image ${q(options.guestOs ?? DEFAULT_GUEST_OS)} ${q(options.release ?? DEFAULT_GUEST_RELEASE)} ` +
            `${options.devMode ? "true" : "false"} ${q(options.guestUsername ?? DEFAULT_GUEST_USERNAME)} "$GUEST_IMAGE_OUTPUT"`,
    ].join(" && ");
}

/**
 * Wraps a builder so a failed or interrupted build leaves no image behind: the builder writes to a
 * partial file, which is renamed into place only when the builder succeeded and wrote something.
 */
export function atomicBuildScript(builder: string, output: string): string {
    const q = shellQuote;
    const dir = path.dirname(output);
    const partial = path.join(dir, `.partial-${path.basename(output)}`);
    return [
        "set -eu",
        `mkdir -p ${q(dir)}`,
        `if [ -s ${q(output)} ]; then printf 'guest image already built: %s\\n' ${q(output)}; exit 0; fi`,
        `rm -f ${q(partial)}`,
        `export GUEST_IMAGE_OUTPUT=${q(partial)}`,
        `( ${builder} ) || { rc=$?; rm -f ${q(partial)}; echo "guest image build failed (exit $rc)" >&2; exit $rc; }`,
        `if [ ! -s ${q(partial)} ]; then echo "the builder exited 0 but wrote nothing to $GUEST_IMAGE_OUTPUT" >&2; exit 1; fi`,
        `mv ${q(partial)} ${q(output)}`,
        `printf 'guest image built: %s\\n' ${q(output)}`,
    ].join("\n");
}

/** Glance disk format from the file name, as trovestack picks the format from the extension. */
export function diskFormatOf(file: string): "qcow2" | "raw" | undefined {
    const ext = path.extname(file).toLowerCase();
    if (ext === ".qcow2") return "qcow2";
    if (ext === ".raw" || ext === ".img") return "raw";
    return undefined;
}
