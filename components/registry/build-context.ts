import * as fs from "fs";
import * as path from "path";
import ignore from "@balena/dockerignore";
import { digestTree, TreeFilter, walkTree } from "../common/tree-digest";

/** The Dockerfile the backup builds use: the build's default, at the context's root. */
const DOCKERFILE = "Dockerfile";
const DOCKERIGNORE = ".dockerignore";

/**
 * A digest of a Docker build context: the path, executable bit and content of every file Docker
 * sends for it, by the context's `.dockerignore` (see `dockerignoreFilter`). It keys the backup image
 * builds, so they re-run exactly when Trove's `backup/` directory changes, not on every `pulumi up`
 * and not when unrelated or ignored files change.
 */
export function buildContextDigest(dir: string): string {
    return `sha256:${digestTree(dir, dockerignoreFilter(dir))}`;
}

/** The files (and symlinks) the digest covers, sorted: what Docker sends. Exported for testing. */
export function buildContextFiles(dir: string): string[] {
    const files: string[] = [];
    walkTree(dir, (relative, _absolute, stat) => {
        if (relative && !stat.isDirectory()) files.push(relative);
    }, dockerignoreFilter(dir));
    return files;
}

/**
 * What Docker leaves out of a build context, by the context's `.dockerignore`, with Docker's own
 * matcher (`@balena/dockerignore`, a port of moby's: `*`, `?`, `**`, `!` exceptions where the last
 * matching line wins, `#` comments, leading and trailing `/` dropped, a pattern also matching
 * everything below a directory it matches; case-sensitive, as Docker is on Linux).
 *
 * As the Docker CLI does before it sends a context (`TrimBuildFilesFromExcludes`), the Dockerfile
 * and `.dockerignore` are kept even when a pattern matches them: the builder needs them, and a
 * change to either changes the build.
 *
 * An excluded directory is walked into when an exception could re-include something below it:
 * always when an exception has a wildcard (BuildKit walks then), and when an exception's path
 * starts with the directory's (the only case in which the classic builder, the one the backup
 * builds use, walks in). Each entry below is then decided on its own. So the digest covers every
 * file either builder sends: a changed file can never be missed, and the only cost is a rebuild
 * when a file only BuildKit would send changes.
 */
export function dockerignoreFilter(dir: string): TreeFilter {
    let text: string;
    try {
        text = fs.readFileSync(path.join(dir, DOCKERIGNORE), "utf8");
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return { skip: () => false };
        throw e;
    }
    // Docker reads the file line by line, dropping a UTF-8 byte order mark.
    const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
    const matcher = ignore({ ignorecase: false }).add(lines);
    const kept = [DOCKERIGNORE, DOCKERFILE].filter((file) => matcher.ignores(file)).map((file) => `!${file}`);
    matcher.add(kept);
    const exceptions = [...lines, ...kept].map(exceptionPath).filter((p): p is string => p !== undefined);
    const anyWildcard = exceptions.some((p) => /[*?[\\]/.test(p));
    return {
        skip: (relative) => matcher.ignores(relative),
        descend: (relative) => anyWildcard || exceptions.some((p) => `${p}/`.startsWith(`${relative}/`)),
    };
}

/**
 * The path of a `!` exception line, cleaned as Docker cleans patterns (comments skipped, spaces
 * trimmed, `path.Clean`, leading `/` dropped); undefined for any other line.
 */
function exceptionPath(line: string): string | undefined {
    if (line.startsWith("#")) return undefined;
    const trimmed = line.trim();
    if (!trimmed.startsWith("!")) return undefined;
    const pattern = trimmed.slice(1).trim();
    if (!pattern) return undefined;
    const cleaned = path.posix.normalize(pattern).replace(/(?<=.)\/$/, "");
    return cleaned.length > 1 && cleaned.startsWith("/") ? cleaned.slice(1) : cleaned;
}
