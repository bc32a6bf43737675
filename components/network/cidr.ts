import * as net from "net";
import { formatAddress, parseAddress, parseBlock } from "./address-space";

/** A parsed CIDR block. IPv4 blocks carry their numeric base for arithmetic. */
export interface Cidr {
    readonly text: string;
    readonly family: 4 | 6;
    readonly prefix: number;
    /** IPv4 only: the network address as an unsigned 32-bit number. */
    readonly base?: number;
}

export function ipv4ToNumber(ip: string): number | undefined {
    if (!net.isIPv4(ip)) return undefined;
    return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function numberToIpv4(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/**
 * Parses `a.b.c.d/p` or an IPv6 `x::/p` (address-space.ts's parseBlock). Returns a message instead
 * of throwing, so validators can collect every problem. Host bits must be zero: `10.0.0.1/24` is
 * almost always a typo.
 */
export function parseCidr(text: string): Cidr | string {
    const block = parseBlock(text);
    if (typeof block === "string") return block;
    const address = parseAddress(block.text.split("/")[0])!;
    if (address.value !== block.first) {
        return `"${text}" has host bits set; did you mean "${formatAddress(block.family, block.first)}/${block.prefix}"?`;
    }
    return { text: block.text, family: block.family, prefix: block.prefix, base: block.family === 4 ? Number(block.first) : undefined };
}

export function cidrSize(cidr: Cidr): number {
    return 2 ** ((cidr.family === 4 ? 32 : 128) - cidr.prefix);
}

/** True when two IPv4 blocks share any address. IPv6 blocks are compared textually only. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
    if (a.family !== b.family) return false;
    if (a.family === 6 || a.base === undefined || b.base === undefined) return a.text === b.text;
    const aEnd = a.base + cidrSize(a) - 1;
    const bEnd = b.base + cidrSize(b) - 1;
    return a.base <= bEnd && b.base <= aEnd;
}

export function containsAddress(cidr: Cidr, ip: string): boolean {
    const n = ipv4ToNumber(ip);
    if (cidr.family !== 4 || n === undefined || cidr.base === undefined) return false;
    return n >= cidr.base && n < cidr.base + cidrSize(cidr);
}

/** What the management subnet must hold over the lifetime of the region. */
export interface SubnetDemand {
    /** Database instances: each has one port on the management network. */
    readonly maxInstances: number;
    /** Trove controllers (and other control-plane hosts) that get a fixed address on the network. */
    readonly controllers: number;
    /** Neutron DHCP ports, one per DHCP agent serving the network. */
    readonly dhcpPorts: number;
}

/** How the management subnet's addresses are laid out. */
export interface SubnetPlan {
    readonly cidr: string;
    readonly gatewayIp: string;
    /** Neutron allocates instance and DHCP ports from here. */
    readonly allocationPool: { readonly start: string; readonly end: string };
    /** The top of the subnet, kept out of the pool for controllers' fixed addresses. */
    readonly controllerRange?: { readonly start: string; readonly end: string };
    /** Addresses usable by ports: all but the network, broadcast and gateway addresses. */
    readonly usableAddresses: number;
    readonly neededAddresses: number;
}

/** Network, broadcast and gateway addresses are never available to ports. */
export const RESERVED_ADDRESSES_PER_SUBNET = 3;

export function neededAddresses(demand: SubnetDemand): number {
    return demand.maxInstances + demand.controllers + demand.dhcpPorts;
}

/** The longest IPv4 prefix (at most /29) whose subnet holds `needed` port addresses. */
export function smallestPrefixFor(needed: number): number {
    for (let prefix = 29; prefix >= 0; prefix--) {
        if (2 ** (32 - prefix) - RESERVED_ADDRESSES_PER_SUBNET >= needed) return prefix;
    }
    return 0;
}

/**
 * Lays out an IPv4 management subnet: gateway first, then the allocation pool, then a block at the
 * top reserved for controllers. Returns a message when the block is too small for the demand.
 */
export function planSubnet(cidrText: string, demand: SubnetDemand): SubnetPlan | string {
    const cidr = parseCidr(cidrText);
    if (typeof cidr === "string") return cidr;
    if (cidr.family !== 4 || cidr.base === undefined) {
        return `"${cidrText}" is IPv6; the management subnet must be IPv4 (the guest agent and RabbitMQ use it)`;
    }
    if (cidr.prefix > 29) {
        return `"${cidrText}" is a /${cidr.prefix}; a management subnet needs at least a /29`;
    }
    const usable = cidrSize(cidr) - RESERVED_ADDRESSES_PER_SUBNET;
    const needed = neededAddresses(demand);
    if (usable < needed) {
        const prefix = smallestPrefixFor(needed);
        return (
            `${cidrText} holds ${usable} addresses, ${needed} are needed for ${demand.maxInstances} instances, ` +
            `${demand.controllers} controllers and ${demand.dhcpPorts} DHCP ports; use a /${prefix} or larger`
        );
    }
    const first = cidr.base + 1;
    const last = cidr.base + cidrSize(cidr) - 2;
    const poolEnd = last - demand.controllers;
    return {
        cidr: cidr.text,
        gatewayIp: numberToIpv4(first),
        allocationPool: { start: numberToIpv4(first + 1), end: numberToIpv4(poolEnd) },
        controllerRange:
            demand.controllers > 0 ? { start: numberToIpv4(poolEnd + 1), end: numberToIpv4(last) } : undefined,
        usableAddresses: usable,
        neededAddresses: needed,
    };
}
