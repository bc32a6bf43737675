// `npm run docs:config`: writes the configuration's documentation from its schema. `--check` only
// compares, and exits 1 naming the files that are out of date (test/region/config-docs.test.ts does
// the same in the unit suite).
import * as fs from "fs";
import * as path from "path";
import { configurationReference, readmeConfigTable, README_TABLE_MARKERS, replaceBetween, stackFileJsonSchema } from "../components/region/config-docs";

const repo = path.join(__dirname, "..");

/** Each generated file with the content it should have. */
export function generatedDocs(): Record<string, string> {
    const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8");
    return {
        "README.md": replaceBetween(readme, README_TABLE_MARKERS[0], README_TABLE_MARKERS[1], readmeConfigTable()),
        "docs/configuration.md": configurationReference(),
        "docs/stack-config.schema.json": `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`,
    };
}

if (require.main === module) {
    const check = process.argv.includes("--check");
    const stale: string[] = [];
    for (const [file, content] of Object.entries(generatedDocs())) {
        const target = path.join(repo, file);
        const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
        if (current === content) continue;
        stale.push(file);
        if (!check) fs.writeFileSync(target, content);
    }
    if (check && stale.length > 0) {
        console.error(`out of date (run npm run docs:config): ${stale.join(", ")}`);
        process.exit(1);
    }
    console.log(stale.length === 0 ? "configuration docs are up to date" : `wrote ${stale.join(", ")}`);
}
