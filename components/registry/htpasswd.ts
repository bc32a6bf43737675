import * as crypto from "crypto";
import * as bcrypt from "bcryptjs";

/**
 * One line of an htpasswd file for the registry's `htpasswd` auth. bcrypt wants a random salt, but a
 * new salt on every run would show as a change in every preview; the salt is derived from the
 * credentials instead, so the line changes only when they do.
 */
export function htpasswdLine(username: string, password: string): string {
    const digest = crypto.createHash("sha256").update(`trove-region\0${username}\0${password}`).digest();
    const alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const salt = Array.from(digest.subarray(0, 22), (b) => alphabet[b % 64]).join("");
    // bcrypt's 22nd salt character carries only 2 bits; normalise it the way bcrypt would read it.
    const normalised = salt.slice(0, 21) + ".Oeu"[alphabet.indexOf(salt[21]) >> 4];
    return `${username}:${bcrypt.hashSync(password, `$2y$10$${normalised}`)}`;
}
