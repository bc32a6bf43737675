import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { checkOpenSshPublicKey } from "./public-key";
import { Problem, throwIfProblems } from "../common/validation";

export const DEFAULT_KEYPAIR_NAME = "trove-mgmt";

export interface ManagementKeypairArgs {
    /** Nova keypair name; goes to `nova_keypair` in trove.conf. @default DEFAULT_KEYPAIR_NAME ("trove-mgmt") */
    readonly name?: string;
    /** Import this OpenSSH public key. Cannot be combined with `publicKeyFile`. */
    readonly publicKey?: string;
    /** Import the public key in this file. Cannot be combined with `publicKey`. */
    readonly publicKeyFile?: string;
    /**
     * The user that owns the keypair. Nova keypairs belong to a user, and Trove boots instances as its
     * service user, so this must be Trove's user (or left unset when the stack authenticates as it).
     * Needs admin rights when it names another user.
     * @default the user the OpenStack provider authenticates as
     */
    readonly userId?: pulumi.Input<string>;
}

/** Every problem in `args`; reads `publicKeyFile`. Exported for testing. */
export function validateManagementKeypairArgs(args: Omit<ManagementKeypairArgs, "userId">): Problem[] {
    const problems: Problem[] = [];
    const name = args.name ?? DEFAULT_KEYPAIR_NAME;
    if (!/^[A-Za-z0-9 _.@-]{1,255}$/.test(name)) {
        problems.push({ path: "name", message: `${JSON.stringify(name)} is not a Nova keypair name (letters, digits, space, _ . @ -; at most 255)` });
    }
    if (args.publicKey !== undefined && args.publicKeyFile !== undefined) {
        problems.push({ path: "publicKeyFile", message: "give publicKey or publicKeyFile, not both (or neither, to have a key generated)" });
        return problems;
    }
    if (args.publicKey !== undefined) {
        const wrong = checkOpenSshPublicKey(args.publicKey);
        if (wrong) problems.push({ path: "publicKey", message: wrong });
    }
    if (args.publicKeyFile !== undefined) {
        if (!fs.existsSync(args.publicKeyFile)) {
            problems.push({ path: "publicKeyFile", message: `${args.publicKeyFile} does not exist; give the path of an OpenSSH .pub file` });
        } else {
            const wrong = checkOpenSshPublicKey(fs.readFileSync(args.publicKeyFile, "utf8"));
            if (wrong) problems.push({ path: "publicKeyFile", message: `${args.publicKeyFile} ${wrong}` });
        }
    }
    return problems;
}

/**
 * The Nova keypair Trove injects into instances (`nova_keypair`) so operators can SSH in to debug.
 * Imports a public key, or has Nova generate one and keeps its private key as a secret output.
 */
export class ManagementKeypair extends pulumi.ComponentResource {
    public readonly keypairName: pulumi.Output<string>;
    public readonly publicKey: pulumi.Output<string>;
    public readonly fingerprint: pulumi.Output<string>;
    /** Only when the key was generated: a Pulumi secret. */
    public readonly privateKey: pulumi.Output<string> | undefined;

    constructor(name: string, args: ManagementKeypairArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfProblems(`ManagementKeypair "${name}"`, validateManagementKeypairArgs(args));
        super("trove-region:keypair:ManagementKeypair", name, {}, opts);

        const publicKey = args.publicKeyFile !== undefined
            ? fs.readFileSync(args.publicKeyFile, "utf8").trim()
            : args.publicKey?.trim();
        const keypair = new openstack.compute.Keypair(`${name}-keypair`, {
            name: args.name ?? DEFAULT_KEYPAIR_NAME,
            publicKey,
            userId: args.userId,
        }, { parent: this, additionalSecretOutputs: ["privateKey"] });

        this.keypairName = keypair.name;
        this.publicKey = keypair.publicKey;
        this.fingerprint = keypair.fingerprint;
        this.privateKey = publicKey === undefined ? pulumi.secret(keypair.privateKey) : undefined;
        this.registerOutputs({
            keypairName: this.keypairName,
            publicKey: this.publicKey,
            fingerprint: this.fingerprint,
            privateKey: this.privateKey,
        });
    }
}
