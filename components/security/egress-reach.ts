// What restricted egress must let through under Trove's network isolation (`[network]
// network_isolation`, True by default since 2024.2): the guest has no default route, so RabbitMQ,
// the registry and the DNS servers are reached through the management security group's rules or
// not at all. DHCP needs no rule (Neutron's firewall passes it before any security group rule; see
// EgressPolicy), and the metadata service has its own (METADATA_EGRESS).
import { parseAddress, parseBlock } from "../network/address-space";
import { EgressDestination, EgressPolicy } from "./rules";
import { Problem } from "../common/validation";

/** oslo.messaging's AMQP ports: plain and TLS. */
export const AMQP_PORTS = [5672, 5671] as const;
export const DNS_PORT = 53;

/** What a guest must reach, as far as the region's settings tell. */
export interface GuestNeeds {
    /** host:port guests pull images from. @default no registry */
    readonly registry?: string;
    /** The management subnet's DNS servers. @default none: names resolve through Neutron's DHCP port */
    readonly dnsServers?: readonly string[];
}

function protocolOf(d: EgressDestination): "tcp" | "udp" {
    return d.protocol ?? "tcp";
}

/** Whether a destination lets `protocol` to `port` on `host` through; a name matches any CIDR. */
function allows(d: EgressDestination, host: string, port: number, protocol: "tcp" | "udp"): boolean {
    if (protocolOf(d) !== protocol || !d.ports.includes(port)) return false;
    const address = parseAddress(host);
    if (address === undefined) return true;
    return d.cidrs.some((cidr) => {
        const block = parseBlock(cidr);
        return typeof block !== "string" && block.family === address.family && block.first <= address.value && address.value <= block.last;
    });
}

/** host and port of `host:port`, `[v6]:port` or a bare host. */
function splitHostPort(address: string): { host: string; port: number | undefined } {
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]+)(?::(\d+))?$/.exec(address);
    return m ? { host: m[1], port: m[2] === undefined ? undefined : Number(m[2]) } : { host: address, port: undefined };
}

/**
 * Every place restricted egress would keep a guest from, each with the destination to add. Paths are
 * relative to the egress policy (`destinations`). Nothing for `all` egress.
 */
export function egressReachProblems(egress: EgressPolicy | undefined, needs: GuestNeeds): Problem[] {
    if (egress?.mode !== "restricted" || !Array.isArray(egress.destinations) || egress.destinations.length === 0) return [];
    const destinations = egress.destinations;
    const problems: Problem[] = [];
    const add = (message: string) => problems.push({ path: "destinations", message });
    const resolvesNames = destinations.some((d) => d.ports.includes(DNS_PORT));

    const amqp = destinations.some((d) => /rabbit|amqp/i.test(d.purpose) || (protocolOf(d) === "tcp" && AMQP_PORTS.some((p) => d.ports.includes(p))));
    if (!amqp) {
        add(`no destination reaches RabbitMQ (TCP ${AMQP_PORTS.join(" or ")}, or a destination whose purpose names rabbitmq): under network isolation the guest agent ` +
            "gets its work over RabbitMQ through these rules only; add { purpose: rabbitmq, cidrs: [<RabbitMQ's address>/32], ports: [5672] }");
    }
    if (needs.registry !== undefined) {
        const { host, port = 443 } = splitHostPort(needs.registry);
        if (!destinations.some((d) => allows(d, host, port, "tcp"))) {
            const cidr = parseAddress(host)?.family === 6 ? `${host}/128` : parseAddress(host) ? `${host}/32` : "<its address>/32";
            add(`no destination reaches the registry at ${needs.registry}, which guests pull the datastore and backup images from; ` +
                `add { purpose: registry, cidrs: [${cidr}], ports: [${port}] }`);
        }
        if (parseAddress(host) === undefined && !resolvesNames) {
            add(`the registry ${needs.registry} is a name, and no destination allows DNS (port ${DNS_PORT}) to resolve it; ` +
                `add { purpose: dns, cidrs: [<the DNS servers>], ports: [${DNS_PORT}], protocol: udp }`);
        }
    }
    for (const server of needs.dnsServers ?? []) {
        if (parseAddress(server) === undefined) continue;
        if (!destinations.some((d) => allows(d, server, DNS_PORT, "udp"))) {
            add(`no destination reaches the management subnet's DNS server ${server} (UDP ${DNS_PORT}), so guests cannot resolve names; ` +
                `add { purpose: dns, cidrs: [${server}/${parseAddress(server)!.family === 6 ? 128 : 32}], ports: [${DNS_PORT}], protocol: udp }`);
        }
    }
    return problems;
}
