// The configuration's documentation cannot drift from its schema: the README's table, the key
// reference and the JSON Schema are generated from it, and the other places that name keys are
// checked against it.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import Ajv2020 from "ajv/dist/2020";
import { generatedDocs } from "../../scripts/config-docs";
import { configKeys } from "../../components/region/config-keys";
import { defaultCell, stackFileJsonSchema } from "../../components/region/config-docs";
import { CONFIG_NAMESPACE } from "../../components/region/config-schema";

const repo = path.join(__dirname, "..", "..");
const read = (file: string): string => fs.readFileSync(path.join(repo, file), "utf8");
const keys = configKeys();

test("the generated docs are up to date (npm run docs:config)", () => {
    for (const [file, content] of Object.entries(generatedDocs())) {
        expect({ file, upToDate: read(file) === content }).toEqual({ file, upToDate: true });
    }
    console.log(`the schema covers ${keys.length} keys (${keys.filter((k) => !/[.[]/.test(k.path)).length} top-level)`);
});

test("every key docs/config-set.md sets is a key of the schema", () => {
    const known = new Set(keys.map((k) => k.path));
    // Operators' own map keys (a project id, a manager) are the schema's <key>; inside a free-form map
    // (cloudInit's cloud-config) anything goes.
    const freeForm = keys.filter((k) => k.type === "map of maps" && !keys.some((c) => c.path.startsWith(`${k.path}.<key>`))).map((k) => k.path);
    const used = [...read("docs/config-set.md").matchAll(/trove-region:([A-Za-z][A-Za-z0-9._[\]<>-]*)/g)]
        .map((m) => m[1].replace(/\[\d+\]/g, "[]").replace(/<[a-z-]+>/g, "<key>"));
    expect(used.length).toBeGreaterThan(15);
    expect(used.filter((k) => !known.has(k.replace(/\[\]$/, "")) && !freeForm.some((f) => k.startsWith(`${f}.`)))).toEqual([]);
});

test("Pulumi.yaml declares the scalar settings with the schema's types and defaults", () => {
    const declared = (yaml.load(read("Pulumi.yaml")) as { config: Record<string, { type: string; default: unknown }> }).config;
    expect(Object.keys(declared).length).toBeGreaterThan(0);
    for (const [key, { type, default: value }] of Object.entries(declared)) {
        const schemaKey = keys.find((k) => k.path === key);
        expect({ key, type: schemaKey?.type }).toEqual({ key, type: type === "string" ? "text" : type });
        expect({ key, default: defaultCell(schemaKey!) }).toEqual({ key, default: `\`${String(value)}\`` });
    }
});

describe("docs/stack-config.schema.json", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(stackFileJsonSchema());

    test.each(["Pulumi.example.yaml", "Pulumi.dev.yaml"])("accepts %s", (file) => {
        const valid = validate(yaml.load(read(file)));
        expect(validate.errors ?? []).toEqual([]);
        expect(valid).toBe(true);
    });

    test("accepts ciphertext where a secret goes, refuses a misspelt key and a wrong type", () => {
        const stack = yaml.load(read("Pulumi.dev.yaml")) as { config: Record<string, unknown> };
        const trove = stack.config[`${CONFIG_NAMESPACE}:trove`] as Record<string, unknown>;
        const withSecret = { config: { ...stack.config, [`${CONFIG_NAMESPACE}:trove`]: { ...trove, troveManage: { ssh: { host: "ctl1", user: "trove", privateKey: { secure: "v1:abc" } } } } } };
        expect(validate(withSecret)).toBe(true);
        expect(validate({ config: { ...stack.config, [`${CONFIG_NAMESPACE}:maxInstance`]: "500" } })).toBe(false);
        expect(validate({ config: { ...stack.config, [`${CONFIG_NAMESPACE}:volumeType`]: { name: "trove", create: "maybe" } } })).toBe(false);
        expect(validate({ config: { ...stack.config, [`${CONFIG_NAMESPACE}:securityGroups`]: { sshFromCidrs: "192.0.2.10/32" } } })).toBe(false);
    });
});
