import { cidrsOverlap, containsAddress, parseCidr, planSubnet, smallestPrefixFor, Cidr } from "../../components/network/cidr";

describe("parseCidr", () => {
    test.each([
        ["10.0.0.0/24", 4, 24],
        ["192.0.2.10/32", 4, 32],
        ["0.0.0.0/0", 4, 0],
        ["2001:db8::/32", 6, 32],
        ["::/0", 6, 0],
    ])("%s parses as IPv%s /%s", (text, family, prefix) => {
        const cidr = parseCidr(text) as Cidr;
        expect(cidr.family).toBe(family);
        expect(cidr.prefix).toBe(prefix);
    });

    test.each([
        ["10.0.0.1/24", /host bits set; did you mean "10.0.0.0\/24"/],
        ["10.0.0.0", /not a CIDR/],
        ["10.0.0.0/33", /IPv4 prefixes run from \/0 to \/32/],
        ["300.0.0.0/8", /neither an IPv4 nor an IPv6/],
        ["2001:db8::/129", /IPv6 prefixes/],
    ])("%s is refused", (text, message) => {
        expect(parseCidr(text)).toMatch(message);
    });
});

describe("overlap and containment", () => {
    const c = (t: string) => parseCidr(t) as Cidr;
    test.each([
        ["10.0.0.0/24", "10.0.0.128/25", true],
        ["10.0.0.0/24", "10.0.1.0/24", false],
        ["10.0.0.0/8", "10.254.0.0/22", true],
        ["10.0.0.0/24", "2001:db8::/32", false],
    ])("%s and %s overlap: %s", (a, b, expected) => {
        expect(cidrsOverlap(c(a), c(b))).toBe(expected);
        expect(cidrsOverlap(c(b), c(a))).toBe(expected);
    });

    test("containsAddress", () => {
        expect(containsAddress(c("10.254.0.0/22"), "10.254.3.254")).toBe(true);
        expect(containsAddress(c("10.254.0.0/22"), "10.254.4.1")).toBe(false);
    });
});

describe("planSubnet", () => {
    test("lays out gateway, pool and the controllers' block", () => {
        expect(planSubnet("10.254.0.0/22", { maxInstances: 200, controllers: 3, dhcpPorts: 1 })).toEqual({
            cidr: "10.254.0.0/22",
            gatewayIp: "10.254.0.1",
            allocationPool: { start: "10.254.0.2", end: "10.254.3.251" },
            controllerRange: { start: "10.254.3.252", end: "10.254.3.254" },
            usableAddresses: 1021,
            neededAddresses: 204,
        });
    });

    test("no controllers: the pool runs to the last address and there is no controller range", () => {
        const plan = planSubnet("10.0.0.0/24", { maxInstances: 10, controllers: 0, dhcpPorts: 1 });
        expect(plan).toMatchObject({ allocationPool: { start: "10.0.0.2", end: "10.0.0.254" }, controllerRange: undefined });
    });

    test("an exact fit is accepted, one more is refused with the size that would fit", () => {
        // A /24 has 256 - 3 = 253 usable addresses.
        expect(typeof planSubnet("10.0.0.0/24", { maxInstances: 250, controllers: 2, dhcpPorts: 1 })).toBe("object");
        expect(planSubnet("10.0.0.0/24", { maxInstances: 251, controllers: 2, dhcpPorts: 1 }))
            .toBe("10.0.0.0/24 holds 253 addresses, 254 are needed for 251 instances, 2 controllers and 1 DHCP ports; use a /23 or larger");
    });

    test("the design's example: a /29 for 200 instances and 10 controllers", () => {
        expect(planSubnet("10.0.0.0/29", { maxInstances: 200, controllers: 10, dhcpPorts: 0 }))
            .toBe("10.0.0.0/29 holds 5 addresses, 210 are needed for 200 instances, 10 controllers and 0 DHCP ports; use a /24 or larger");
    });

    test("IPv6 and tiny blocks are refused", () => {
        expect(planSubnet("2001:db8::/64", { maxInstances: 1, controllers: 0, dhcpPorts: 0 })).toMatch(/must be IPv4/);
        expect(planSubnet("10.0.0.0/30", { maxInstances: 1, controllers: 0, dhcpPorts: 0 })).toMatch(/at least a \/29/);
    });

    test.each([[1, 29], [5, 29], [6, 28], [253, 24], [254, 23], [1021, 22]])("smallestPrefixFor(%s) = /%s", (needed, prefix) => {
        expect(smallestPrefixFor(needed)).toBe(prefix);
    });
});
