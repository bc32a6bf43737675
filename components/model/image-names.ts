/** The repository prefix the seeds use: `<registry>/trove-datastores/<datastore>:<version>`. */
export const DEFAULT_REPOSITORY = "trove-datastores";
export const BACKUP_IMAGE_PREFIX = "db-backup-";

/** `host:port` or `host` — no scheme, no path — as Docker and `docker_insecure_registries` expect. */
export function checkRegistryAddress(address: string): string | undefined {
    if (typeof address !== "string" || address.length === 0) return "must not be empty; give host:port, e.g. \"10.0.0.5:4000\"";
    if (/^[a-z]+:\/\//i.test(address)) return `"${address}" has a scheme; give host:port without it, e.g. "${address.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "")}"`;
    if (address.includes("/")) return `"${address}" has a path; give only host:port (the repository is set separately)`;
    const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(address);
    if (!match) return `"${address}" is not host:port; e.g. "10.0.0.5:4000" or "registry.example.org"`;
    if (match[2] !== undefined && (Number(match[2]) < 1 || Number(match[2]) > 65535)) {
        return `"${address}" has port ${match[2]}; ports run from 1 to 65535`;
    }
    return undefined;
}

/** A Docker engine address as the docker provider takes it: `unix://`, `ssh://` or `tcp://`. */
export function checkDockerHost(host: string): string | undefined {
    return typeof host === "string" && /^(unix|ssh|tcp):\/\/./.test(host)
        ? undefined
        : `${JSON.stringify(host)} is not a Docker host; e.g. "unix:///var/run/docker.sock" or "ssh://ubuntu@10.0.0.5"`;
}

/** Docker's rule for a tag. Trove uses the datastore version as the tag, so it must pass it. */
export function checkDockerTag(tag: string): string | undefined {
    return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)
        ? undefined
        : `${JSON.stringify(tag)} cannot be a Docker tag (letters, digits, _ . -; at most 128; not starting with . or -)`;
}

/** A repository path component: lower-case letters and digits, separated by . _ __ or -. */
export function checkRepositoryName(name: string): string | undefined {
    return /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(name)
        ? undefined
        : `${JSON.stringify(name)} is not a Docker repository name (lower-case letters, digits, and . _ - between them)`;
}

/** The datastore image without a tag, as `[<datastore>] docker_image` wants it: Trove appends the version. */
export function datastoreImage(registry: string, datastore: string, repository = DEFAULT_REPOSITORY): string {
    return `${registry}/${repository}/${datastore}`;
}

/** The backup image without a tag, as `[<datastore>] backup_docker_image` wants it. */
export function backupImage(registry: string, datastore: string, repository = DEFAULT_REPOSITORY): string {
    return `${registry}/${repository}/${BACKUP_IMAGE_PREFIX}${datastore}`;
}

export function tagged(image: string, tag: string): string {
    return `${image}:${tag}`;
}

/** Numeric comparison of dotted version numbers: 11.10 is after 11.9. */
export function compareVersionNumbers(a: string, b: string): number {
    const x = a.split(".").map(Number);
    const y = b.split(".").map(Number);
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const d = (x[i] ?? -1) - (y[i] ?? -1);
        if (d !== 0) return d;
    }
    return 0;
}

/**
 * The tags the guest agent tries for a backup image, in its order: the version number, then each
 * shorter prefix of it (`11.4.5`, `11.4`, `11`). Trove 26's `get_backup_image` falls back so because
 * one backup image can serve a whole series (trove/guestagent/datastore/service.py).
 */
export function backupTagFallbacks(versionNumber: string): string[] {
    const parts = versionNumber.split(".");
    return parts.map((_, i) => parts.slice(0, parts.length - i).join("."));
}

/**
 * Series tags for the backup images of one datastore's version numbers: each shorter prefix of a
 * number (`11.4` and `11` for `11.4.5`) that is not itself one of the numbers, owned by the newest
 * number in that series, so each tag is pushed once and points at the newest backup image of its
 * series. Returns tag -> owning version number, sorted by tag.
 */
export function backupSeriesTags(versionNumbers: readonly string[]): Map<string, string> {
    const numbers = new Set(versionNumbers);
    const owners = new Map<string, string>();
    for (const n of numbers) {
        for (const tag of backupTagFallbacks(n).slice(1)) {
            if (numbers.has(tag)) continue;
            const owner = owners.get(tag);
            if (owner === undefined || compareVersionNumbers(n, owner) > 0) owners.set(tag, n);
        }
    }
    return new Map([...owners].sort(([a], [b]) => compareVersionNumbers(a, b)));
}
