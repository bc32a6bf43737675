import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const made: string[] = [];

// Imported at a test file's top level, so this hook belongs to that file.
afterAll(() => {
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh directory inside the repository (`.test-work/`, ignored by git), removed when the test
 * file ends: Pulumi workspaces made here resolve the project's node_modules, as the engine's
 * dynamic-provider host needs.
 */
export function workDir(prefix: string): string {
    const root = path.join(__dirname, "..", ".test-work");
    fs.mkdirSync(root, { recursive: true });
    const dir = fs.mkdtempSync(path.join(root, `${prefix}-`));
    made.push(dir);
    return dir;
}

/** A fresh directory under the OS temp dir, removed when the test file ends. */
export function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `trove-region-${prefix}-`));
    made.push(dir);
    return dir;
}
