import * as fs from "fs";
import * as path from "path";
import { digestTree } from "../common/tree-digest";

/**
 * A digest of a Docker build context: every file's path, executable bit and content, minus what
 * `.dockerignore` names (its plain lines: paths and `dir/` prefixes, `*` globs, `#` comments).
 * It keys the backup image builds, so they re-run exactly when Trove's `backup/` directory changes,
 * not on every `pulumi up` and not when unrelated files change.
 */
export function buildContextDigest(dir: string): string {
    return `sha256:${digestTree(dir, dockerignoreMatcher(dir))}`;
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
