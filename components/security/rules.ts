import { parseCidr } from "../network/cidr";
import { AddressBlock, AddressFamily, blockSize, coverage, parseBlock } from "../network/address-space";
import { isPort, Problem, show } from "../common/validation";

export type RuleProtocol = "tcp" | "udp" | "icmp" | "any";

/** One security group rule, as Neutron stores it. `key` names the Pulumi resource. */
export interface RuleSpec {
    /** Stable and derived from the rule's content, so adding a rule never renames another. */
    readonly key: string;
    readonly direction: "ingress" | "egress";
    readonly ethertype: "IPv4" | "IPv6";
    readonly protocol: RuleProtocol;
    readonly portRangeMin?: number;
    readonly portRangeMax?: number;
    readonly remoteIpPrefix: string;
    readonly description: string;
}

/**
 * Trove boots guests without a config drive (`use_nova_server_config_drive` is False by default), so
 * cloud-init reads the user data (guest_info.conf, trove-guestagent.conf) from Nova's metadata
 * service: without this rule a restricted guest never learns who it is.
 */
export const METADATA_EGRESS: EgressDestination = { purpose: "metadata", cidrs: ["169.254.169.254/32"], ports: [80] };

/** A place the guest agent must reach, for restricted egress. */
export interface EgressDestination {
    /** What it is, for the rule's description: "rabbitmq", "registry", "keystone", "dns". */
    readonly purpose: string;
    readonly cidrs: readonly string[];
    readonly ports: readonly number[];
    /** @default "tcp" */
    readonly protocol?: "tcp" | "udp";
}

/**
 * The egress the guest agent gets. "all" keeps Neutron's usual allow-all egress, declared explicitly;
 * "restricted" allows only the listed destinations (RabbitMQ, the registry, Keystone/Swift, DNS),
 * plus the metadata service (METADATA_EGRESS), which cloud-init needs to read the files Trove injects.
 * DHCP needs no rule: Neutron's firewall lets a port's DHCP requests and the answers through before
 * any security group rule (neutron/agent/linux/openvswitch_firewall/firewall.py, "DHCP discovery").
 */
export type EgressPolicy =
    | { readonly mode: "all" }
    | { readonly mode: "restricted"; readonly destinations: readonly EgressDestination[] };

export interface RuleInputs {
    /** Controllers allowed to SSH to the guests (TCP 22), for troubleshooting. @default none */
    readonly sshFromCidrs?: readonly string[];
    /** Controllers allowed to ping the guests. @default none */
    readonly icmpFromCidrs?: readonly string[];
    /** @default { mode: "all" } */
    readonly egress?: EgressPolicy;
    /**
     * The widest source allowed per SSH or ICMP CIDR, as a prefix length per family: a CIDR with a
     * shorter prefix (a larger network) is refused. Set `ipv4: 0` to lift the limit; a list whose
     * CIDRs together cover every address of a family is still refused.
     * @default DEFAULT_MIN_INGRESS_PREFIX: { ipv4: 16, ipv6: 48 }, at most a /16 or a /48 per CIDR
     */
    readonly minIngressPrefix?: MinIngressPrefix;
}

/** The widest ingress source allowed, as a prefix length per family. */
export interface MinIngressPrefix {
    /** 0 to 32. */
    readonly ipv4?: number;
    /** 0 to 128. */
    readonly ipv6?: number;
}

/**
 * A /16 is already 65,536 hosts, and a subnet of Trove controllers is rarely larger; an IPv6 site
 * is a /48 (RFC 6177). Anything wider is more likely a mistake (10.0.0.0/8 for "our network") than
 * a set of controllers.
 */
export const DEFAULT_MIN_INGRESS_PREFIX: { readonly ipv4: number; readonly ipv6: number } = Object.freeze({ ipv4: 16, ipv6: 48 });

export const SSH_PORT = 22;

function family(cidr: string): "IPv4" | "IPv6" {
    return cidr.includes(":") ? "IPv6" : "IPv4";
}

function slug(text: string): string {
    return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/**
 * Every rule of the management security group, in a stable order. Nothing is open to ingress unless
 * asked; a world-open or too wide ingress CIDR, or a list of them that together cover the world, is
 * refused by {@link validateRuleInputs}.
 */
export function managementRules(inputs: RuleInputs): RuleSpec[] {
    const rules: RuleSpec[] = [];
    for (const cidr of inputs.sshFromCidrs ?? []) {
        rules.push({
            key: `ingress-ssh-${slug(cidr)}`,
            direction: "ingress",
            ethertype: family(cidr),
            protocol: "tcp",
            portRangeMin: SSH_PORT,
            portRangeMax: SSH_PORT,
            remoteIpPrefix: cidr,
            description: "SSH from a Trove controller, for troubleshooting",
        });
    }
    for (const cidr of inputs.icmpFromCidrs ?? []) {
        rules.push({
            key: `ingress-icmp-${slug(cidr)}`,
            direction: "ingress",
            ethertype: family(cidr),
            protocol: "icmp",
            remoteIpPrefix: cidr,
            description: "ICMP from a Trove controller",
        });
    }
    const egress = inputs.egress ?? { mode: "all" };
    if (egress.mode === "all") {
        for (const cidr of ["0.0.0.0/0", "::/0"]) {
            rules.push({
                key: `egress-all-${family(cidr).toLowerCase()}`,
                direction: "egress",
                ethertype: family(cidr),
                protocol: "any",
                remoteIpPrefix: cidr,
                description: "All egress: the guest agent reaches RabbitMQ, the registry and the service endpoints",
            });
        }
    } else {
        for (const dest of [...egress.destinations, METADATA_EGRESS]) {
            const protocol = dest.protocol ?? "tcp";
            for (const cidr of dest.cidrs) {
                for (const port of dest.ports) {
                    // The metadata rule is left out when a listed destination already allows it.
                    const listed = rules.some((r) => r.direction === "egress" && r.protocol === protocol && r.portRangeMin === port && r.remoteIpPrefix === cidr);
                    if (dest === METADATA_EGRESS && listed) continue;
                    rules.push({
                        key: `egress-${slug(dest.purpose)}-${protocol}-${port}-${slug(cidr)}`,
                        direction: "egress",
                        ethertype: family(cidr),
                        protocol,
                        portRangeMin: port,
                        portRangeMax: port,
                        remoteIpPrefix: cidr,
                        description: `Guest agent to ${dest.purpose}`,
                    });
                }
            }
        }
    }
    return rules;
}

const FAMILY_KEY = { 4: "ipv4", 6: "ipv6" } as const;

function addressCount(block: AddressBlock): string {
    if (block.family === 6) return `2^${128 - block.prefix}`;
    return Number(blockSize(4, block.prefix)).toLocaleString("en-US");
}

/** Problems of `minIngressPrefix` itself, and the minimum to apply per family (the default where it is not valid). */
function minimumPrefixes(value: unknown, problems: Problem[]): Record<AddressFamily, number> {
    const minimum = { 4: DEFAULT_MIN_INGRESS_PREFIX.ipv4, 6: DEFAULT_MIN_INGRESS_PREFIX.ipv6 };
    if (value === undefined) return minimum;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        problems.push({ path: "minIngressPrefix", message: `${show(value)} is not an object such as { ipv4: 16, ipv6: 48 }` });
        return minimum;
    }
    for (const family of [4, 6] as const) {
        const key = FAMILY_KEY[family];
        const given = (value as Record<string, unknown>)[key];
        if (given === undefined) continue;
        const bits = family === 4 ? 32 : 128;
        if (typeof given === "number" && Number.isInteger(given) && given >= 0 && given <= bits) {
            minimum[family] = given;
        } else {
            problems.push({ path: `minIngressPrefix.${key}`, message: `${show(given)} is not an IPv${family} prefix length between 0 and ${bits}` });
        }
    }
    return minimum;
}

/**
 * The problems of one ingress source list (`sshFromCidrs` or `icmpFromCidrs`): entries that are not
 * CIDRs; a /0; a CIDR wider than the minimum for its family; and a list whose CIDRs together cover
 * a whole family, each of them maybe narrow enough (0.0.0.0/1 and 128.0.0.0/1 are the world too).
 * When a list covers a whole family, that is the one problem reported for its CIDRs of that family:
 * lowering the minimum, which the per-CIDR message suggests, would not fix it.
 */
function ingressSourceProblems(field: "sshFromCidrs" | "icmpFromCidrs", cidrs: readonly string[], minimum: Record<AddressFamily, number>): Problem[] {
    const blocks = cidrs.map((cidr) => {
        const parsed = parseCidr(cidr);
        return typeof parsed === "string" ? parsed : parseBlock(cidr);
    });
    const together = coverage(blocks.filter((b): b is AddressBlock => typeof b !== "string" && b.prefix > 0).map((b) => b.text));
    const whole = [together.ipv4, together.ipv6].filter((f) => f.whole);
    const problems: Problem[] = [];
    blocks.forEach((block, i) => {
        const path = `${field}[${i}]`;
        if (typeof block === "string") {
            problems.push({ path, message: block });
        } else if (block.prefix === 0) {
            problems.push({
                path,
                message: `${cidrs[i]} opens the management port to the whole world; list the controllers' addresses instead (e.g. "192.0.2.10/32")`,
            });
        } else if (block.prefix < minimum[block.family] && !whole.some((f) => f.family === block.family)) {
            const key = `minIngressPrefix.${FAMILY_KEY[block.family]}`;
            problems.push({
                path,
                message: `${cidrs[i]} is a /${block.prefix} (${addressCount(block)} addresses), wider than the /${minimum[block.family]} allowed for one IPv${block.family} source; `
                    + `list the controllers' addresses instead (e.g. "${block.family === 4 ? "192.0.2.10/32" : "2001:db8::10/128"}"), `
                    + `or, if a network this wide is really meant, lower ${key} (securityGroups.${key} in the region's config) to ${block.prefix}`,
            });
        }
    });
    for (const f of whole) {
        problems.push({
            path: field,
            message: `${f.outermost.map((b) => show(b.text)).join(", ")} together cover every IPv${f.family} address, `
                + "which opens the management port to the whole world; list the controllers' addresses instead (e.g. \"192.0.2.10/32\")",
        });
    }
    return problems;
}

/** Every problem in the rule inputs. Exported for testing. */
export function validateRuleInputs(inputs: RuleInputs): Problem[] {
    const problems: Problem[] = [];
    const minimum = minimumPrefixes(inputs.minIngressPrefix, problems);
    for (const field of ["sshFromCidrs", "icmpFromCidrs"] as const) {
        problems.push(...ingressSourceProblems(field, inputs[field] ?? [], minimum));
        const seen = new Set<string>();
        (inputs[field] ?? []).forEach((cidr, i) => {
            if (seen.has(cidr)) problems.push({ path: `${field}[${i}]`, message: `${cidr} is listed twice` });
            seen.add(cidr);
        });
    }
    const egress = inputs.egress;
    if (egress === undefined || egress.mode === "all") return problems;
    if (egress.mode !== "restricted") {
        problems.push({ path: "egress.mode", message: `${show((egress as { mode: unknown }).mode)} is not an egress mode; choose "all" or "restricted"` });
        return problems;
    }
    if (!egress.destinations || egress.destinations.length === 0) {
        problems.push({
            path: "egress.destinations",
            message: "restricted egress with no destinations cuts the guest agent off from RabbitMQ; list at least RabbitMQ",
        });
    }
    (egress.destinations ?? []).forEach((dest, i) => {
        const at = `egress.destinations[${i}]`;
        if (!dest.purpose || !/^[A-Za-z0-9 _-]+$/.test(dest.purpose)) {
            problems.push({ path: `${at}.purpose`, message: `${show(dest.purpose)} must be a short name such as "rabbitmq"` });
        }
        if (!dest.cidrs || dest.cidrs.length === 0) problems.push({ path: `${at}.cidrs`, message: "needs at least one CIDR" });
        (dest.cidrs ?? []).forEach((cidr, j) => {
            const parsed = parseCidr(cidr);
            if (typeof parsed === "string") problems.push({ path: `${at}.cidrs[${j}]`, message: parsed });
        });
        if (!dest.ports || dest.ports.length === 0) problems.push({ path: `${at}.ports`, message: "needs at least one port" });
        (dest.ports ?? []).forEach((port, j) => {
            if (!isPort(port)) {
                problems.push({ path: `${at}.ports[${j}]`, message: `${show(port)} is not a port between 1 and 65535` });
            }
        });
        if (dest.protocol !== undefined && dest.protocol !== "tcp" && dest.protocol !== "udp") {
            problems.push({ path: `${at}.protocol`, message: `${show(dest.protocol)} is not "tcp" or "udp"` });
        }
    });
    const keys = new Set<string>();
    if (problems.length === 0) {
        for (const rule of managementRules(inputs)) {
            if (keys.has(rule.key)) {
                problems.push({ path: "egress.destinations", message: `the rule ${rule.key} is declared twice; Neutron refuses duplicate rules` });
            }
            keys.add(rule.key);
        }
    }
    return problems;
}
