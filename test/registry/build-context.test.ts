import * as fs from "fs";
import * as path from "path";
import { buildContextDigest, buildContextFiles } from "../../components/registry/build-context";
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

    test("with no .dockerignore, every file counts", () => {
        expect(buildContextFiles(context({ "a.pyc": "1" }))).toEqual(["Dockerfile", "a.pyc", "scripts/backup.sh"]);
    });
});

describe(".dockerignore, by Docker's rules", () => {
    /** The context's files that count, for a .dockerignore and some files besides the Dockerfile and scripts/backup.sh. */
    const counted = (dockerignore: string, files: string[]) =>
        buildContextFiles(context({ ".dockerignore": dockerignore, ...Object.fromEntries(files.map((f) => [f, f])) }));

    test("**/*.pyc at any depth, with !keep.pyc re-included", () => {
        expect(counted("**/*.pyc\n!keep.pyc\n", ["a.pyc", "keep.pyc", "scripts/b.pyc", "scripts/deep/c.pyc", "scripts/keep.pyc"]))
            .toEqual([".dockerignore", "Dockerfile", "keep.pyc", "scripts/backup.sh"]);
    });

    test("*.pyc is the top level only (a glob, not a .gitignore name)", () => {
        expect(counted("*.pyc\n", ["a.pyc", "scripts/b.pyc"])).toEqual([".dockerignore", "Dockerfile", "scripts/b.pyc", "scripts/backup.sh"]);
    });

    test("docs/** with !docs/README.md", () => {
        expect(counted("docs/**\n!docs/README.md\n", ["docs/README.md", "docs/guide.md", "docs/img/a.png"]))
            .toEqual([".dockerignore", "Dockerfile", "docs/README.md", "scripts/backup.sh"]);
    });

    test("!docs/README.md re-includes a file under an ignored directory, and only that file", () => {
        expect(counted("docs\n!docs/README.md\n", ["docs/README.md", "docs/guide.md", "docs/sub/README.md"]))
            .toEqual([".dockerignore", "Dockerfile", "docs/README.md", "scripts/backup.sh"]);
        expect(counted("docs/\n!docs/sub/keep\n", ["docs/a", "docs/sub/keep", "docs/sub/other"]))
            .toEqual([".dockerignore", "Dockerfile", "docs/sub/keep", "scripts/backup.sh"]);
    });

    test("the last matching line wins", () => {
        expect(counted("!docs/README.md\ndocs\n", ["docs/README.md"])).toEqual([".dockerignore", "Dockerfile", "scripts/backup.sh"]);
    });

    test("an exception with a wildcard is looked for inside ignored directories too (BuildKit does)", () => {
        expect(counted("docs\n!**/README.md\n", ["docs/README.md", "docs/guide.md", "README.md"]))
            .toEqual([".dockerignore", "Dockerfile", "README.md", "docs/README.md", "scripts/backup.sh"]);
    });

    test("# starts a comment only in the first column; blank lines and spaces around patterns do not count", () => {
        expect(counted("# notes\n#notes\n #x\n\n   \n  notes.txt  \n", ["#notes", "# notes", "#x", "notes.txt"]))
            .toEqual(["# notes", "#notes", ".dockerignore", "Dockerfile", "scripts/backup.sh"]);
    });

    test("a leading / changes nothing: patterns are anchored at the context's root anyway", () => {
        expect(counted("/tmp.txt\n/build/\n", ["tmp.txt", "scripts/tmp.txt", "build/out", "scripts/build/out"]))
            .toEqual([".dockerignore", "Dockerfile", "scripts/backup.sh", "scripts/build/out", "scripts/tmp.txt"]);
    });

    test("matching is case-sensitive, as Docker's is on Linux", () => {
        expect(counted("*.PYC\n", ["a.pyc"])).toEqual([".dockerignore", "Dockerfile", "a.pyc", "scripts/backup.sh"]);
    });

    test("the Dockerfile and .dockerignore always count, as the Docker CLI sends them even when matched", () => {
        expect(counted("*\n", ["a.txt"])).toEqual([".dockerignore", "Dockerfile"]);
        expect(counted("Dockerfile\n.dockerignore\nscripts\n", [])).toEqual([".dockerignore", "Dockerfile"]);
    });

    test("a change in an ignored file leaves the digest as it was; a change in a re-included file changes it", () => {
        const dir = context({ ".dockerignore": "**/*.pyc\n!keep.pyc\ndocs\n!docs/README.md\n", "a.pyc": "1", "keep.pyc": "1", "docs/README.md": "1", "docs/guide.md": "1" });
        const before = buildContextDigest(dir);
        fs.writeFileSync(path.join(dir, "a.pyc"), "2");
        fs.writeFileSync(path.join(dir, "docs/guide.md"), "2");
        fs.writeFileSync(path.join(dir, "docs/new.md"), "2");
        fs.mkdirSync(path.join(dir, "docs/sub"));
        fs.writeFileSync(path.join(dir, "scripts/c.pyc"), "2");
        expect(buildContextDigest(dir)).toBe(before);

        fs.writeFileSync(path.join(dir, "keep.pyc"), "2");
        const afterKeep = buildContextDigest(dir);
        expect(afterKeep).not.toBe(before);
        fs.writeFileSync(path.join(dir, "docs/README.md"), "2");
        expect(buildContextDigest(dir)).not.toBe(afterKeep);
    });

    test("a change to an ignored Dockerfile or .dockerignore still changes the digest", () => {
        const dir = context({ ".dockerignore": "Dockerfile\n.dockerignore\n" });
        const before = buildContextDigest(dir);
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM other\n");
        const afterDockerfile = buildContextDigest(dir);
        expect(afterDockerfile).not.toBe(before);
        fs.appendFileSync(path.join(dir, ".dockerignore"), "# a comment\n");
        expect(buildContextDigest(dir)).not.toBe(afterDockerfile);
    });
});
