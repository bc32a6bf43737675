// bench/many-versions.ts: the 30-version stack file of goal 2 is the dev stack's with only its
// datastore list grown, every version distinct and valid for the stack's own config reader.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { growStackFile, growVersions } from "../../bench/many-versions";
import { parseStackConfig } from "../../components/region/region-config";
import { rawConfig } from "../support/stack-file";

const DEV = fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.dev.yaml"), "utf8");
const BASE = [
    { datastore: "mysql", version: "8.4", sourceImage: "mysql:8.4" },
    { datastore: "mariadb", version: "11.8", sourceImage: "mariadb:11.8", default: true },
    { datastore: "postgresql", version: "17", sourceImage: "postgres:17", versionNumber: "17" },
];

describe("growVersions", () => {
    it("grows each base version into patch releases, round robin, each tagged by its own number", () => {
        const grown = growVersions(BASE, 7);
        expect(grown.map((v) => `${v.datastore} ${v.version} ${String(v.versionNumber)} ${v.sourceImage}`)).toEqual([
            "mysql 8.4.0 8.4.0 mysql:8.4", "mariadb 11.8.0 11.8.0 mariadb:11.8", "postgresql 17.0 17.0 postgres:17",
            "mysql 8.4.1 8.4.1 mysql:8.4", "mariadb 11.8.1 11.8.1 mariadb:11.8", "postgresql 17.1 17.1 postgres:17",
            "mysql 8.4.2 8.4.2 mysql:8.4",
        ]);
        // No version is marked default: each datastore's first is, by Trove's rule.
        expect(grown.some((v) => "default" in v)).toBe(false);
    });

    it.each([[2], [0], [3.5], [Number.NaN]])("refuses %p versions (fewer than the base's, or not whole)", (count) => {
        expect(() => growVersions(BASE, count)).toThrow(/give a whole number >= 3/);
    });
});

describe("growStackFile", () => {
    it("gives the dev stack 30 versions and leaves every other key as it was", () => {
        const before = yaml.load(DEV) as { config: Record<string, unknown> };
        const after = yaml.load(growStackFile(DEV, 30)) as { config: Record<string, unknown>; encryptionsalt: string };
        const versions = after.config["trove-region:datastores"] as { datastore: string; version: string }[];
        expect(versions).toHaveLength(30);
        expect(new Set(versions.map((v) => `${v.datastore}/${v.version}`)).size).toBe(30);
        const { "trove-region:datastores": _a, ...restAfter } = after.config;
        const { "trove-region:datastores": _b, ...restBefore } = before.config;
        expect(restAfter).toEqual(restBefore);
        expect(after.encryptionsalt).toBe((yaml.load(DEV) as { encryptionsalt: string }).encryptionsalt);
    });

    it("writes a file the stack's config reader accepts, versions as strings", () => {
        const grown = yaml.load(growStackFile(DEV, 30)) as { config: Record<string, unknown> };
        const settings = Object.entries(grown.config).filter(([k]) => k.startsWith("trove-region:"));
        const text = settings.map(([k, v]) => yaml.dump({ [k.slice("trove-region:".length)]: v })).join("");
        const { config, problems } = parseStackConfig(rawConfig(text));
        expect(problems).toEqual([]);
        expect(config?.datastores.map((d) => d.version)).toContain("17.9");
    });

    it("refuses a stack file without a datastore list", () => {
        expect(() => growStackFile("config:\n  trove-region:maxInstances: \"10\"\n", 30)).toThrow(/no trove-region:datastores list/);
    });
});
