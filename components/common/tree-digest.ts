import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/**
 * A sha256 (hex) of a file or directory tree: relative paths, the files' executable bit and
 * contents, and symlink targets, in sorted order, so it is the same on every machine and changes only
 * when the content does (not with times or where the tree sits). `skip` leaves out an entry, and
 * everything below it, by its path relative to the root.
 */
export function digestTree(root: string, skip: (relative: string) => boolean = () => false): string {
    const hash = crypto.createHash("sha256");
    const visit = (absolute: string, relative: string): void => {
        const stat = fs.lstatSync(absolute);
        if (stat.isSymbolicLink()) {
            hash.update(`L ${relative} -> ${fs.readlinkSync(absolute)}\n`);
        } else if (stat.isDirectory()) {
            hash.update(`D ${relative}\n`);
            for (const entry of fs.readdirSync(absolute).sort()) {
                const child = relative ? `${relative}/${entry}` : entry;
                if (!skip(child)) visit(path.join(absolute, entry), child);
            }
        } else if (stat.isFile()) {
            hash.update(`F ${relative} ${stat.mode & 0o111 ? "x" : "-"} ${stat.size}\n`);
            hash.update(fs.readFileSync(absolute));
        }
    };
    visit(root, "");
    return hash.digest("hex");
}
