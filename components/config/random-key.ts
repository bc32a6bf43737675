import * as pulumi from "@pulumi/pulumi";

export interface RandomKeyArgs {
    /** Characters in the key. @default 32 */
    readonly length?: number;
}

interface RandomKeyState {
    readonly length: number;
    readonly value: string;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

const provider: pulumi.dynamic.ResourceProvider<RandomKeyState, RandomKeyState> = {
    async create(inputs) {
        // Loaded here, not captured: the dynamic provider host runs this function on its own.
        const { randomInt } = await import("crypto");
        const value = Array.from({ length: inputs.length }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
        return { id: `key-${Date.now().toString(36)}`, outs: { length: inputs.length, value } };
    },
    async diff(_id, olds, news) {
        const replace = olds.length !== news.length;
        return { changes: replace, replaces: replace ? ["length"] : [] };
    },
};

/**
 * A random key generated once, at create, and kept (as a secret) in the stack's state: unlike a key
 * made in the program, it is the same on every `pulumi up`. Replaced only when its length changes.
 */
export class RandomKey extends pulumi.dynamic.Resource {
    public readonly value!: pulumi.Output<string>;

    constructor(name: string, args: RandomKeyArgs = {}, opts?: pulumi.CustomResourceOptions) {
        const length = args.length ?? 32;
        if (!Number.isInteger(length) || length < 16 || length > 256) {
            throw new pulumi.RunError(`RandomKey "${name}": length ${length} must be a whole number from 16 to 256`);
        }
        super(provider, name, { length, value: undefined }, { ...opts, additionalSecretOutputs: ["value"] }, "trove-region", "RandomKey");
    }
}
