// The policy pack's rules as plain functions: each rule passes what the package builds and catches
// each way a stack can get it wrong, with a message that names the fix.
import {
    guestImageNotPrivate, inconsistentQuotas, insecureRegistriesInTroveConf, insecureRegistriesNotAllowed, isWorldOpenCidr, Plain,
    ResourceFacts, secretsNotMarked, typeChain, UNKNOWN, worldOpenManagementIngress, DEFAULT_MIN_INGRESS_PREFIX,
} from "../../policy/rules";
import { DEFAULT_MIN_INGRESS_PREFIX as COMPONENT_MIN_INGRESS_PREFIX } from "../../components/security/rules";

const REGION = "trove-region:region:TroveRegion";
const SG_COMPONENT = "trove-region:security:ManagementSecurityGroups";

function urn(types: string[], name: string): string {
    return `urn:pulumi:dev::trove-region::${types.join("$")}::${name}`;
}

function resource(type: string, name: string, props: Record<string, Plain>, extra: Partial<ResourceFacts> & { parents?: string[] } = {}): ResourceFacts {
    const { parents = [], ...rest } = extra;
    return { urn: urn([...parents, type], name), type, name, props, additionalSecretOutputs: [], ...rest };
}

describe("typeChain", () => {
    test("lists the parents' types, then the resource's own", () => {
        expect(typeChain(urn([REGION, SG_COMPONENT, "openstack:networking/secGroup:SecGroup"], "a::b"))).toEqual([
            REGION, SG_COMPONENT, "openstack:networking/secGroup:SecGroup",
        ]);
        expect(typeChain("not-a-urn")).toEqual([]);
    });
});

describe("isWorldOpenCidr", () => {
    test.each([["0.0.0.0/0", true], ["::/0", true], ["10.0.0.0/0", true], ["0.0.0.0/00", true], ["0.0.0.0/1", false], ["192.0.2.10/32", false], ["::/10", false]])(
        "%s -> %s", (cidr, open) => expect(isWorldOpenCidr(cidr)).toBe(open));
});

describe("management security group ingress", () => {
    const group = resource("openstack:networking/secGroup:SecGroup", "trove-secgroup-group", { id: "sg-1", name: "trove-mgmt" }, { parents: [REGION, SG_COMPONENT] });
    const otherGroup = resource("openstack:networking/secGroup:SecGroup", "web", { id: "sg-2", name: "web" });
    const rule = (name: string, props: Record<string, Plain>, extra: Partial<ResourceFacts> & { parents?: string[] } = {}) =>
        resource("openstack:networking/secGroupRule:SecGroupRule", name, { direction: "ingress", remoteGroupId: "", protocol: "tcp", portRangeMin: 22, portRangeMax: 22, ...props }, extra);

    test("the package's own rules pass: SSH from a controller, egress to everywhere", () => {
        const resources = [
            group,
            rule("trove-secgroup-ingress-ssh", { securityGroupId: "sg-1", remoteIpPrefix: "192.0.2.10/32" }, { parents: [REGION, SG_COMPONENT] }),
            rule("trove-secgroup-egress-all-ipv4", { securityGroupId: "sg-1", direction: "egress", remoteIpPrefix: "0.0.0.0/0" }, { parents: [REGION, SG_COMPONENT] }),
        ];
        expect(worldOpenManagementIngress(resources)).toEqual([]);
    });

    test("a rule added by hand to the deployed group (matched by id) from 0.0.0.0/0 is refused, naming the fix", () => {
        const bad = rule("open-ssh", { securityGroupId: "sg-1", remoteIpPrefix: "0.0.0.0/0" });
        const [v, ...more] = worldOpenManagementIngress([group, bad]);
        expect(more).toEqual([]);
        expect(v.urn).toBe(bad.urn);
        expect(v.message).toContain(`security group rule "open-ssh" lets tcp port 22 into "trove-mgmt" from 0.0.0.0/0`);
        expect(v.message).toContain("Fix: allow only the controllers' addresses");
        expect(v.message).toContain("trove-region:securityGroups.sshFromCidrs");
    });

    test("in a preview the group's id is unknown: the rule is matched through its securityGroupId dependency", () => {
        const newGroup: ResourceFacts = { ...group, props: { ...group.props, id: UNKNOWN } };
        const bad = rule("open-v6", { securityGroupId: UNKNOWN, remoteIpPrefix: "::/0", protocol: "", portRangeMin: 0, portRangeMax: 0 },
            { propertyDependencies: { securityGroupId: [group.urn] } });
        const violations = worldOpenManagementIngress([newGroup, bad]);
        expect(violations.map((v) => v.message.split(". ")[0])).toEqual([`security group rule "open-v6" lets any protocol into "trove-mgmt" from ::/0`]);
    });

    test("no remote prefix and no remote group means any address", () => {
        const bad = rule("open-any", { securityGroupId: "sg-1", remoteIpPrefix: "" , protocol: "icmp", portRangeMin: 0 });
        expect(worldOpenManagementIngress([group, bad])[0].message).toContain("from any address (no remoteIpPrefix and no remoteGroupId)");
        const fromGroup = rule("from-controllers", { securityGroupId: "sg-1", remoteIpPrefix: "", remoteGroupId: "sg-ctl" });
        expect(worldOpenManagementIngress([group, fromGroup])).toEqual([]);
    });

    test("other groups are not this policy's business; a group named in the config is", () => {
        const open = rule("web-https", { securityGroupId: "sg-2", remoteIpPrefix: "0.0.0.0/0", portRangeMin: 443, portRangeMax: 443 });
        expect(worldOpenManagementIngress([group, otherGroup, open])).toEqual([]);
        expect(worldOpenManagementIngress([group, otherGroup, open], { managementGroupNames: ["web"] }).map((v) => v.urn)).toEqual([open.urn]);
    });

    test("a group named trove-mgmt made outside the component is a management group by default", () => {
        const raw = resource("openstack:networking/secGroup:SecGroup", "mgmt", { id: "sg-9", name: "trove-mgmt" });
        expect(worldOpenManagementIngress([raw, rule("r", { securityGroupId: "sg-9", remoteIpPrefix: "0.0.0.0/0" })])).toHaveLength(1);
    });

    test("a prefix not known yet is not judged", () => {
        expect(worldOpenManagementIngress([group, rule("r", { securityGroupId: "sg-1", remoteIpPrefix: UNKNOWN })])).toEqual([]);
    });

    describe("what the rules of a group open together", () => {
        const halves = (securityGroupId: string, props: Record<string, Plain> = {}) => [
            rule("low-half", { securityGroupId, remoteIpPrefix: "0.0.0.0/1", ...props }),
            rule("high-half", { securityGroupId, remoteIpPrefix: "128.0.0.0/1", ...props }),
        ];

        test("two /1 rules on the management group are the world: one violation, on the first, naming both", () => {
            const [low] = halves("sg-1");
            const violations = worldOpenManagementIngress([group, ...halves("sg-1")]);
            expect(violations).toEqual([{ urn: low.urn, message: expect.stringContaining(
                `security group rules "low-half" (0.0.0.0/1), "high-half" (128.0.0.0/1) together let tcp port 22 into "trove-mgmt" from every IPv4 address`) }]);
            expect(violations[0].message).toContain("Fix: allow only the controllers' addresses");
        });

        test("the same rules on a group that is not a management group are not this policy's business", () => {
            expect(worldOpenManagementIngress([group, otherGroup, ...halves("sg-2")])).toEqual([]);
        });

        test("the cover is found with the minimum lifted, and in a preview through the securityGroupId dependency", () => {
            const newGroup: ResourceFacts = { ...group, props: { ...group.props, id: UNKNOWN } };
            const rules = halves("", { securityGroupId: UNKNOWN }).map((r) => ({ ...r, propertyDependencies: { securityGroupId: [group.urn] } }));
            expect(worldOpenManagementIngress([newGroup, ...rules], { minIngressPrefix: { ipv4: 0 } })).toHaveLength(1);
        });

        test("IPv6 halves, overlapping blocks and four quarters are covers too", () => {
            const v6 = [rule("a", { securityGroupId: "sg-1", remoteIpPrefix: "::/1" }), rule("b", { securityGroupId: "sg-1", remoteIpPrefix: "8000::/1" })];
            expect(worldOpenManagementIngress([group, ...v6]).map((v) => v.message)).toEqual([expect.stringContaining("from every IPv6 address")]);
            const quarters = ["0.0.0.0/2", "64.0.0.0/2", "10.0.0.0/8", "128.0.0.0/2", "192.0.0.0/2"].map((p, i) => rule(`q${i}`, { securityGroupId: "sg-1", remoteIpPrefix: p }));
            const [v, ...more] = worldOpenManagementIngress([group, ...quarters]);
            expect(more).toEqual([]);
            expect(v.message).toContain(`rules "q0" (0.0.0.0/2), "q1" (64.0.0.0/2), "q3" (128.0.0.0/2), "q4" (192.0.0.0/2) together`);
        });

        test("rules for different ports, or in different groups, do not add up", () => {
            const [low] = halves("sg-1");
            const high443 = rule("high-443", { securityGroupId: "sg-1", remoteIpPrefix: "128.0.0.0/1", portRangeMin: 443, portRangeMax: 443 });
            expect(worldOpenManagementIngress([group, low, high443], { minIngressPrefix: { ipv4: 0 } })).toEqual([]);
            const second = resource("openstack:networking/secGroup:SecGroup", "mgmt-2", { id: "sg-3", name: "trove-mgmt-2" });
            const highElsewhere = rule("high-elsewhere", { securityGroupId: "sg-3", remoteIpPrefix: "128.0.0.0/1" });
            expect(worldOpenManagementIngress([group, second, low, highElsewhere], { managementGroupNames: ["trove-mgmt", "trove-mgmt-2"], minIngressPrefix: { ipv4: 0 } })).toEqual([]);
        });

        test("half the space is not the world", () => {
            expect(worldOpenManagementIngress([group, halves("sg-1")[0]], { minIngressPrefix: { ipv4: 0 } })).toEqual([]);
        });
    });

    describe("the widest source allowed", () => {
        test("a /8 is refused by the default /16, with the size and the config that would allow it", () => {
            const wide = rule("ssh-from-ten", { securityGroupId: "sg-1", remoteIpPrefix: "10.0.0.0/8" });
            const violations = worldOpenManagementIngress([group, wide]);
            expect(violations).toEqual([{ urn: wide.urn, message: expect.stringContaining(
                `security group rule "ssh-from-ten" lets tcp port 22 into "trove-mgmt" from 10.0.0.0/8, a /8 (16,777,216 addresses); the widest source allowed is a /16.`) }]);
            expect(violations[0].message).toContain(`{"management-sg-no-world-ingress": {"minIngressPrefix": {"ipv4": 8}}}`);
        });

        test("the configured minimum decides, per family", () => {
            const wide = rule("ssh-from-ten", { securityGroupId: "sg-1", remoteIpPrefix: "10.0.0.0/8" });
            const v6 = rule("ssh-v6", { securityGroupId: "sg-1", remoteIpPrefix: "2001:db8::/32" });
            expect(worldOpenManagementIngress([group, wide], { minIngressPrefix: { ipv4: 8 } })).toEqual([]);
            expect(worldOpenManagementIngress([group, v6]).map((v) => v.urn)).toEqual([v6.urn]);
            expect(worldOpenManagementIngress([group, v6], { minIngressPrefix: { ipv4: 8 } }).map((v) => v.urn)).toEqual([v6.urn]);
            expect(worldOpenManagementIngress([group, v6], { minIngressPrefix: { ipv6: 32 } })).toEqual([]);
            expect(worldOpenManagementIngress([group, rule("ssh-64", { securityGroupId: "sg-1", remoteIpPrefix: "2001:db8::/64" })])).toEqual([]);
        });

        test("rules that cover the world are reported as a cover, not again one by one", () => {
            expect(worldOpenManagementIngress([group, rule("a", { securityGroupId: "sg-1", remoteIpPrefix: "0.0.0.0/1" }),
                rule("b", { securityGroupId: "sg-1", remoteIpPrefix: "128.0.0.0/1" })]).map((v) => v.message)).toEqual([expect.stringMatching(/^security group rules /)]);
        });

        test("the same defaults as the components'", () => {
            expect(DEFAULT_MIN_INGRESS_PREFIX).toEqual(COMPONENT_MIN_INGRESS_PREFIX);
        });
    });
});

describe.each([
    ["the OpenStack provider's image (URL sources)", "openstack:images/image:Image"],
    ["GuestImage's own upload (built and file images)", "pulumi-nodejs:dynamic/trove-region:GlanceImage"],
])("guest images private: %s", (_what, IMAGE) => {
    test("private, or unset (Glance's default), passes", () => {
        expect(guestImageNotPrivate(resource(IMAGE, "g", { visibility: "private", tags: ["trove", "mysql"] }))).toEqual([]);
        expect(guestImageNotPrivate(resource(IMAGE, "g", { tags: ["trove"] }))).toEqual([]);
    });

    test.each(["public", "shared", "community"])("a trove-tagged image that is %s is refused, with the fix", (visibility) => {
        const [v] = guestImageNotPrivate(resource(IMAGE, "trove-guest", { visibility, tags: ["trove", "mysql"] }));
        expect(v.message).toContain(`guest image "trove-guest" has visibility "${visibility}"`);
        expect(v.message).toContain(`Fix: set visibility: "private"`);
    });

    test("an image made by GuestImage is a guest image even without the tag; other images are not checked", () => {
        expect(guestImageNotPrivate(resource(IMAGE, "g", { visibility: "public", tags: [] }, { parents: [REGION, "trove-region:guest-image:GuestImage"] }))).toHaveLength(1);
        expect(guestImageNotPrivate(resource(IMAGE, "cirros", { visibility: "public", tags: ["test"] }))).toEqual([]);
    });
});

describe("secrets marked secret", () => {
    test("the keypair, RPC keys and dynamic resources as the package registers them pass", () => {
        expect(secretsNotMarked(resource("openstack:compute/keypair:Keypair", "k", {}, { additionalSecretOutputs: ["privateKey"] }))).toEqual([]);
        expect(secretsNotMarked(resource("pulumi-nodejs:dynamic/trove-region:RandomKey", "k", { length: 32 }, { additionalSecretOutputs: ["value"] }))).toEqual([]);
        expect(secretsNotMarked(resource("pulumi-nodejs:dynamic/trove-region:DatastoreVersion", "v", {}, { additionalSecretOutputs: ["connection"] }))).toEqual([]);
        expect(secretsNotMarked(resource("pulumi-nodejs:dynamic/trove-region:GlanceImage", "i", {}, { additionalSecretOutputs: ["connection"] }))).toEqual([]);
        expect(secretsNotMarked(resource("pulumi-nodejs:dynamic/trove-region:TroveManageParameters", "t", { ssh: undefined }, { additionalSecretOutputs: ["connection"] }))).toEqual([]);
    });

    test("an RPC key without the mark is refused, naming the output and the fix", () => {
        const [v] = secretsNotMarked(resource("pulumi-nodejs:dynamic/trove-region:RandomKey", "trove-config-taskmanager-rpc-key", { length: 32 }));
        expect(v.message).toContain(`"trove-config-taskmanager-rpc-key" does not mark its "value" output secret, but it holds an RPC encryption key`);
        expect(v.message).toContain(`Fix: register it with additionalSecretOutputs: ["value"]`);
    });

    test("a keypair without the mark is refused; SSH settings only when trove-manage runs over SSH", () => {
        expect(secretsNotMarked(resource("openstack:compute/keypair:Keypair", "k", {}))[0].message).toContain(`"privateKey"`);
        const overSsh = secretsNotMarked(resource("pulumi-nodejs:dynamic/trove-region:TroveManageParameters", "t", { ssh: { host: "h" } }, { additionalSecretOutputs: ["connection"] }));
        expect(overSsh.map((v) => v.message)).toEqual([expect.stringContaining(`"ssh" output secret, but it holds the SSH private key`)]);
    });

    test("the registry's container must mark its uploads (htpasswd, TLS key) secret; other containers and an upload-less registry are not checked", () => {
        const registry = [REGION, "trove-region:registry:Registry"];
        const uploads = [{ file: "/auth/htpasswd", content: "trove:$2y$..." }];
        const [v, ...more] = secretsNotMarked(resource("docker:index/container:Container", "trove-registry-container", { uploads }, { parents: registry }));
        expect(more).toEqual([]);
        expect(v.message).toContain(`"uploads" output secret, but it holds the registry's htpasswd hashes and TLS private key`);
        expect(secretsNotMarked(resource("docker:index/container:Container", "c", { uploads }, { parents: registry, additionalSecretOutputs: ["uploads"] }))).toEqual([]);
        expect(secretsNotMarked(resource("docker:index/container:Container", "c", { uploads: [] }, { parents: registry }))).toEqual([]);
        expect(secretsNotMarked(resource("docker:index/container:Container", "app", { uploads }))).toEqual([]);
    });

    test("other resources are not checked", () => {
        expect(secretsNotMarked(resource("openstack:networking/network:Network", "n", {}))).toEqual([]);
    });
});

describe("quotas consistent", () => {
    const quotas = (instances: Plain, port: Plain, project: Plain = "p1") => [
        resource("openstack:compute/quotaSetV2:QuotaSetV2", "trove-quotas-compute", { projectId: project, instances }, { parent: "urn:q" }),
        resource("openstack:networking/quotaV2:QuotaV2", "trove-quotas-network", { projectId: project, port }, { parent: "urn:q" }),
    ];

    test("ports = 2 x instances, or unlimited ports, pass", () => {
        expect(inconsistentQuotas(quotas(200, 400))).toEqual([]);
        expect(inconsistentQuotas(quotas(200, -1))).toEqual([]);
        expect(inconsistentQuotas(quotas(-1, -1))).toEqual([]);
    });

    test("fewer ports than two per instance is refused, with the number needed", () => {
        const [v, ...more] = inconsistentQuotas(quotas(200, 300));
        expect(more).toEqual([]);
        expect(v.urn).toContain("trove-quotas-network");
        expect(v.message).toContain("project p1: the network quota \"trove-quotas-network\" allows 300 ports but the compute quota \"trove-quotas-compute\" allows 200 instances");
        expect(v.message).toContain("instances beyond 150 would fail to boot");
        expect(v.message).toContain("Fix: set the port quota to at least 400 (trove-region:quotas.ports)");
    });

    test("unlimited instances need unlimited ports", () => {
        expect(inconsistentQuotas(quotas(-1, 1000))[0].message).toContain("set the port quota to -1 (unlimited)");
    });

    test("quotas of different projects are not compared; unknown projects pair by parent", () => {
        const [compute] = quotas(200, 0, "p1");
        const [, network] = quotas(0, 10, "p2");
        expect(inconsistentQuotas([compute, network])).toEqual([]);
        expect(inconsistentQuotas(quotas(200, 10, UNKNOWN))).toHaveLength(1);
    });

    test("a value not known yet is not judged", () => {
        expect(inconsistentQuotas(quotas(UNKNOWN, 10))).toEqual([]);
    });
});

describe("registry insecure only where allowed", () => {
    const registry = (insecure: boolean) => resource("trove-region:registry:Registry", "trove-registry", { address: "127.0.0.1:4000", insecure });

    test("reads docker_insecure_registries from trove.conf", () => {
        expect(insecureRegistriesInTroveConf("[DEFAULT]\nnova_keypair = k\ndocker_insecure_registries = 10.0.0.5:4000, reg:5000\n")).toEqual(["10.0.0.5:4000", "reg:5000"]);
        expect(insecureRegistriesInTroveConf("[DEFAULT]\nnova_keypair = k\n")).toEqual([]);
    });

    test("a secure registry passes; an insecure one passes only when allowed", () => {
        expect(insecureRegistriesNotAllowed([registry(false)])).toEqual([]);
        expect(insecureRegistriesNotAllowed([registry(true)], { allowInsecureRegistries: ["127.0.0.1:4000"] })).toEqual([]);
        const [v] = insecureRegistriesNotAllowed([registry(true)], { allowInsecureRegistries: ["10.0.0.5:4000"] });
        expect(v.message).toContain("registry 127.0.0.1:4000 is used insecurely");
        expect(v.message).toContain(`{"registry-insecure-allowed": {"allowInsecureRegistries": ["127.0.0.1:4000"]}}`);
    });

    test("trove.conf rendered without the Registry component counts too, once per address", () => {
        const config = resource("trove-region:config:TroveConfig", "c", { troveConf: "[DEFAULT]\ndocker_insecure_registries = 127.0.0.1:4000\n" });
        expect(insecureRegistriesNotAllowed([config]).map((v) => v.urn)).toEqual([config.urn]);
        expect(insecureRegistriesNotAllowed([registry(true), config]).map((v) => v.urn)).toEqual([registry(true).urn]);
        expect(insecureRegistriesNotAllowed([resource("trove-region:config:TroveConfig", "c", { troveConf: UNKNOWN })])).toEqual([]);
    });
});
