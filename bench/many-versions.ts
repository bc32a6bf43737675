// Issue 17, goal 2: a stack file like the dev stack's with N datastore versions instead of its 3,
// so the benchmark can compare the two side by side. Each of the dev stack's versions grows into a
// series of patch releases of the same source image (mysql 8.4 -> 8.4.0, 8.4.1, ...): every
// version is a full one (its own datastore and backup image tags, Trove datastore version and
// configuration parameters), as a region that keeps older releases offers them.
//
//   npx ts-node --transpile-only bench/many-versions.ts --from Pulumi.dev.yaml --versions 30 --to Pulumi.bench30.yaml
import * as fs from "fs";
import * as yaml from "js-yaml";
import { parseArgs } from "util";

const DATASTORES_KEY = "trove-region:datastores";

/** One datastore version as the stack file writes it (the keys this generator reads or sets). */
interface VersionEntry {
    readonly datastore: string;
    readonly version: string;
    readonly sourceImage: string;
    readonly [key: string]: unknown;
}

function isVersionEntry(value: unknown): value is VersionEntry {
    if (typeof value !== "object" || value === null) return false;
    const v = value as Record<string, unknown>;
    return typeof v.datastore === "string" && typeof v.version === "string" && typeof v.sourceImage === "string";
}

/**
 * `count` versions grown from `base`, round robin over the base versions so each datastore gets a
 * share: the i-th release of base version V is named V.i and tagged so (its versionNumber).
 * Each datastore's first version is its default (Trove's rule when none is marked). Throws on a
 * count below the base's.
 */
export function growVersions(base: readonly VersionEntry[], count: number): VersionEntry[] {
    if (!Number.isInteger(count) || count < base.length || base.length === 0) {
        throw new Error(`--versions ${count}: give a whole number >= ${base.length} (the base stack's versions)`);
    }
    const out: VersionEntry[] = [];
    for (let i = 0; i < count; i++) {
        const b = base[i % base.length];
        const release = Math.floor(i / base.length);
        const { versionNumber: _number, default: _default, ...rest } = b;
        const version = `${b.version}.${release}`;
        out.push({ ...rest, version, versionNumber: version });
    }
    return out;
}

/** The stack file's text with its datastore list grown to `count` versions; every other key as it was. */
export function growStackFile(text: string, count: number): string {
    const doc = yaml.load(text) as { config?: Record<string, unknown> } | undefined;
    const list = doc?.config?.[DATASTORES_KEY];
    if (!Array.isArray(list) || !list.every(isVersionEntry)) {
        throw new Error(`the stack file has no ${DATASTORES_KEY} list of {datastore, version, sourceImage} entries`);
    }
    doc!.config![DATASTORES_KEY] = growVersions(list, count);
    return yaml.dump(doc, { lineWidth: -1, quotingType: "\"" });
}

function main(argv: readonly string[]): number {
    try {
        const { values } = parseArgs({ args: [...argv], options: { from: { type: "string" }, to: { type: "string" }, versions: { type: "string" } }, strict: true });
        if (!values.from || !values.to || !values.versions) throw new Error("usage: many-versions.ts --from <stack file> --versions <N> --to <stack file>");
        fs.writeFileSync(values.to, growStackFile(fs.readFileSync(values.from, "utf8"), Number(values.versions)));
        return 0;
    } catch (err) {
        console.error(`many-versions: ${(err as Error).message}`);
        return 2;
    }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
