"use strict";
// Loads the stack program's TypeScript for every Pulumi run (Pulumi.yaml: nodeargs --require), in
// place of the ts-node Pulumi would register: each .ts file is transpiled by TypeScript's own
// transpileModule with the project's compiler options, once per content, and kept on disk. A run
// whose files are all cached neither loads the TypeScript compiler nor transpiles anything: loading
// index.ts took 2.9-3.5 s with ts-node (transpile only) and 1.0 s as compiled JavaScript on this
// project (2 cores). Types are not checked here: `npm test`, `npm start` and `npm run build` run tsc.
//
// The cache key is the file's path and content, the tsconfig.json text and the compiler's version,
// so an edit, a new compiler or a changed option transpiles again. Errors point at the TypeScript
// lines through inline source maps, which Node applies itself.
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const cacheDir = process.env.TROVE_REGION_TRANSPILE_CACHE || path.join(root, "node_modules", ".cache", "trove-region", "transpiled");
const tsconfigPath = path.join(root, "tsconfig.json");

let compilerVersion;
let tsconfigText;
/** What, besides a file's own path and content, decides its output. */
function environmentKey() {
    if (compilerVersion === undefined) {
        compilerVersion = JSON.parse(fs.readFileSync(require.resolve("typescript/package.json", { paths: [root] }), "utf8")).version;
        tsconfigText = fs.readFileSync(tsconfigPath, "utf8");
    }
    return `${compilerVersion}\0${tsconfigText}`;
}

let compiler;
/** The TypeScript compiler and the project's options, loaded on the first cache miss only. */
function loadCompiler() {
    if (!compiler) {
        const ts = require(require.resolve("typescript", { paths: [root] }));
        const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(tsconfigPath, ts.sys.readFile).config, ts.sys, root);
        const options = { ...parsed.options, sourceMap: false, inlineSourceMap: true, inlineSources: false, declaration: false, noEmit: false };
        compiler = { ts, options };
    }
    return compiler;
}

function transpile(filename, source) {
    const key = crypto.createHash("sha256").update(environmentKey()).update("\0").update(filename).update("\0").update(source).digest("hex");
    const cached = path.join(cacheDir, `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // Not cached yet: transpiled below.
    }
    const { ts, options } = loadCompiler();
    const output = ts.transpileModule(source, { compilerOptions: options, fileName: filename }).outputText;
    try {
        fs.mkdirSync(cacheDir, { recursive: true });
        // Written aside, then renamed: a run reading the cache at the same time sees all or nothing.
        const partial = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(partial, output);
        fs.renameSync(partial, cached);
    } catch {
        // A read-only checkout still runs, transpiling every time.
    }
    return output;
}

process.setSourceMapsEnabled(true);
require.extensions[".ts"] = function loadTypeScript(module, filename) {
    module._compile(transpile(filename, fs.readFileSync(filename, "utf8")), filename);
};
