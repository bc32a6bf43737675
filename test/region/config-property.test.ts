// Whatever an operator writes, the reader answers with config errors, never with a crash: random
// shapes and random values for every key of the schema, plus keys nobody knows.
import fc from "fast-check";
import { z } from "zod";
import { loadRegionConfig, parseStackConfig, readRegionConfig, RawStackConfig } from "../../components/region/region-config";
import { stackConfigSchema } from "../../components/region/config-schema";
import { configKeys } from "../../components/region/config-keys";
import { def, unwrap } from "../../components/common/schema-problems";
import { ValidationError } from "../../components/common/validation";

const connection = { authUrl: "", username: "", password: "", projectName: "" };

/** Values that look right somewhere in the schema, so random configs get past the shapes into the domain rules. */
const plausibleText = fc.constantFrom(
    "", " ", "10.254.0.0/22", "0.0.0.0/0", "10.0.0.1/24", "::/0", "2001:db8::/32", "192.0.2.10", "10.0.0.5:4000",
    "mysql:8.4", "mariadb:10.11", "mysql", "mariadb", "postgresql", "5.7.29", "10.11", "none", "create", "existing",
    "existing-router", "new-router", "host-routes", "build", "file", "url", "all", "restricted", "tcp", "udp",
    "unix:///var/run/docker.sock", "ssh://ubuntu@10.0.0.5", "https://example.org/img.qcow2", "qcow2", "raw", "noble",
    "a\nb", "trövé", "x".repeat(300), "/nonexistent/path", "yes", "no", "maybe", "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----",
);
const anyText = fc.oneof(plausibleText, fc.string({ maxLength: 12 }));
const anyNumber = fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constantFrom(0, -1, 1, 2 ** 31, 99999999999, 1.5, Number.MAX_SAFE_INTEGER));
const junk = fc.jsonValue({ maxDepth: 2 });

/** Random values shaped by the schema at every level, each level sometimes replaced by junk. */
function arbitraryFor(schema: z.ZodType, depth = 0, junkWeight = 1): fc.Arbitrary<unknown> {
    const s = unwrap(schema);
    const d = def(s);
    const shaped = ((): fc.Arbitrary<unknown> => {
        switch (d.type) {
            case "string": return junkWeight === 0 ? plausibleText : anyText;
            case "number": return anyNumber;
            case "boolean": return fc.boolean();
            case "literal": return fc.constantFrom(...(d.values ?? []));
            case "enum": return fc.constantFrom(...Object.values((d as unknown as { entries: Record<string, string> }).entries));
            case "array": return depth > 6 ? fc.constant([]) : fc.array(arbitraryFor(d.element!, depth + 1, junkWeight), { maxLength: 3 });
            case "record": return fc.dictionary(fc.string({ maxLength: 6 }), anyText, { maxKeys: 2 });
            case "object": {
                const fields = Object.fromEntries(Object.entries(d.shape ?? {}).map(([k, v]) => [k, arbitraryFor(v, depth + 1, junkWeight)]));
                return fc.record(fields, { requiredKeys: [] });
            }
            case "union": return fc.oneof(...(d.options ?? []).map((o) => arbitraryFor(o, depth + 1, junkWeight)));
            default: return junk;
        }
    })();
    return junkWeight === 0 ? shaped : fc.oneof({ arbitrary: shaped, weight: 8 }, { arbitrary: junk, weight: junkWeight });
}

/** A random stack file's settings as the engine hands them over, unknown keys and random secret marks included. */
const rawConfigs: fc.Arbitrary<RawStackConfig> = fc.record({
    known: arbitraryFor(stackConfigSchema),
    unknown: fc.dictionary(fc.constantFrom("maxInstance", "securityGroup", "registries", "x"), junk, { maxKeys: 2 }),
    secret: fc.subarray(["registryPassword", "trove", "registry", "taskmanagerRpcEncrKey", "instRpcKeyEncrKey"]),
}).map(({ known, unknown, secret }) => {
    const settings = { ...(known && typeof known === "object" && !Array.isArray(known) ? known : {}), ...unknown } as Record<string, unknown>;
    const values = Object.fromEntries(Object.entries(settings)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    return { values, secretKeys: new Set(secret) };
});

/** A valid region; the second property replaces some of its keys with random values of the right shape. */
const BASE: Record<string, unknown> = {
    managementNetwork: { routing: { mode: "none" } },
    datastores: [{ datastore: "mariadb", version: "10.11", sourceImage: "mariadb:10.11" }],
    guestImage: { source: { mode: "url", url: "https://example.org/guest.qcow2", format: "qcow2" } },
};
const shapedConfigs: fc.Arbitrary<RawStackConfig> = fc.record(Object.fromEntries(
    Object.entries(stackConfigSchema.shape as Record<string, z.ZodType>).map(([key, schema]) => [key, fc.oneof(
        { arbitrary: fc.constant(BASE[key]), weight: 7 },
        { arbitrary: arbitraryFor(schema, 1, 0), weight: 1 },
    )]),
)).map((settings) => ({
    values: Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
    // Secrets are secrets here: this property is about the domain rules, not the plain-text check.
    secretKeys: new Set(["registryPassword", "trove", "registry", "taskmanagerRpcEncrKey", "instRpcKeyEncrKey"]),
}));

describe("the reader never crashes", () => {
    test("the arbitraries reach every key of the schema", () => {
        // The generator walks the schema itself, so a new key is fed random values without a change here.
        expect(configKeys().length).toBeGreaterThan(100);
    });

    test("random configurations give config errors or arguments, never an exception", () => {
        let refused = 0;
        let accepted = 0;
        fc.assert(fc.property(rawConfigs, (raw) => {
            const { args, problems } = readRegionConfig(raw, connection);
            if (args) accepted++;
            else refused++;
            // A plain verdict, not an expect per problem: Jest's matchers cost more than the reader
            // here; fast-check reports the configuration that broke it.
            return (args === undefined) === (problems.length > 0)
                && problems.every((p) => p.path.startsWith("trove-region:") && p.message.length > 0);
        }), { numRuns: 1500 });
        // Both outcomes happen: the generator is not stuck on one side of the schema.
        expect(refused).toBeGreaterThan(0);
        console.log(`random configurations: ${refused} refused, ${accepted} accepted`);
    });

    test("configurations of the right shape reach the region's own rules, which never crash either", () => {
        const outcomes = { schemaRefused: 0, domainRefused: 0, accepted: 0 };
        fc.assert(fc.property(shapedConfigs, (raw) => {
            const schemaPassed = parseStackConfig(raw).config !== undefined;
            const { args, problems } = readRegionConfig(raw, connection);
            if (!schemaPassed) outcomes.schemaRefused++;
            else if (args) outcomes.accepted++;
            else outcomes.domainRefused++;
            return (args === undefined) === (problems.length > 0);
        }), { numRuns: 1500 });
        console.log(`shaped configurations: ${JSON.stringify(outcomes)}`);
        // The domain rules ran on many of them, and some passed them.
        expect(outcomes.domainRefused).toBeGreaterThan(50);
        expect(outcomes.accepted).toBeGreaterThan(0);
    });

    test("the program's entry point throws nothing but a ValidationError", () => {
        fc.assert(fc.property(fc.oneof(rawConfigs, shapedConfigs), (raw) => {
            try {
                loadRegionConfig(raw, connection);
                return true;
            } catch (e) {
                if (!(e instanceof ValidationError)) throw e;
                return true;
            }
        }), { numRuns: 500 });
    });
});
