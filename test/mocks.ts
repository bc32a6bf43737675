import * as pulumi from "@pulumi/pulumi";

/** One resource the program registered, as the mock monitor saw it. */
export interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    readonly id: string;
}

/** Outputs a real provider would compute, for the resources whose outputs the components read. */
function computedOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    switch (type) {
        case "openstack:compute/keypair:Keypair":
            return inputs.publicKey
                ? { fingerprint: `fp-${name}` }
                : { publicKey: `ssh-ed25519 AAAAgenerated ${name}`, privateKey: `-----BEGIN PRIVATE KEY----- ${name}`, fingerprint: `fp-${name}` };
        case "openstack:images/image:Image":
            return { checksum: `md5-of-${name}` };
        case "pulumi-nodejs:dynamic/trove-region:GlanceImage":
            return { checksum: `md5-of-${name}`, size: 1024 };
        case "docker:index/remoteImage:RemoteImage":
            return { imageId: `sha256:image-${name}`, repoDigest: `${String(inputs.name)}@sha256:${name}` };
        case "docker:index/registryImage:RegistryImage":
            return { sha256Digest: `sha256:pushed-${name}` };
        case "docker:index/tag:Tag":
            return { sourceImageId: inputs.sourceImage };
        case "command:local:Command":
            return { stdout: "", stderr: "" };
        case "pulumi-nodejs:dynamic/trove-region:RandomKey":
            return { value: `generated-key-${name}` };
        case "pulumi-nodejs:dynamic/trove-region:DatastoreVersion":
            return { datastoreId: `datastore-of-${name}` };
        default:
            return {};
    }
}

/** Canned answers for the invokes the stack program makes. Any other invoke fails the test. */
const CALLS: Record<string, (args: Record<string, unknown>) => Record<string, unknown>> = {
    "openstack:identity/getProject:getProject": (args) => ({ id: `project-${String(args.name)}`, name: args.name }),
    "openstack:identity/getUser:getUser": (args) => ({ id: `user-${String(args.name)}`, name: args.name }),
};

/**
 * Installs Pulumi mocks that record every registered resource. `resources` is emptied by `reset()`,
 * which each test file calls in beforeEach.
 */
export function installMocks(preview = false): { resources: Recorded[]; reset(): Promise<void> } {
    const resources: Recorded[] = [];
    pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            registrations++;
            const id = `${args.name}-id`;
            resources.push({ type: args.type, name: args.name, inputs: args.inputs, id });
            return { id, state: { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) } };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            const answer = CALLS[args.token];
            if (!answer) throw new Error(`unmocked invoke ${args.token}`);
            return answer(args.inputs);
        },
    }, "trove-region", "test", preview);
    return {
        resources,
        // Late registrations of the previous test must not leak into the next one.
        reset: async () => {
            await settle();
            resources.splice(0, resources.length);
        },
    };
}

let registrations = 0;

/**
 * Lets every pending registration reach the mock monitor: waits until no new resource has been
 * registered for a run of event-loop turns. Mocks do no I/O, so this ends quickly.
 */
export async function settle(): Promise<void> {
    let quiet = 0;
    let seen = registrations;
    for (let turn = 0; turn < 5000 && quiet < 100; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
        if (registrations === seen) quiet++;
        else {
            seen = registrations;
            quiet = 0;
        }
    }
}

/** The plain value of an Output, for assertions. */
export function valueOf<T>(output: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

export function ofType(resources: readonly Recorded[], type: string): Recorded[] {
    return resources.filter((r) => r.type === type);
}

export function named(resources: readonly Recorded[], name: string): Recorded {
    const found = resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource named ${name}; registered: ${resources.map((r) => r.name).join(", ")}`);
    return found;
}

/** Pulumi's marker for a secret value inside mock inputs. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Whether an input, as the mock monitor received it, was a secret. */
export function isSecretInput(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

/** The plain value of a (possibly secret) input the mock monitor received. */
export function plain<T>(value: unknown): T {
    return (isSecretInput(value) ? (value as { value: unknown }).value : value) as T;
}
