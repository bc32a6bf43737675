import { parseCidr } from "../network/cidr";
import { Problem, show } from "../common/validation";

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
}

export const SSH_PORT = 22;

function family(cidr: string): "IPv4" | "IPv6" {
    return cidr.includes(":") ? "IPv6" : "IPv4";
}

function slug(text: string): string {
    return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/**
 * Every rule of the management security group, in a stable order. Nothing is open to ingress unless
 * asked; a world-open ingress CIDR is refused by {@link validateRuleInputs}.
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

function isWorldOpen(cidr: string): boolean {
    const parsed = parseCidr(cidr);
    return typeof parsed !== "string" && parsed.prefix === 0;
}

/** Every problem in the rule inputs. Exported for testing. */
export function validateRuleInputs(inputs: RuleInputs): Problem[] {
    const problems: Problem[] = [];
    for (const field of ["sshFromCidrs", "icmpFromCidrs"] as const) {
        (inputs[field] ?? []).forEach((cidr, i) => {
            const parsed = parseCidr(cidr);
            if (typeof parsed === "string") {
                problems.push({ path: `${field}[${i}]`, message: parsed });
            } else if (isWorldOpen(cidr)) {
                problems.push({
                    path: `${field}[${i}]`,
                    message: `${cidr} opens the management port to the whole world; list the controllers' addresses instead (e.g. "192.0.2.10/32")`,
                });
            }
        });
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
            if (!Number.isInteger(port) || port < 1 || port > 65535) {
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
