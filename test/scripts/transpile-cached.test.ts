// scripts/transpile-cached.js, the loader Pulumi runs the stack program with: each .ts file is
// transpiled once per content, and a run that finds everything cached never loads the compiler.
// Run in child processes, as Pulumi runs it (node --require).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../tmp";

const LOADER = path.join(__dirname, "..", "..", "scripts", "transpile-cached.js");

/** Runs `node --require LOADER -e code` with its own cache directory; what it prints. */
function run(cache: string, code: string): string {
    return execFileSync(process.execPath, ["--require", LOADER, "-e", code], {
        env: { ...process.env, TROVE_REGION_TRANSPILE_CACHE: cache }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
    });
}

/** Loads `file` and prints its export `value` and whether the TypeScript compiler was loaded. */
const loadAndReport = (file: string) =>
    `const v = require(${JSON.stringify(file)}).value; ` +
    "const compiled = Object.keys(require.cache).some((k) => /[\\\\/]typescript[\\\\/]lib[\\\\/]typescript\\.js$/.test(k)); " +
    "console.log(JSON.stringify({ v, compiled }))";

describe("transpile-cached", () => {
    const dir = tempDir("transpile");
    const source = path.join(dir, "program.ts");

    test("the first run transpiles and caches; the next loads the cache without the compiler; an edit transpiles again", () => {
        const cache = path.join(dir, "cache-1");
        fs.writeFileSync(source, "interface Shape { readonly sides: number }\nconst square: Shape = { sides: 4 };\nexport const value: number = square.sides;\n");
        expect(JSON.parse(run(cache, loadAndReport(source)))).toEqual({ v: 4, compiled: true });
        expect(fs.readdirSync(cache)).toHaveLength(1);
        expect(JSON.parse(run(cache, loadAndReport(source)))).toEqual({ v: 4, compiled: false });
        fs.writeFileSync(source, "export const value: number = 5;\n");
        expect(JSON.parse(run(cache, loadAndReport(source)))).toEqual({ v: 5, compiled: true });
        expect(fs.readdirSync(cache)).toHaveLength(2);
    });

    test("the project's compiler options apply: declared fields set by a base constructor keep their value (useDefineForClassFields false)", () => {
        // Pulumi's resources set their outputs in the base constructor; a field defined the ES2022 way would reset them.
        fs.writeFileSync(source, [
            "class Base { constructor() { (this as unknown as { out: string }).out = \"set by the base\"; } }",
            "class Derived extends Base { public readonly out!: string; }",
            "export const value = new Derived().out;",
        ].join("\n"));
        expect(JSON.parse(run(path.join(dir, "cache-2"), loadAndReport(source))).v).toBe("set by the base");
    });

    test("an error's stack points at the TypeScript line, from the cache too", () => {
        const cache = path.join(dir, "cache-3");
        fs.writeFileSync(source, "interface A {\n    a: string;\n}\ntype B = A;\nexport const value = 1;\nthrow new Error(\"line 6\");\n");
        const code = `try { require(${JSON.stringify(source)}); } catch (e) { console.log(/program\\.ts:(\\d+)/.exec(e.stack)[1]); }`;
        expect(run(cache, code).trim()).toBe("6");
        expect(run(cache, code).trim()).toBe("6");
    });

    test("a cache directory that cannot be written still runs the program", () => {
        const blocked = path.join(dir, "not-a-directory");
        fs.writeFileSync(blocked, "");
        fs.writeFileSync(source, "export const value = \"ran\";\n");
        expect(JSON.parse(run(path.join(blocked, "cache"), loadAndReport(source))).v).toBe("ran");
    });
});
