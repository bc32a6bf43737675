import * as fs from "fs";
import * as path from "path";
import { parseStackConfig, regionArgsFrom } from "../../components/region/region-config";
import { validateTroveRegionArgs } from "../../components/region/region-plan";
import { rawConfigFromYaml } from "../support/stack-file";
import { fixtures } from "./fixtures";

const repo = path.join(__dirname, "..", "..");
const connection = { authUrl: "", username: "", password: "", projectName: "" };

/** A stack file's settings, with the secrets its comments say to set (`pulumi config set --secret`). */
function read(file: string) {
    const raw = rawConfigFromYaml(fs.readFileSync(path.join(repo, file), "utf8"));
    const withSecrets = /registryPassword/.test(fs.readFileSync(path.join(repo, file), "utf8"))
        ? { values: { ...raw.values, registryPassword: "pw" }, secretKeys: new Set([...raw.secretKeys, "registryPassword"]) }
        : raw;
    const { config, problems } = parseStackConfig(withSecrets);
    expect(problems).toEqual([]);
    return regionArgsFrom(config!, connection).args;
}

describe("Pulumi.example.yaml", () => {
    test("every setting in the example is valid, once its paths exist on this machine", () => {
        const f = fixtures();
        const args = read("Pulumi.example.yaml");
        const pubKey = path.join(f.images, "..", "trove-mgmt.pub");
        fs.writeFileSync(pubKey, fs.readFileSync(path.join(__dirname, "..", "keypair", "fixture-ed25519.pub"), "utf8"));
        const local = {
            ...args,
            keypair: { ...args.keypair, publicKeyFile: pubKey },
            datastoreImages: { backupContext: f.backup },
            guestImage: { ...args.guestImage, source: { ...args.guestImage.source, troveDir: f.troveDir } as typeof args.guestImage.source },
            trove: { ...args.trove, parametersDir: f.templates },
        };
        expect(validateTroveRegionArgs(local)).toEqual([]);
        // Only the paths were changed: as written, the example names those paths and nothing else is wrong.
        expect([...new Set(validateTroveRegionArgs(args).map((p) => p.path))].sort()).toEqual([
            "datastoreImages.backupContext", "guestImage.source.troveDir", "keypair.publicKeyFile", "trove.parametersDir",
        ]);
    });

    test("the dev stack's file reads without problems", () => {
        expect(read("Pulumi.dev.yaml").datastores.map((d) => `${d.datastore} ${d.version}`)).toEqual(["mysql 8.4", "mariadb 11.8", "postgresql 17"]);
    });
});
