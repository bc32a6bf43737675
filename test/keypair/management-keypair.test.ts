import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, named, settle, valueOf } from "../mocks";
import { ManagementKeypair, validateManagementKeypairArgs } from "../../components/keypair/management-keypair";
import { checkOpenSshPublicKey } from "../../components/keypair/public-key";
import { tempDir } from "../tmp";

const mocks = installMocks();
beforeEach(() => mocks.reset());

/** A well-formed ed25519 public key: the body starts with its own type string. */
function ed25519Key(comment = "operator@example"): string {
    const type = Buffer.from("ssh-ed25519");
    const len = Buffer.alloc(4);
    len.writeUInt32BE(type.length);
    const keyLen = Buffer.alloc(4);
    keyLen.writeUInt32BE(32);
    return `ssh-ed25519 ${Buffer.concat([len, type, keyLen, Buffer.alloc(32, 7)]).toString("base64")} ${comment}`;
}

describe("ManagementKeypair", () => {
    test("imports a public key for Trove's user; no private key output", async () => {
        const key = ed25519Key();
        const keypair = new ManagementKeypair("kp", { publicKey: key, userId: "trove-user" });
        await settle();
        expect(named(mocks.resources, "kp-keypair").inputs).toEqual({ name: "trove-mgmt", publicKey: key, userId: "trove-user" });
        expect(keypair.privateKey).toBeUndefined();
        expect(await valueOf(keypair.keypairName)).toBe("trove-mgmt");
    });

    test("reads the key from a file", async () => {
        const file = path.join(tempDir("kp"), "id.pub");
        fs.writeFileSync(file, ed25519Key() + "\n");
        new ManagementKeypair("kp", { publicKeyFile: file, name: "region-a" });
        await settle();
        expect(named(mocks.resources, "kp-keypair").inputs).toMatchObject({ name: "region-a", publicKey: ed25519Key() });
    });

    test("generates a key when none is given, and the private key is a secret", async () => {
        const keypair = new ManagementKeypair("kp", {});
        await settle();
        expect(named(mocks.resources, "kp-keypair").inputs.publicKey).toBeUndefined();
        expect(keypair.privateKey).toBeDefined();
        expect(await pulumi.isSecret(keypair.privateKey!)).toBe(true);
        expect(await valueOf(keypair.privateKey!)).toContain("PRIVATE KEY");
    });
});

describe("public key checks", () => {
    test("a well-formed key passes", () => {
        expect(checkOpenSshPublicKey(ed25519Key())).toBeUndefined();
    });
    test.each([
        ["one word", "ssh-ed25519", /not an OpenSSH public key/],
        ["private key", "-----BEGIN OPENSSH PRIVATE KEY----- abc", /is a private key/],
        ["unknown type", "ssh-foo AAAA", /key type "ssh-foo"/],
        ["not base64", "ssh-ed25519 !!!!", /not base64/],
        ["body of another type", ed25519Key().replace("ssh-ed25519", "ssh-rsa"), /says ssh-rsa but its body holds a "ssh-ed25519" key/],
    ])("%s", (_label, key, message) => {
        expect(checkOpenSshPublicKey(key)).toMatch(message);
    });
});

describe("validateManagementKeypairArgs", () => {
    test.each([
        ["both sources", { publicKey: ed25519Key(), publicKeyFile: "/x.pub" }, "publicKeyFile", /not both/],
        ["missing file", { publicKeyFile: "/nonexistent/id.pub" }, "publicKeyFile", /does not exist/],
        ["bad key", { publicKey: "ssh-rsa" }, "publicKey", /not an OpenSSH public key/],
        ["bad name", { name: "a/b" }, "name", /not a Nova keypair name/],
    ])("%s", async (_label, args, path, message) => {
        expect(validateManagementKeypairArgs(args)).toContainEqual({ path, message: expect.stringMatching(message) });
        expect(() => new ManagementKeypair("bad", args)).toThrow(message);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });
});
