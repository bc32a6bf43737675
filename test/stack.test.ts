// The stack program (index.ts) under mocks, with the dev stack's own config file.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, ofType, settle, valueOf } from "./mocks";
import { OUTPUT_NAMES } from "../components/region/outputs";
import { fixtures } from "./region/fixtures";
import { devSettings } from "./support/dev-config";
import { runProgram } from "./support/run-program";

const mocks = installMocks();
beforeEach(() => mocks.reset());
const f = fixtures();
const guestImageFile = path.join(f.images, "..", "guest.qcow2");
fs.writeFileSync(guestImageFile, "stand-in");

/** Pulumi.dev.yaml as the engine hands it to the program: objects as JSON text. */
function devStackConfig(overrides: Record<string, unknown> = {}): Record<string, string> {
    const config: Record<string, unknown> = {
        ...devSettings(),
        // The unit suite needs neither the dev cloud's Trove nor the dev cloud's stand-in image.
        "trove-region:trove": { parametersDir: f.templates },
        "trove-region:guestImage": { name: "trove-guest-ubuntu-jammy", source: { mode: "file", path: guestImageFile } },
        ...overrides,
    };
    return Object.fromEntries(Object.entries(config)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

describe("the stack program", () => {
    test("the dev stack's config builds the region and exports exactly the documented outputs", async () => {
        const outputs = runProgram(devStackConfig());
        expect(Object.keys(outputs).sort()).toEqual([...OUTPUT_NAMES].sort());
        await settle();
        expect(ofType(mocks.resources, "trove-region:region:TroveRegion")).toHaveLength(1);
        expect(ofType(mocks.resources, "pulumi-nodejs:dynamic/trove-region:DatastoreVersion")).toHaveLength(3);
        // The service project and Trove's user are looked up by name.
        const network = mocks.resources.find((r) => r.type === "openstack:networking/network:Network")!;
        expect(network.inputs.tenantId).toBe("project-service");
        expect(mocks.resources.find((r) => r.type === "openstack:compute/keypair:Keypair")!.inputs.userId).toBe("user-trove");
        expect(outputs.managementCidr).toBe("10.254.0.0/22");
        expect(outputs.registryAddress).toBe("127.0.0.1:4000");
        expect(await valueOf(outputs.troveConf as pulumi.Output<string>)).toContain("docker_insecure_registries = 127.0.0.1:4000");
        for (const secret of ["troveConf", "taskmanagerRpcEncrKey", "instRpcKeyEncrKey", "novaKeypairPrivateKey"]) {
            expect(await pulumi.isSecret(outputs[secret] as pulumi.Output<string>)).toBe(true);
        }
    });

    test("the Trove API password is a secret in every datastore resource", async () => {
        runProgram(devStackConfig());
        await settle();
        for (const version of ofType(mocks.resources, "pulumi-nodejs:dynamic/trove-region:DatastoreVersion")) {
            expect(JSON.stringify(version.inputs.connection)).toContain("4dabf18193072939515e22adb298388d");
        }
    });

    test("bad config: every problem named by its config key, and nothing is registered", async () => {
        const config = devStackConfig({
            "trove-region:managementNetwork": { cidr: "10.0.0.0/29", routing: { mode: "none" } },
            "trove-region:quotas": { ports: 10 },
            "trove-region:securityGroups": { sshFromCidrs: ["0.0.0.0/0"] },
            "trove-region:maxInstances": "lots",
        });
        expect(() => runProgram(config)).toThrow(/trove-region:maxInstances: "lots" is not a whole number/);
        const fixed = { ...config, "trove-region:maxInstances": "200" };
        let message = "";
        try {
            runProgram(fixed);
        } catch (e) {
            message = (e as Error).message;
        }
        expect(message).toContain("trove-region:managementNetwork.cidr: 10.0.0.0/29 holds 5 addresses, 204 are needed");
        expect(message).toContain("trove-region:quotas.ports: 10 ports cannot serve 200 instances");
        expect(message).toContain("trove-region:securityGroups.sshFromCidrs[0]: 0.0.0.0/0 opens the management port to the whole world");
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });

    test("missing credentials are named before anything is registered", async () => {
        expect(() => runProgram(devStackConfig(), { OS_PASSWORD: "" })).toThrow(/openstack:password \(or OS_PASSWORD\) is not set/);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });
});
