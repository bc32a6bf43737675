import { installMocks, named, ofType, settle } from "../mocks";
import { ManagementSecurityGroups } from "../../components/security/management-security-groups";
import { managementRules, validateRuleInputs, RuleInputs } from "../../components/security/rules";

const mocks = installMocks();
beforeEach(() => mocks.reset());

const RULE = "openstack:networking/secGroupRule:SecGroupRule";

describe("ManagementSecurityGroups", () => {
    test("default: Neutron's default rules deleted, no ingress, explicit all-egress for IPv4 and IPv6", async () => {
        new ManagementSecurityGroups("mgmt", { projectId: "service-project" });
        await settle();
        expect(named(mocks.resources, "mgmt-group").inputs).toMatchObject({
            name: "trove-mgmt", tenantId: "service-project", deleteDefaultRules: true,
        });
        const rules = ofType(mocks.resources, RULE).map((r) => r.inputs);
        expect(rules).toHaveLength(2);
        expect(rules.filter((r) => r.direction === "ingress")).toEqual([]);
        expect(rules.map((r) => [r.direction, r.ethertype, r.remoteIpPrefix, r.protocol]).sort()).toEqual([
            ["egress", "IPv4", "0.0.0.0/0", undefined],
            ["egress", "IPv6", "::/0", undefined],
        ]);
        for (const rule of rules) expect(rule.securityGroupId).toBe("mgmt-group-id");
    });

    test("SSH and ICMP from the controllers only, one rule per CIDR, named by content", async () => {
        new ManagementSecurityGroups("mgmt", {
            projectId: "p",
            sshFromCidrs: ["192.0.2.10/32", "2001:db8::10/128"],
            icmpFromCidrs: ["192.0.2.0/24"],
        });
        await settle();
        const ssh = named(mocks.resources, "mgmt-ingress-ssh-192-0-2-10-32").inputs;
        expect(ssh).toMatchObject({ direction: "ingress", ethertype: "IPv4", protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: "192.0.2.10/32" });
        expect(named(mocks.resources, "mgmt-ingress-ssh-2001-db8-10-128").inputs).toMatchObject({ ethertype: "IPv6", portRangeMin: 22 });
        expect(named(mocks.resources, "mgmt-ingress-icmp-192-0-2-0-24").inputs).toMatchObject({ protocol: "icmp", remoteIpPrefix: "192.0.2.0/24" });
        expect(ofType(mocks.resources, RULE).filter((r) => r.inputs.direction === "ingress")).toHaveLength(3);
    });

    test("restricted egress: exactly the listed destinations and ports and the metadata service, nothing to the world", async () => {
        new ManagementSecurityGroups("mgmt", {
            projectId: "p",
            egress: {
                mode: "restricted",
                destinations: [
                    { purpose: "rabbitmq", cidrs: ["192.0.2.20/32", "192.0.2.21/32"], ports: [5672] },
                    { purpose: "registry", cidrs: ["192.0.2.30/32"], ports: [4000] },
                    { purpose: "dns", cidrs: ["192.0.2.53/32"], ports: [53], protocol: "udp" },
                ],
            },
        });
        await settle();
        const egress = ofType(mocks.resources, RULE).map((r) => r.inputs);
        expect(egress.map((r) => `${r.protocol} ${r.remoteIpPrefix}:${r.portRangeMin}`).sort()).toEqual([
            "tcp 169.254.169.254/32:80", "tcp 192.0.2.20/32:5672", "tcp 192.0.2.21/32:5672", "tcp 192.0.2.30/32:4000", "udp 192.0.2.53/32:53",
        ]);
        expect(egress.find((r) => r.remoteIpPrefix === "169.254.169.254/32")!.description).toBe("Guest agent to metadata");
        expect(egress.some((r) => r.remoteIpPrefix === "0.0.0.0/0")).toBe(false);
    });

    test("restricted egress that lists the metadata service itself gets it once", () => {
        const rules = managementRules({ egress: { mode: "restricted", destinations: [
            { purpose: "rabbitmq", cidrs: ["192.0.2.20/32"], ports: [5672] },
            { purpose: "nova-metadata", cidrs: ["169.254.169.254/32"], ports: [80] },
        ] } });
        expect(rules.filter((r) => r.remoteIpPrefix === "169.254.169.254/32").map((r) => r.key)).toEqual(["egress-nova-metadata-tcp-80-169-254-169-254-32"]);
    });

    test("a wider source is accepted once the minimum is lowered for it, and becomes one rule", async () => {
        new ManagementSecurityGroups("mgmt", { projectId: "p", sshFromCidrs: ["10.0.0.0/8"], minIngressPrefix: { ipv4: 8 } });
        await settle();
        expect(named(mocks.resources, "mgmt-ingress-ssh-10-0-0-0-8").inputs).toMatchObject({ protocol: "tcp", portRangeMin: 22, remoteIpPrefix: "10.0.0.0/8" });
        expect(ofType(mocks.resources, RULE).filter((r) => r.inputs.direction === "ingress")).toHaveLength(1);
    });

    test("adding a CIDR adds one rule and renames none", () => {
        const before = managementRules({ sshFromCidrs: ["192.0.2.10/32"] }).map((r) => r.key);
        const after = managementRules({ sshFromCidrs: ["192.0.2.10/32", "192.0.2.11/32"] }).map((r) => r.key);
        expect(after.filter((k) => !before.includes(k))).toEqual(["ingress-ssh-192-0-2-11-32"]);
        expect(before.every((k) => after.includes(k))).toBe(true);
    });
});

describe("validateRuleInputs", () => {
    test.each<[string, RuleInputs, string, RegExp]>([
        ["world SSH", { sshFromCidrs: ["0.0.0.0/0"] }, "sshFromCidrs[0]", /opens the management port to the whole world/],
        ["world SSH v6", { sshFromCidrs: ["::/0"] }, "sshFromCidrs[0]", /whole world/],
        ["world ICMP", { icmpFromCidrs: ["0.0.0.0/0"] }, "icmpFromCidrs[0]", /whole world/],
        ["world SSH in halves", { sshFromCidrs: ["0.0.0.0/1", "128.0.0.0/1"] }, "sshFromCidrs", /together cover every IPv4 address/],
        ["SSH wider than the minimum", { sshFromCidrs: ["10.0.0.0/8"] }, "sshFromCidrs[0]", /wider than the \/16 allowed/],
        ["minimum out of range", { minIngressPrefix: { ipv6: 200 } }, "minIngressPrefix.ipv6", /between 0 and 128/],
        ["bad CIDR", { sshFromCidrs: ["10.0.0.1/24"] }, "sshFromCidrs[0]", /host bits set/],
        ["duplicate", { sshFromCidrs: ["192.0.2.1/32", "192.0.2.1/32"] }, "sshFromCidrs[1]", /listed twice/],
        ["egress mode", { egress: { mode: "open" } as never }, "egress.mode", /choose "all" or "restricted"/],
        ["no destinations", { egress: { mode: "restricted", destinations: [] } }, "egress.destinations", /cuts the guest agent off from RabbitMQ/],
        ["bad port", { egress: { mode: "restricted", destinations: [{ purpose: "rabbitmq", cidrs: ["192.0.2.1/32"], ports: [70000] }] } }, "egress.destinations[0].ports[0]", /between 1 and 65535/],
        ["no cidrs", { egress: { mode: "restricted", destinations: [{ purpose: "rabbitmq", cidrs: [], ports: [5672] }] } }, "egress.destinations[0].cidrs", /at least one CIDR/],
        ["protocol", { egress: { mode: "restricted", destinations: [{ purpose: "dns", cidrs: ["192.0.2.1/32"], ports: [53], protocol: "icmp" as never }] } }, "egress.destinations[0].protocol", /"tcp" or "udp"/],
        ["duplicate rule", { egress: { mode: "restricted", destinations: [
            { purpose: "rabbitmq", cidrs: ["192.0.2.1/32"], ports: [5672] },
            { purpose: "rabbitmq", cidrs: ["192.0.2.1/32"], ports: [5672] },
        ] } }, "egress.destinations", /declared twice/],
    ])("%s", async (_label, inputs, path, message) => {
        expect(validateRuleInputs(inputs)).toContainEqual({ path, message: expect.stringMatching(message) });
        expect(() => new ManagementSecurityGroups("bad", { ...inputs, projectId: "p" })).toThrow(message);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });
});
