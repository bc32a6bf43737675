// Address arithmetic over whole address spaces: what a list of CIDRs covers together. A check that
// looks at one CIDR at a time ("is it 0.0.0.0/0?") passes 0.0.0.0/1 + 128.0.0.0/1, which open a
// port to every IPv4 address just the same; the questions here are about the union.
//
// Pure and dependency-free (no Pulumi, no Node modules): the policy pack (policy/rules.ts) imports
// it too, so the component and the pack judge a list of sources the same way.

/** An IP family: 4 or 6. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are IPv6: a packet filter matches IPv4 packets against IPv4 rules only. */
export type AddressFamily = 4 | 6;

/** Bits in an address of each family. */
export const ADDRESS_BITS: Readonly<Record<AddressFamily, number>> = { 4: 32, 6: 128 };

/**
 * Addresses first..last (inclusive) of one family, as numbers. BigInt for both families, so IPv4
 * and IPv6 share one code path (an IPv6 address does not fit a double).
 */
export interface AddressRange {
    readonly family: AddressFamily;
    readonly first: bigint;
    readonly last: bigint;
}

/** A parsed CIDR: the range it matches, and the text it came from. */
export interface AddressBlock extends AddressRange {
    /** The CIDR as given (trimmed). */
    readonly text: string;
    readonly prefix: number;
}

/** What a list of CIDRs of one family covers together. */
export interface FamilyCoverage {
    readonly family: AddressFamily;
    /** The union, as sorted, disjoint, non-adjacent ranges (see {@link mergeRanges}). */
    readonly ranges: readonly AddressRange[];
    /** How many addresses the union holds. */
    readonly addresses: bigint;
    /** True when the union is the whole address space of the family. */
    readonly whole: boolean;
    /** The listed blocks not inside another listed block (see {@link outermost}): the ones to name. */
    readonly outermost: readonly AddressBlock[];
}

/** What a list of CIDRs covers, per family, and the entries that are not CIDRs. */
export interface AddressCoverage {
    readonly ipv4: FamilyCoverage;
    readonly ipv6: FamilyCoverage;
    /** Entries that do not parse, with why (see {@link parseBlock}); they cover nothing. */
    readonly invalid: readonly { readonly text: string; readonly message: string }[];
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

/** The size of a family's whole address space. */
export function spaceSize(family: AddressFamily): bigint {
    return 1n << BigInt(ADDRESS_BITS[family]);
}

/** How many addresses a block of this prefix length holds. */
export function blockSize(family: AddressFamily, prefix: number): bigint {
    return 1n << BigInt(ADDRESS_BITS[family] - prefix);
}

/**
 * A dotted-quad IPv4 address as a number, or undefined. Strict (four decimal octets, no leading
 * zeros), as Neutron's validator is: "010.0.0.1" is ambiguous (octal to some parsers).
 */
export function parseIpv4(text: string): bigint | undefined {
    const octets = text.split(".");
    if (octets.length !== 4 || !octets.every((o) => OCTET.test(o))) return undefined;
    return octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);
}

/**
 * An IPv6 address as a number, or undefined. Accepts the RFC 4291 text forms: eight groups of one
 * to four hex digits, one `::` standing for one or more zero groups, and a dotted-quad IPv4 address
 * in place of the last two groups (`::ffff:192.0.2.1`, `64:ff9b::192.0.2.1`). No zone index: a
 * CIDR has none.
 */
export function parseIpv6(text: string): bigint | undefined {
    const halves = text.split("::");
    if (halves.length > 2) return undefined;
    const groupsOf = (part: string, last: boolean): bigint[] | undefined => {
        if (part === "") return [];
        const texts = part.split(":");
        const values: bigint[] = [];
        for (let i = 0; i < texts.length; i++) {
            const t = texts[i];
            if (last && i === texts.length - 1 && t.includes(".")) {
                const v4 = parseIpv4(t);
                if (v4 === undefined) return undefined;
                values.push(v4 >> 16n, v4 & 0xffffn);
            } else if (HEXTET.test(t)) {
                values.push(BigInt(parseInt(t, 16)));
            } else {
                return undefined;
            }
        }
        return values;
    };
    const compressed = halves.length === 2;
    const head = groupsOf(halves[0], !compressed);
    const tail = compressed ? groupsOf(halves[1], true) : [];
    if (head === undefined || tail === undefined) return undefined;
    const given = head.length + tail.length;
    if (compressed ? given > 7 : given !== 8) return undefined;
    const groups = [...head, ...Array<bigint>(8 - given).fill(0n), ...tail];
    return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** An address of either family, or undefined. A colon makes it IPv6. */
export function parseAddress(text: string): { readonly family: AddressFamily; readonly value: bigint } | undefined {
    const value = text.includes(":") ? parseIpv6(text) : parseIpv4(text);
    if (value === undefined) return undefined;
    return { family: text.includes(":") ? 6 : 4, value };
}

/**
 * An address as text: IPv4 dotted-quad; IPv6 in RFC 5952's canonical form (lower case, the longest
 * run of two or more zero groups as `::`), IPv4-mapped addresses as `::ffff:a.b.c.d`. For messages.
 */
export function formatAddress(family: AddressFamily, value: bigint): string {
    if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
    if (value >> 32n === 0xffffn) return `::ffff:${formatAddress(4, value & 0xffffffffn)}`;
    const groups = [...Array(8)].map((_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
    let best = { at: -1, length: 1 };
    for (let i = 0; i < 8;) {
        let j = i;
        while (j < 8 && groups[j] === 0) j++;
        if (j - i > best.length) best = { at: i, length: j - i };
        i = j === i ? i + 1 : j;
    }
    const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
    if (best.at < 0) return hex(groups);
    return `${hex(groups.slice(0, best.at))}::${hex(groups.slice(best.at + best.length))}`;
}

/**
 * A CIDR as the range of addresses it matches, or a message saying why it is not a CIDR.
 * Host bits are ignored, as a packet filter ignores them (10.0.0.1/24 matches 10.0.0.0-10.0.0.255):
 * refusing them as a likely typo is parseCidr's job (components/network/cidr.ts), not this one's,
 * which also judges rules already deployed.
 */
export function parseBlock(text: string): AddressBlock | string {
    if (typeof text !== "string") return `expected a CIDR such as "10.0.0.0/24", got ${JSON.stringify(text)}`;
    const trimmed = text.trim();
    const match = /^([^/\s]+)\/(\d{1,3})$/.exec(trimmed);
    if (!match) return `"${text}" is not a CIDR; expected an address and a prefix length such as "10.0.0.0/24"`;
    const address = parseAddress(match[1]);
    if (!address) return `"${text}" is not a CIDR: "${match[1]}" is neither an IPv4 nor an IPv6 address`;
    const prefix = Number(match[2]);
    const bits = ADDRESS_BITS[address.family];
    if (prefix > bits) return `"${text}" has prefix /${prefix}; IPv${address.family} prefixes run from /0 to /${bits}`;
    const size = blockSize(address.family, prefix);
    const first = address.value - (address.value % size);
    return { text: trimmed, family: address.family, prefix, first, last: first + size - 1n };
}

/**
 * The union of some ranges as sorted, disjoint ranges, overlapping and adjacent ones merged
 * (10.0.0.0/8 and 11.0.0.0/8 become 10.0.0.0-11.255.255.255). IPv4 ranges sort before IPv6 ones.
 */
export function mergeRanges(ranges: readonly AddressRange[]): AddressRange[] {
    const sorted = [...ranges].sort((a, b) => a.family - b.family || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    const merged: { family: AddressFamily; first: bigint; last: bigint }[] = [];
    for (const r of sorted) {
        const top = merged[merged.length - 1];
        if (top && top.family === r.family && r.first <= top.last + 1n) {
            if (r.last > top.last) top.last = r.last;
        } else {
            merged.push({ family: r.family, first: r.first, last: r.last });
        }
    }
    return merged;
}

/** True when the ranges of `family` among `ranges` together hold every address of that family. */
export function coversWholeSpace(ranges: readonly AddressRange[], family: AddressFamily): boolean {
    const merged = mergeRanges(ranges.filter((r) => r.family === family));
    return merged.length === 1 && merged[0].first === 0n && merged[0].last === spaceSize(family) - 1n;
}

/**
 * The fewest CIDRs that together are exactly `range` (the usual split into aligned blocks), so a
 * message can say what a list covers: 10.0.0.0-11.255.255.255 is "10.0.0.0/7".
 */
export function rangeToCidrs(range: AddressRange): string[] {
    const bits = ADDRESS_BITS[range.family];
    const cidrs: string[] = [];
    let at = range.first;
    while (at <= range.last) {
        // The largest block that starts at `at` (aligned) and ends within the range.
        let hostBits = 0;
        while (hostBits < bits) {
            const size = 1n << BigInt(hostBits + 1);
            if (at % size !== 0n || at + size - 1n > range.last) break;
            hostBits++;
        }
        cidrs.push(`${formatAddress(range.family, at)}/${bits - hostBits}`);
        at += 1n << BigInt(hostBits);
    }
    return cidrs;
}

/**
 * The ranges not inside another of the list (of the same family), in list order, an identical range
 * kept the first time only. CIDR blocks either nest or are disjoint, so for blocks these are
 * disjoint and cover what the whole list covers: the ones to name in a message. Generic, so a
 * caller can carry its own data (the rule a prefix came from) through.
 */
export function outermost<T extends AddressRange>(ranges: readonly T[]): T[] {
    return ranges.filter((r, i) => !ranges.some((o, j) => j !== i && o.family === r.family
        && o.first <= r.first && r.last <= o.last && (o.first !== r.first || o.last !== r.last || j < i)));
}

function familyCoverage(family: AddressFamily, blocks: readonly AddressBlock[]): FamilyCoverage {
    const mine = blocks.filter((b) => b.family === family);
    const ranges = mergeRanges(mine);
    return {
        family,
        ranges,
        addresses: ranges.reduce((n, r) => n + (r.last - r.first + 1n), 0n),
        whole: coversWholeSpace(ranges, family),
        outermost: outermost(mine),
    };
}

/**
 * What `cidrs` cover together, per family: the merged ranges, whether that is the whole space,
 * and which of the CIDRs account for it. Entries that are not CIDRs are returned, not thrown, so a
 * validator can report them beside everything else.
 */
export function coverage(cidrs: readonly string[]): AddressCoverage {
    const blocks: AddressBlock[] = [];
    const invalid: { text: string; message: string }[] = [];
    for (const text of cidrs) {
        const block = parseBlock(text);
        if (typeof block === "string") invalid.push({ text, message: block });
        else blocks.push(block);
    }
    return { ipv4: familyCoverage(4, blocks), ipv6: familyCoverage(6, blocks), invalid };
}
