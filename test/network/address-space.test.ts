import * as net from "net";
import fc from "fast-check";
import {
    AddressBlock, AddressFamily, AddressRange, coverage, coversWholeSpace, formatAddress, mergeRanges, outermost, parseBlock,
    parseIpv4, parseIpv6, rangeToCidrs,
} from "../../components/network/address-space";

const block = (text: string) => parseBlock(text) as AddressBlock;
const range = (family: AddressFamily, first: bigint, last: bigint): AddressRange => ({ family, first, last });
const V4_LAST = 0xffffffffn;
const V6_LAST = (1n << 128n) - 1n;

describe("parseIpv4 and parseIpv6", () => {
    test.each([
        ["0.0.0.0", 0n],
        ["255.255.255.255", V4_LAST],
        ["192.0.2.10", 0xc000020an],
    ])("IPv4 %s", (text, value) => expect(parseIpv4(text)).toBe(value));

    test.each(["256.0.0.0", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.", "a.b.c.d", ""])("%s is not IPv4", (text) => {
        expect(parseIpv4(text)).toBeUndefined();
    });

    test.each([
        ["::", 0n],
        ["::1", 1n],
        ["1::", 1n << 112n],
        ["2001:db8::", 0x20010db8n << 96n],
        ["2001:DB8:0:0:0:0:0:1", (0x20010db8n << 96n) | 1n],
        ["2001:db8::0:1", (0x20010db8n << 96n) | 1n],
        ["1:2:3:4:5:6:7::", 0x0001000200030004000500060007_0000n],
        ["::2:3:4:5:6:7:8", 0x0000000200030004000500060007_0008n],
        ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", V6_LAST],
        // Embedded IPv4: the last 32 bits, compressed or not.
        ["::ffff:1.2.3.4", 0xffff01020304n],
        ["::ffff:0102:0304", 0xffff01020304n],
        ["0:0:0:0:0:ffff:1.2.3.4", 0xffff01020304n],
        ["64:ff9b::192.0.2.1", (0x64ff9bn << 96n) | 0xc0000201n],
    ])("IPv6 %s", (text, value) => expect(parseIpv6(text)).toBe(value));

    test.each([
        "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8::", "1::2::3", ":1::", "1:::2", "12345::", "g::",
        "1.2.3.4::", "::1.2.3.4:5", "::ffff:256.1.1.1", "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "",
    ])("%s is not IPv6", (text) => expect(parseIpv6(text)).toBeUndefined());

    // "::" standing for no group at all (length 0) makes nine groups: invalid, which Node must agree with.
    test("agrees with Node's net.isIPv6 on generated addresses, and reads back what formatAddress writes", () => {
        const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
        const text = fc.tuple(fc.array(group, { minLength: 8, maxLength: 8 }), fc.integer({ min: -1, max: 7 }), fc.integer({ min: 0, max: 8 }))
            .map(([groups, at, length]) => at < 0 ? groups.join(":")
                : `${groups.slice(0, at).join(":")}::${groups.slice(Math.min(8, at + length)).join(":")}`);
        fc.assert(fc.property(text, (t) => {
            const value = parseIpv6(t);
            expect(value !== undefined).toBe(net.isIPv6(t));
            if (value !== undefined) expect(parseIpv6(formatAddress(6, value))).toBe(value);
        }));
    });
});

describe("formatAddress", () => {
    test.each<[AddressFamily, bigint, string]>([
        [4, 0xc000020an, "192.0.2.10"],
        [6, 0n, "::"],
        [6, 1n, "::1"],
        [6, 0x20010db8n << 96n, "2001:db8::"],
        // RFC 5952: the longest run of zeros is compressed, the first of equal runs, never a single group.
        [6, 0x20010db8_0000_0000_0001_0000_0000_0001n, "2001:db8::1:0:0:1"],
        [6, 0x20010db8_0001_0000_0001_0001_0001_0001n, "2001:db8:1:0:1:1:1:1"],
        [6, 0xffff01020304n, "::ffff:1.2.3.4"],
    ])("IPv%s %s is %s", (family, value, text) => expect(formatAddress(family, value)).toBe(text));
});

describe("parseBlock", () => {
    test.each<[string, AddressFamily, number, bigint, bigint]>([
        ["192.0.2.10/32", 4, 32, 0xc000020an, 0xc000020an],
        ["10.0.0.0/8", 4, 8, 0x0a000000n, 0x0affffffn],
        ["0.0.0.0/0", 4, 0, 0n, V4_LAST],
        // Host bits are ignored, as a packet filter ignores them.
        ["10.0.0.1/24", 4, 24, 0x0a000000n, 0x0a0000ffn],
        ["::/0", 6, 0, 0n, V6_LAST],
        ["2001:db8::/32", 6, 32, 0x20010db8n << 96n, (0x20010db9n << 96n) - 1n],
        ["::ffff:0.0.0.0/96", 6, 96, 0xffff00000000n, 0xffffffffffffn],
        [" 8000::/1 ", 6, 1, 1n << 127n, V6_LAST],
    ])("%s is IPv%s /%s", (text, family, prefix, first, last) => {
        expect(parseBlock(text)).toEqual({ text: text.trim(), family, prefix, first, last });
    });

    test.each([
        ["10.0.0.0", /not a CIDR/],
        ["10.0.0.0/33", /IPv4 prefixes run from \/0 to \/32/],
        ["2001:db8::/129", /IPv6 prefixes run from \/0 to \/128/],
        ["300.0.0.0/8", /neither an IPv4 nor an IPv6 address/],
        ["1::2::3/64", /neither an IPv4 nor an IPv6 address/],
    ])("%s is refused", (text, message) => expect(parseBlock(text)).toMatch(message));
});

describe("mergeRanges", () => {
    test("overlapping and adjacent ranges merge; gaps and families stay apart, IPv4 first", () => {
        expect(mergeRanges([
            range(6, 5n, 9n),
            range(4, 20n, 30n),
            range(4, 0n, 10n),
            range(4, 11n, 12n),
            range(4, 5n, 7n),
            range(4, 25n, 40n),
            range(6, 0n, 3n),
        ])).toEqual([range(4, 0n, 12n), range(4, 20n, 40n), range(6, 0n, 3n), range(6, 5n, 9n)]);
        expect(mergeRanges([])).toEqual([]);
    });
});

describe("coverage of the whole space", () => {
    test.each<[string, string[], boolean, boolean]>([
        ["IPv4 /1 + /1", ["0.0.0.0/1", "128.0.0.0/1"], true, false],
        ["IPv4 /2 x4, out of order", ["192.0.0.0/2", "0.0.0.0/2", "128.0.0.0/2", "64.0.0.0/2"], true, false],
        ["IPv4 /2 x3: a quarter missing", ["0.0.0.0/2", "64.0.0.0/2", "192.0.0.0/2"], false, false],
        ["overlapping: a /1, a /2 inside it, and the other /1", ["0.0.0.0/1", "64.0.0.0/2", "128.0.0.0/1"], true, false],
        ["overlapping, 240.0.0.0/4 missing", ["0.0.0.0/1", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4"], false, false],
        ["a single /0", ["0.0.0.0/0"], true, false],
        ["IPv6 ::/1 + 8000::/1", ["::/1", "8000::/1"], false, true],
        ["IPv6 halves written in full", ["0:0:0:0:0:0:0:0/1", "8000:0:0:0:0:0:0:0/1"], false, true],
        ["IPv6 ::/1 alone", ["::/1"], false, false],
        ["the IPv4 halves as IPv4-mapped IPv6 cover neither space", ["::ffff:0.0.0.0/97", "::ffff:128.0.0.0/97"], false, false],
        ["one half of each family", ["0.0.0.0/1", "8000::/1"], false, false],
        ["both families, each whole", ["128.0.0.0/1", "8000::/1", "0.0.0.0/1", "::/1"], true, true],
        ["controllers", ["192.0.2.10/32", "192.0.2.11/32", "2001:db8::10/128"], false, false],
        ["nothing", [], false, false],
    ])("%s", (_label, cidrs, ipv4, ipv6) => {
        const c = coverage(cidrs);
        expect(c.invalid).toEqual([]);
        expect(c.ipv4.whole).toBe(ipv4);
        expect(c.ipv6.whole).toBe(ipv6);
        expect(coversWholeSpace(cidrs.map(block), 4)).toBe(ipv4);
        expect(coversWholeSpace(cidrs.map(block), 6)).toBe(ipv6);
    });

    test("every IPv4 address but one is not the whole space; with that one it is", () => {
        const allButLast = rangeToCidrs(range(4, 0n, V4_LAST - 1n));
        expect(allButLast).toHaveLength(32);
        expect(coverage(allButLast).ipv4.whole).toBe(false);
        expect(coverage([...allButLast, "255.255.255.255/32"]).ipv4.whole).toBe(true);
        expect(coverage([...allButLast, "255.255.255.255/32"]).ipv4.addresses).toBe(2n ** 32n);
    });

    test("says what the CIDRs cover together, and which of them account for it", () => {
        const c = coverage(["10.0.0.0/8", "10.1.0.0/16", "11.0.0.0/8", "192.0.2.10/32", "10.0.0.0/8", "bogus", "2001:db8::/48"]);
        expect(c.ipv4.ranges.map(rangeToCidrs)).toEqual([["10.0.0.0/7"], ["192.0.2.10/32"]]);
        expect(c.ipv4.addresses).toBe(2n ** 25n + 1n);
        expect(c.ipv4.outermost.map((b) => b.text)).toEqual(["10.0.0.0/8", "11.0.0.0/8", "192.0.2.10/32"]);
        expect(c.ipv6.ranges.flatMap(rangeToCidrs)).toEqual(["2001:db8::/48"]);
        expect(c.ipv6.addresses).toBe(2n ** 80n);
        expect(c.invalid).toEqual([{ text: "bogus", message: expect.stringMatching(/not a CIDR/) }]);
    });

    test("the outermost blocks of a whole-space cover are the ones to name", () => {
        expect(coverage(["0.0.0.0/1", "64.0.0.0/2", "128.0.0.0/1", "0.0.0.0/1"]).ipv4.outermost.map((b) => b.text)).toEqual(["0.0.0.0/1", "128.0.0.0/1"]);
        // Generic: the caller's own data rides along.
        expect(outermost([{ ...block("10.0.0.0/8"), id: "a" }, { ...block("10.1.0.0/16"), id: "b" }, { ...block("10.1.0.0/16"), id: "c" }]).map((b) => b.id)).toEqual(["a"]);
    });
});

describe("rangeToCidrs", () => {
    test.each<[AddressRange, string[]]>([
        [range(4, 0n, V4_LAST), ["0.0.0.0/0"]],
        [range(4, 0x0a000000n, 0x0bffffffn), ["10.0.0.0/7"]],
        [range(4, 0xc0000201n, 0xc0000206n), ["192.0.2.1/32", "192.0.2.2/31", "192.0.2.4/31", "192.0.2.6/32"]],
        [range(6, 0n, V6_LAST), ["::/0"]],
        [range(6, 1n << 127n, V6_LAST), ["8000::/1"]],
    ])("%#", (r, cidrs) => expect(rangeToCidrs(r)).toEqual(cidrs));

    test("the CIDRs are exactly the range, for any IPv4 range", () => {
        const addr = fc.bigInt({ min: 0n, max: V4_LAST });
        fc.assert(fc.property(addr, addr, (a, b) => {
            const r = range(4, a < b ? a : b, a < b ? b : a);
            const blocks = rangeToCidrs(r).map(block);
            expect(mergeRanges(blocks)).toEqual([r]);
            expect(blocks.length).toBeLessThanOrEqual(62);
        }));
    });
});
