const KEY_TYPES = [
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/**
 * Checks an OpenSSH public key line (`type base64 [comment]`): a known type, and a body whose own
 * type field matches it. Returns a message, or undefined when the key is well formed.
 */
export function checkOpenSshPublicKey(line: string): string | undefined {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2) return "is not an OpenSSH public key (expected \"ssh-ed25519 AAAA... comment\")";
    const [type, body] = parts;
    if (!KEY_TYPES.includes(type)) {
        if (line.includes("PRIVATE KEY")) return "is a private key; give the public key (the .pub file)";
        return `has key type ${JSON.stringify(type)}; Nova accepts ${KEY_TYPES.slice(0, 3).join(", ")} and the other OpenSSH types`;
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return "has a key body that is not base64";
    const raw = Buffer.from(body, "base64");
    if (raw.length < 4) return "has a key body too short to be a key";
    const length = raw.readUInt32BE(0);
    const inner = raw.subarray(4, 4 + length).toString("latin1");
    if (inner !== type) return `says ${type} but its body holds a ${JSON.stringify(inner)} key`;
    return undefined;
}
