import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ConfigSource, readRegionConfig } from "../../components/region/region-config";
import { validateTroveRegionArgs } from "../../components/region/trove-region";
import { fixtures } from "./fixtures";

/** A ConfigSource over a stack file, as `new pulumi.Config("trove-region")` would read it. */
function stackFile(file: string): ConfigSource {
    const config = (yaml.load(fs.readFileSync(path.join(__dirname, "..", "..", file), "utf8")) as { config: Record<string, unknown> }).config;
    const value = (key: string): unknown => config[`trove-region:${key}`];
    return {
        get: (key) => (value(key) === undefined ? undefined : String(value(key))),
        getObject: <T>(key: string) => value(key) as T | undefined,
        getSecret: () => undefined,
    };
}

describe("Pulumi.example.yaml", () => {
    test("every setting in the example is valid, once its paths exist on this machine", () => {
        const f = fixtures();
        const { args, problems } = readRegionConfig(stackFile("Pulumi.example.yaml"), { authUrl: "", username: "", password: "", projectName: "" });
        expect(problems).toEqual([]);
        const pubKey = path.join(f.images, "..", "trove-mgmt.pub");
        fs.writeFileSync(pubKey, fs.readFileSync(path.join(__dirname, "..", "keypair", "fixture-ed25519.pub"), "utf8"));
        const local = {
            ...args,
            keypair: { ...args.keypair, publicKeyFile: pubKey },
            datastoreImages: { backupContext: f.backup },
            guestImage: { ...args.guestImage, source: { ...args.guestImage.source, troveDir: f.troveDir } as typeof args.guestImage.source },
            trove: { ...args.trove, parametersDir: f.templates },
            registry: args.registry && { ...args.registry, credentials: { username: "trove-guest", password: "pw" } },
        };
        expect(validateTroveRegionArgs(local)).toEqual([]);
        // Only the paths were changed: as written, the example names those paths and nothing else is wrong.
        expect([...new Set(validateTroveRegionArgs({ ...args, registry: local.registry }).map((p) => p.path))].sort()).toEqual([
            "datastoreImages.backupContext", "guestImage.source.troveDir", "keypair.publicKeyFile", "trove.parametersDir",
        ]);
    });

    test("the dev stack's file reads without problems", () => {
        expect(readRegionConfig(stackFile("Pulumi.dev.yaml"), { authUrl: "", username: "", password: "", projectName: "" }).problems).toEqual([]);
    });
});
