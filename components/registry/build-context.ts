import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/**
 * A digest of a Docker build context: every file's path, mode and content, in a stable order, minus
 * what `.dockerignore` names (its plain lines: paths and `dir/` prefixes, `*` globs, `#` comments).
 * It keys the backup image builds, so they re-run exactly when Trove's `backup/` directory changes,
 * not on every `pulumi up` and not when unrelated files change.
 */
export function buildContextDigest(dir: string): string {
    const ignored = dockerignoreMatcher(dir);
    const hash = crypto.createHash("sha256");
    const walk = (rel: string): void => {
        const abs = path.join(dir, rel);
        for (const entry of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
            const child = rel ? `${rel}/${entry.name}` : entry.name;
            if (ignored(child)) continue;
            const stat = fs.lstatSync(path.join(dir, child));
            if (entry.isDirectory()) {
                walk(child);
            } else if (entry.isSymbolicLink()) {
                hash.update(`l\0${child}\0${fs.readlinkSync(path.join(dir, child))}\0`);
            } else if (entry.isFile()) {
                // Docker copies the executable bit into the image; a chmod is a real change.
                hash.update(`f\0${child}\0${(stat.mode & 0o111) !== 0 ? "x" : "-"}\0${stat.size}\0`);
                hash.update(fs.readFileSync(path.join(dir, child)));
            }
        }
    };
    walk("");
    return `sha256:${hash.digest("hex")}`;
}

function dockerignoreMatcher(dir: string): (rel: string) => boolean {
    let text = "";
    try {
        text = fs.readFileSync(path.join(dir, ".dockerignore"), "utf8");
    } catch {
        return () => false;
    }
    const patterns = text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#") && !l.startsWith("!"))
        .map((l) => l.replace(/^\/+|\/+$/g, ""))
        .map((l) => new RegExp(`^${l.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}(/.*)?$`));
    return (rel) => patterns.some((p) => p.test(rel));
}
