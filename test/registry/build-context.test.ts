import * as fs from "fs";
import * as path from "path";
import { buildContextDigest } from "../../components/registry/build-context";
import { tempDir } from "../tmp";

/** A small stand-in for Trove's backup/ directory. */
function context(files: Record<string, string> = {}): string {
    const dir = tempDir("ctx");
    const all: Record<string, string> = { "Dockerfile": "FROM base\nARG DATASTORE\n", "scripts/backup.sh": "echo backup\n", ...files };
    for (const [name, content] of Object.entries(all)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), content);
    }
    return dir;
}

describe("buildContextDigest", () => {
    test("the same files give the same digest wherever the directory is", () => {
        expect(buildContextDigest(context())).toBe(buildContextDigest(context()));
        expect(buildContextDigest(context())).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    test.each<[string, (dir: string) => void]>([
        ["a file's content", (dir) => fs.writeFileSync(path.join(dir, "scripts/backup.sh"), "echo other\n")],
        ["a new file", (dir) => fs.writeFileSync(path.join(dir, "scripts/restore.sh"), "echo restore\n")],
        ["a renamed file", (dir) => fs.renameSync(path.join(dir, "scripts/backup.sh"), path.join(dir, "scripts/backup2.sh"))],
        ["a removed file", (dir) => fs.rmSync(path.join(dir, "scripts/backup.sh"))],
        ["the executable bit", (dir) => fs.chmodSync(path.join(dir, "scripts/backup.sh"), 0o755)],
    ])("changes with %s", (_label, change) => {
        const dir = context();
        const before = buildContextDigest(dir);
        change(dir);
        expect(buildContextDigest(dir)).not.toBe(before);
    });

    test("does not change with what .dockerignore leaves out, or with the files' times", () => {
        const dir = context({ ".dockerignore": "# build leftovers\n*.pyc\n.git/\ndocs\n", "docs/README": "x", "a.pyc": "1" });
        const before = buildContextDigest(dir);
        fs.writeFileSync(path.join(dir, "a.pyc"), "2");
        fs.writeFileSync(path.join(dir, "docs/README"), "y");
        fs.mkdirSync(path.join(dir, ".git"));
        fs.writeFileSync(path.join(dir, ".git/HEAD"), "ref");
        fs.utimesSync(path.join(dir, "Dockerfile"), new Date(0), new Date(0));
        expect(buildContextDigest(dir)).toBe(before);
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM other\n");
        expect(buildContextDigest(dir)).not.toBe(before);
    });
});
