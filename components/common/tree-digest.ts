import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Which entries of a tree count, by their paths relative to its root (`a/b`, never the root itself). */
export interface TreeFilter {
    /**
     * Leaves out an entry: a file's or symlink's path and content, a directory's own line and,
     * unless `descend` says otherwise, everything below it.
     */
    readonly skip: (relative: string) => boolean;
    /**
     * Asked of each directory `skip` left out: true walks on inside it, and `skip` decides each entry
     * below on its own (how Docker re-includes `!dir/keep` under an excluded `dir`).
     * @default never: a skipped directory is left out with everything below it
     */
    readonly descend?: (relative: string) => boolean;
}

/**
 * Visits the entries of a file or directory tree that `filter` keeps, in sorted order, parents
 * before their children (the root first, as ""). Symlinks are visited, not followed.
 */
export function walkTree(root: string, visit: (relative: string, absolute: string, stat: fs.Stats) => void, filter: TreeFilter = { skip: () => false }): void {
    const descend = filter.descend ?? (() => false);
    const walk = (absolute: string, relative: string, kept: boolean): void => {
        const stat = fs.lstatSync(absolute);
        if (kept) visit(relative, absolute, stat);
        if (!stat.isDirectory()) return;
        for (const entry of fs.readdirSync(absolute).sort()) {
            const child = relative ? `${relative}/${entry}` : entry;
            const childPath = path.join(absolute, entry);
            if (!filter.skip(child)) walk(childPath, child, true);
            else if (fs.lstatSync(childPath).isDirectory() && descend(child)) walk(childPath, child, false);
        }
    };
    walk(root, "", true);
}

/**
 * A sha256 (hex) of a file or directory tree: relative paths, the files' executable bit and
 * contents, and symlink targets, in sorted order, so it is the same on every machine and changes only
 * when the content does (not with times or where the tree sits). `skip` leaves out an entry, and
 * everything below it, by its path relative to the root; a `TreeFilter` can also walk on inside a
 * skipped directory (see `TreeFilter.descend`).
 */
export function digestTree(root: string, skip: ((relative: string) => boolean) | TreeFilter = () => false): string {
    const hash = crypto.createHash("sha256");
    walkTree(root, (relative, absolute, stat) => {
        if (stat.isSymbolicLink()) {
            hash.update(`L ${relative} -> ${fs.readlinkSync(absolute)}\n`);
        } else if (stat.isDirectory()) {
            hash.update(`D ${relative}\n`);
        } else if (stat.isFile()) {
            hash.update(`F ${relative} ${stat.mode & 0o111 ? "x" : "-"} ${stat.size}\n`);
            hash.update(fs.readFileSync(absolute));
        }
    }, typeof skip === "function" ? { skip } : skip);
    return hash.digest("hex");
}
