// validateRuleInputs judges what the SSH and ICMP sources mean together, not one string at a time:
// a /0, a network wider than the minimum, and a list that covers every address are refused.
import { DEFAULT_MIN_INGRESS_PREFIX, RuleInputs, validateRuleInputs } from "../../components/security/rules";

const paths = (inputs: RuleInputs) => validateRuleInputs(inputs).map((p) => p.path);

describe("ingress sources: accepted", () => {
    test.each<[string, RuleInputs]>([
        ["one controller", { sshFromCidrs: ["192.0.2.10/32"] }],
        ["a /16, the default minimum", { sshFromCidrs: ["10.20.0.0/16"], icmpFromCidrs: ["10.20.0.0/16"] }],
        ["IPv6 /64", { sshFromCidrs: ["2001:db8::/64"] }],
        ["IPv6 /48, the default minimum", { icmpFromCidrs: ["2001:db8:1::/48"] }],
        ["a /8 with the IPv4 minimum lowered to 8", { sshFromCidrs: ["10.0.0.0/8"], minIngressPrefix: { ipv4: 8 } }],
        ["half the space with no minimum: wide, but not every address", { sshFromCidrs: ["0.0.0.0/1"], minIngressPrefix: { ipv4: 0 } }],
        ["an IPv6 /32 with the IPv6 minimum lowered to 32", { sshFromCidrs: ["2001:db8::/32"], minIngressPrefix: { ipv6: 32 } }],
        ["nothing", {}],
    ])("%s", (_label, inputs) => {
        expect(validateRuleInputs(inputs)).toEqual([]);
    });
});

describe("ingress sources: refused", () => {
    test("0.0.0.0/1 + 128.0.0.0/1 together are the world: one problem at the list, naming both", () => {
        expect(validateRuleInputs({ sshFromCidrs: ["0.0.0.0/1", "128.0.0.0/1"] })).toEqual([{
            path: "sshFromCidrs",
            message: expect.stringContaining(`"0.0.0.0/1", "128.0.0.0/1" together cover every IPv4 address`),
        }]);
    });

    test("the same list is refused with the minimum lifted, and in the ICMP list", () => {
        expect(paths({ sshFromCidrs: ["0.0.0.0/1", "128.0.0.0/1"], minIngressPrefix: { ipv4: 0 } })).toEqual(["sshFromCidrs"]);
        expect(paths({ icmpFromCidrs: ["128.0.0.0/1", "0.0.0.0/1"], minIngressPrefix: { ipv4: 0 } })).toEqual(["icmpFromCidrs"]);
    });

    test("four /2s, with a controller and a nested block besides: the message names the four, not the rest", () => {
        const problems = validateRuleInputs({
            sshFromCidrs: ["192.0.2.10/32", "0.0.0.0/2", "64.0.0.0/2", "10.0.0.0/8", "128.0.0.0/2", "192.0.0.0/2"],
            minIngressPrefix: { ipv4: 0 },
        });
        expect(problems).toHaveLength(1);
        expect(problems[0].path).toBe("sshFromCidrs");
        expect(problems[0].message).toMatch(/^"0\.0\.0\.0\/2", "64\.0\.0\.0\/2", "128\.0\.0\.0\/2", "192\.0\.0\.0\/2" together cover every IPv4 address/);
        expect(problems[0].message).toContain(`list the controllers' addresses instead (e.g. "192.0.2.10/32")`);
    });

    test("IPv6 ::/1 + 8000::/1 are the world too", () => {
        expect(validateRuleInputs({ sshFromCidrs: ["::/1", "8000::/1"], minIngressPrefix: { ipv6: 0 } })).toEqual([{
            path: "sshFromCidrs",
            message: expect.stringContaining(`"::/1", "8000::/1" together cover every IPv6 address`),
        }]);
    });

    test("halves of different families cover neither space: each is only too wide", () => {
        expect(paths({ sshFromCidrs: ["0.0.0.0/1", "8000::/1"] })).toEqual(["sshFromCidrs[0]", "sshFromCidrs[1]"]);
    });

    test("10.0.0.0/8 is wider than the default /16, with the size and both fixes in the message", () => {
        expect(validateRuleInputs({ sshFromCidrs: ["10.0.0.0/8"] })).toEqual([{
            path: "sshFromCidrs[0]",
            message: `10.0.0.0/8 is a /8 (16,777,216 addresses), wider than the /16 allowed for one IPv4 source; `
                + `list the controllers' addresses instead (e.g. "192.0.2.10/32"), or, if a network this wide is really meant, `
                + `lower minIngressPrefix.ipv4 (securityGroups.minIngressPrefix.ipv4 in the region's config) to 8`,
        }]);
    });

    test("a /15 is one bit too wide; the index is the CIDR's own", () => {
        expect(paths({ icmpFromCidrs: ["192.0.2.10/32", "10.0.0.0/15"] })).toEqual(["icmpFromCidrs[1]"]);
    });

    test("IPv6 2001:db8::/32 is wider than the default /48; the IPv4 minimum does not apply to it", () => {
        const problems = validateRuleInputs({ sshFromCidrs: ["2001:db8::/32"], minIngressPrefix: { ipv4: 0 } });
        expect(problems).toEqual([{ path: "sshFromCidrs[0]", message: expect.stringContaining("2001:db8::/32 is a /32 (2^96 addresses), wider than the /48 allowed for one IPv6 source") }]);
        expect(problems[0].message).toContain("lower minIngressPrefix.ipv6");
        expect(problems[0].message).toContain(`"2001:db8::10/128"`);
    });

    test("a single /0 keeps its own message, and is not reported again as a cover", () => {
        expect(validateRuleInputs({ sshFromCidrs: ["0.0.0.0/0"] })).toEqual([{
            path: "sshFromCidrs[0]",
            message: `0.0.0.0/0 opens the management port to the whole world; list the controllers' addresses instead (e.g. "192.0.2.10/32")`,
        }]);
        expect(paths({ icmpFromCidrs: ["::/0", "192.0.2.10/32"] })).toEqual(["icmpFromCidrs[0]"]);
    });

    test("a /0 beside two halves: both are reported, as dropping the /0 alone would leave the world open", () => {
        expect(paths({ sshFromCidrs: ["0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1"], minIngressPrefix: { ipv4: 0 } })).toEqual(["sshFromCidrs[0]", "sshFromCidrs"]);
    });

    test("every problem is collected: a typo, a duplicate, a too-wide CIDR and a cover in the other list", () => {
        expect(paths({
            sshFromCidrs: ["10.0.0.1/24", "10.0.0.0/8", "192.0.2.10/32", "192.0.2.10/32"],
            icmpFromCidrs: ["0.0.0.0/1", "128.0.0.0/1"],
        })).toEqual(["sshFromCidrs[0]", "sshFromCidrs[1]", "sshFromCidrs[3]", "icmpFromCidrs"]);
    });
});

describe("minIngressPrefix", () => {
    test("defaults to a /16 and a /48", () => {
        expect(DEFAULT_MIN_INGRESS_PREFIX).toEqual({ ipv4: 16, ipv6: 48 });
        expect(paths({ sshFromCidrs: ["10.0.0.0/16", "10.1.0.0/17", "2001:db8::/48", "2001:db9::/49"] })).toEqual([]);
        expect(paths({ sshFromCidrs: ["10.0.0.0/15", "2001:db8::/47"] })).toEqual(["sshFromCidrs[0]", "sshFromCidrs[1]"]);
    });

    test("a stricter minimum refuses what the default allows", () => {
        expect(paths({ sshFromCidrs: ["192.0.2.0/24"], minIngressPrefix: { ipv4: 28 } })).toEqual(["sshFromCidrs[0]"]);
    });

    test.each<[string, unknown, string, RegExp]>([
        ["ipv4 above 32", { ipv4: 33 }, "minIngressPrefix.ipv4", /33 is not an IPv4 prefix length between 0 and 32/],
        ["ipv4 negative", { ipv4: -1 }, "minIngressPrefix.ipv4", /between 0 and 32/],
        ["ipv4 not an integer", { ipv4: 8.5 }, "minIngressPrefix.ipv4", /8\.5 is not/],
        ["ipv4 a string", { ipv4: "16" }, "minIngressPrefix.ipv4", /"16" is not/],
        ["ipv6 above 128", { ipv6: 129 }, "minIngressPrefix.ipv6", /129 is not an IPv6 prefix length between 0 and 128/],
        ["not an object", 16, "minIngressPrefix", /16 is not an object such as \{ ipv4: 16, ipv6: 48 \}/],
        ["null", null, "minIngressPrefix", /null is not an object/],
    ])("%s is refused", (_label, value, path, message) => {
        expect(validateRuleInputs({ minIngressPrefix: value as RuleInputs["minIngressPrefix"] })).toEqual([{ path, message: expect.stringMatching(message) }]);
    });

    test("an invalid minimum leaves the default in force, so nothing slips through meanwhile", () => {
        expect(paths({ sshFromCidrs: ["10.0.0.0/8"], minIngressPrefix: { ipv4: 99 } })).toEqual(["minIngressPrefix.ipv4", "sshFromCidrs[0]"]);
    });
});
