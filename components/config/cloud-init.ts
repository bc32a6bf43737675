// Per-datastore user data: Trove's taskmanager reads `<cloudinit_location>/<manager>.cloudinit` when
// it boots a guest of that manager (trove/instance/models.py, prepare_userdata) and merges it with the
// cloud-config that writes the guest's own files (combine_cloudinit_userdata).
import * as yaml from "js-yaml";
import { Problem, show } from "../common/validation";

/** Trove's `[DEFAULT] cloudinit_location` default (trove/common/cfg.py). */
export const DEFAULT_CLOUDINIT_LOCATION = "/etc/trove/cloudinit";

/**
 * Trove writes guest_info.conf and trove-guestagent.conf under /etc/trove/ through the same
 * cloud-config; a write_files entry of ours there would fight its files.
 */
const TROVE_OWNED_DIRECTORY = "/etc/trove/";

/** One manager's cloud-config, as a mapping (`runcmd`, `write_files`, `packages`, ...). */
export type CloudConfig = Readonly<Record<string, unknown>>;

/** `mariadb.cloudinit`: the file name Trove looks for. */
export function cloudInitFileName(manager: string): string {
    return `${manager}.cloudinit`;
}

/** The file's text: a `#cloud-config` document, as Trove's own header has it. */
export function renderCloudInit(config: CloudConfig): string {
    return `#cloud-config\n${yaml.dump(config, { lineWidth: -1, noRefs: true, sortKeys: true })}`;
}

/** Per file name (`<manager>.cloudinit`), its text. */
export function cloudInitFiles(cloudInit: Readonly<Record<string, CloudConfig>>): Record<string, string> {
    return Object.fromEntries(Object.keys(cloudInit).sort().map((manager) => [cloudInitFileName(manager), renderCloudInit(cloudInit[manager])]));
}

/**
 * Every problem in the per-manager cloud-config, with paths `<manager>...`. Trove merges the file only
 * when it parses as a mapping: a shell script or a list would be logged and dropped
 * (combine_cloudinit_userdata: "Userdata is not a valid cloudinit config"), so it is refused here.
 */
export function validateCloudInit(cloudInit: Readonly<Record<string, unknown>>, managers: readonly string[]): Problem[] {
    const problems: Problem[] = [];
    for (const [manager, config] of Object.entries(cloudInit)) {
        if (!managers.includes(manager)) {
            problems.push({
                path: manager,
                message: `is not the manager of any configured datastore version (${managers.join(", ") || "none"}); Trove reads <manager>.cloudinit only when it boots a guest of that manager`,
            });
        }
        if (config === null || typeof config !== "object" || Array.isArray(config)) {
            problems.push({ path: manager, message: `${show(config)} is not a cloud-config mapping (runcmd:, write_files:, ...); Trove drops user data that is not one` });
            continue;
        }
        if (Object.keys(config).length === 0) problems.push({ path: manager, message: "is empty; leave the manager out instead" });
        const writeFiles = (config as Record<string, unknown>).write_files;
        if (writeFiles === undefined) continue;
        if (!Array.isArray(writeFiles)) {
            problems.push({ path: `${manager}.write_files`, message: "is not a list of files" });
            continue;
        }
        writeFiles.forEach((file: unknown, i) => {
            const path = (file as { path?: unknown } | null)?.path;
            if (typeof path !== "string" || !path.startsWith("/")) {
                problems.push({ path: `${manager}.write_files[${i}].path`, message: `${show(path)} is not an absolute path` });
            } else if (path.startsWith(TROVE_OWNED_DIRECTORY)) {
                problems.push({ path: `${manager}.write_files[${i}].path`, message: `${path} is under ${TROVE_OWNED_DIRECTORY}, where Trove writes the guest's own configuration; write elsewhere` });
            }
        });
    }
    return problems;
}
