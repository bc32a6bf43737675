// Names that leave this program for another system: OpenStack's APIs, trove.conf, Docker, SSH.

/**
 * Nova, Neutron, Cinder and Glance store names in 255-character columns. Printable ASCII only: a
 * control character (a newline starts a new ini section in trove.conf) or a non-ASCII look-alike
 * makes a name that reads right in the stack file and matches nothing in the CLI or the logs.
 */
export const MAX_OPENSTACK_NAME_LENGTH = 255;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** A name Nova, Neutron, Cinder or Glance accepts and trove.conf can carry. Returns what is wrong. */
export function checkOpenStackName(name: unknown): string | undefined {
    if (typeof name !== "string") return `${JSON.stringify(name)} is not a name`;
    if (!name.trim()) return "must not be empty";
    if (name !== name.trim()) return `${JSON.stringify(name)} starts or ends with white space; OpenStack keeps it, and lookups by name then miss`;
    if (!PRINTABLE_ASCII.test(name)) {
        return `${JSON.stringify(name)} has control or non-ASCII characters; use printable ASCII (letters, digits, punctuation, spaces)`;
    }
    if (name.length > MAX_OPENSTACK_NAME_LENGTH) {
        return `is ${name.length} characters; OpenStack keeps at most ${MAX_OPENSTACK_NAME_LENGTH}`;
    }
    return undefined;
}

/** Docker's rule for a container name (`docker run --name`). */
export function checkContainerName(name: unknown): string | undefined {
    return typeof name === "string" && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(name)
        ? undefined
        : `${JSON.stringify(name)} is not a Docker container name (letters, digits, _ . -; starting with a letter or digit; at most 128)`;
}

/**
 * A Docker image reference as `docker pull` takes it: `[registry[:port]/]path[:tag][@sha256:digest]`,
 * lower-case path components. Checked loosely: the shape, not every corner of the grammar.
 */
export function checkImageReference(ref: unknown): string | undefined {
    const component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    const pattern = new RegExp(
        `^(?:[A-Za-z0-9.-]+(?::\\d{1,5})?/)?${component}(?:/${component})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
    );
    return typeof ref === "string" && ref.length <= 255 && pattern.test(ref)
        ? undefined
        : `${JSON.stringify(ref)} is not a Docker image reference such as "mysql:8.4" or "registry.example.org:4000/library/mariadb:11.4"`;
}

/** A host name or an IP address, as SSH and Docker take them. */
export function checkHostName(host: unknown): string | undefined {
    if (typeof host !== "string") return `${JSON.stringify(host)} is not a host name or address`;
    const ipv6 = /^[0-9A-Fa-f:.]+$/.test(host) && host.includes(":");
    const dns = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(host);
    return ipv6 || dns ? undefined : `${JSON.stringify(host)} is not a host name or IP address, e.g. "controller-1.example.org" or "10.0.0.11"`;
}

/** A POSIX user name, as `ssh user@host` takes it. */
export function checkUserName(user: unknown): string | undefined {
    return typeof user === "string" && /^[a-z_][a-z0-9_-]{0,31}$/.test(user)
        ? undefined
        : `${JSON.stringify(user)} is not a user name (lower-case letters, digits, _ and -; at most 32)`;
}

/** A command or path handed to a shell or the file system: one line, no control characters. */
export function checkCommandText(text: unknown): string | undefined {
    if (typeof text !== "string" || !text.trim()) return "must not be empty";
    return /[\x00-\x1f\x7f]/.test(text) ? `${JSON.stringify(text)} has control characters (a newline?); give one line` : undefined;
}

/** An unencrypted private key in PEM or OpenSSH form, as ssh -i takes it. */
export function checkPrivateKey(key: unknown): string | undefined {
    if (typeof key !== "string") return "is not a private key";
    if (/^ssh-|^ecdsa-/.test(key.trim())) return "is a public key; give the private key (the file without .pub)";
    return /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/.test(key)
        ? undefined
        : "is not a private key in PEM or OpenSSH form (-----BEGIN ... PRIVATE KEY-----)";
}
