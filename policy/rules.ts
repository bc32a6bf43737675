// The policy pack's rules as plain functions over plain data, so they are unit-tested without the
// Pulumi engine. index.ts turns what CrossGuard hands a policy into these facts and reports what
// comes back. Nothing here imports Pulumi.
//
// The address arithmetic comes from the component package (components/network/address-space.ts, pure
// and without imports), so the pack and the components judge a list of ingress sources the same way.
// The engine's policy host loads the pack with ts-node from this directory, which compiles that file
// as it compiles this one; the pack is therefore used from this repository (or an installed copy of
// the package), not published on its own.
import { AddressBlock, AddressFamily, blockSize, coversWholeSpace, outermost, parseBlock } from "../components/network/address-space";

/** A value the engine cannot know yet (an output of a resource not created, during preview). */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

/** A resource property as the rules see it: plain JSON data, or UNKNOWN where the engine has no value yet. */
export type Plain = string | number | boolean | null | undefined | Unknown | readonly Plain[] | { readonly [key: string]: Plain };

/** What the rules need to know about one resource. */
export interface ResourceFacts {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Inputs for a resource policy; the final outputs for a stack policy (as the engine sends them). */
    readonly props: { readonly [key: string]: Plain };
    /** Outputs the resource asks the engine to keep secret (the `additionalSecretOutputs` option). */
    readonly additionalSecretOutputs: readonly string[];
    /** The parent resource's URN (stack policies only). */
    readonly parent?: string;
    /** Per property, the URNs of the resources its value came from (stack policies only). */
    readonly propertyDependencies?: { readonly [key: string]: readonly string[] };
}

export interface Violation {
    readonly message: string;
    /** The resource at fault; a resource policy's own resource when absent. */
    readonly urn?: string;
}

// The types the rules look at: the ones this package's components register.
export const TYPES = {
    secGroup: "openstack:networking/secGroup:SecGroup",
    secGroupRule: "openstack:networking/secGroupRule:SecGroupRule",
    image: "openstack:images/image:Image",
    /** GuestImage's own upload (a dynamic resource) for built and file images. */
    glanceImage: "pulumi-nodejs:dynamic/trove-region:GlanceImage",
    networkQuota: "openstack:networking/quotaV2:QuotaV2",
    computeQuota: "openstack:compute/quotaSetV2:QuotaSetV2",
    keypair: "openstack:compute/keypair:Keypair",
    managementSecurityGroups: "trove-region:security:ManagementSecurityGroups",
    guestImage: "trove-region:guest-image:GuestImage",
    registry: "trove-region:registry:Registry",
    troveConfig: "trove-region:config:TroveConfig",
} as const;

/** Trove finds its guest images by this Glance tag, so any image carrying it is a guest image. */
export const TROVE_IMAGE_TAG = "trove";
export const PORTS_PER_INSTANCE = 2;
export const DEFAULT_MANAGEMENT_GROUP_NAMES: readonly string[] = ["trove-mgmt"];

export function isKnown<T extends Plain>(value: T | Unknown): value is T {
    return value !== UNKNOWN;
}

/**
 * The types in a URN's type chain, outermost parent first, the resource's own type last:
 * `urn:pulumi:<stack>::<project>::<parent>$<child>::<name>`.
 */
export function typeChain(urn: string): string[] {
    const parts = urn.split("::");
    return parts.length >= 4 ? parts[2].split("$") : [];
}

function underComponent(urn: string, componentType: string): boolean {
    return typeChain(urn).slice(0, -1).includes(componentType);
}

function isEmpty(value: Plain): boolean {
    return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

function str(value: Plain): string | undefined {
    return typeof value === "string" ? value : undefined;
}

function num(value: Plain): number | undefined {
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** True for a CIDR that matches every address: any prefix of length 0 (0.0.0.0/0, ::/0). */
export function isWorldOpenCidr(cidr: string): boolean {
    return /\/0+$/.test(cidr.trim());
}

// ---------------------------------------------------------------------------------------------
// Management security group: no ingress from the whole world.

export interface IngressConfig {
    /** Security groups with these names are management groups too (besides those ManagementSecurityGroups makes). */
    readonly managementGroupNames?: readonly string[];
    /**
     * The widest ingress source allowed per rule, as a prefix length per family; a rule from a
     * larger network is a violation. @default DEFAULT_MIN_INGRESS_PREFIX ({ ipv4: 16, ipv6: 48 })
     */
    readonly minIngressPrefix?: { readonly ipv4?: number; readonly ipv6?: number };
}

/**
 * The same limits as the components' own (DEFAULT_MIN_INGRESS_PREFIX in components/security/rules.ts,
 * which this file cannot import: it imports Pulumi): a /16 is already 65,536 hosts, and a subnet of
 * Trove controllers is rarely larger; an IPv6 site is a /48.
 */
export const DEFAULT_MIN_INGRESS_PREFIX: { readonly ipv4: number; readonly ipv6: number } = Object.freeze({ ipv4: 16, ipv6: 48 });

function describePorts(rule: ResourceFacts): string {
    const protocol = str(rule.props.protocol) || "any protocol";
    const min = num(rule.props.portRangeMin);
    const max = num(rule.props.portRangeMax);
    if (!min) return protocol;
    return `${protocol} ${min === max || !max ? `port ${min}` : `ports ${min}-${max}`}`;
}

/** What a rule lets in, as a key: rules with the same key admit the same traffic, from their own sources. */
function trafficKey(rule: ResourceFacts): string {
    const protocol = (str(rule.props.protocol) || "any").toLowerCase();
    const min = num(rule.props.portRangeMin);
    const max = num(rule.props.portRangeMax);
    return `${protocol} ${!min ? "all" : `${min}-${max || min}`}`;
}

const EXPOSURE = "That group is on every Trove guest's management port (management_security_groups), so this exposes every database VM. ";
const FIX = "Fix: allow only the controllers' addresses, e.g. remoteIpPrefix \"192.0.2.10/32\", or list them in "
    + "trove-region:securityGroups.sshFromCidrs / icmpFromCidrs instead of adding the rule by hand.";

function addressCount(block: AddressBlock): string {
    return block.family === 6 ? `2^${128 - block.prefix}` : Number(blockSize(4, block.prefix)).toLocaleString("en-US");
}

/** A management ingress rule whose source is a CIDR, with the group and traffic it opens. */
interface SourcedRule {
    readonly rule: ResourceFacts;
    readonly block: AddressBlock;
    readonly groupName: string;
    /** The group and the traffic: rules with the same bucket are judged together. */
    readonly bucket: string;
}

/**
 * The ingress rules that open a Trove management security group too wide. A group is a management
 * group when ManagementSecurityGroups made it or its name is listed; a rule belongs to it by the
 * group's id (known once deployed), by the resource its securityGroupId came from (known in a
 * preview too), or by being declared inside ManagementSecurityGroups. Violations:
 * - a rule from 0.0.0.0/0 or ::/0, or with neither a remoteIpPrefix nor a remoteGroupId (any address);
 * - rules of one group for the same protocol and ports whose prefixes together cover every IPv4 or
 *   every IPv6 address (0.0.0.0/1 + 128.0.0.0/1), reported once, on the first of them;
 * - a rule from a network wider than `minIngressPrefix` for its family, unless it is part of such a
 *   whole-space cover (that violation names it, and lowering the minimum would not fix it).
 * Rules that differ in protocol or ports are not added up: "any protocol" from one half of the
 * space and "tcp 22" from the other are not caught as a cover (each half is still too wide).
 */
export function worldOpenManagementIngress(resources: readonly ResourceFacts[], config: IngressConfig = {}): Violation[] {
    const names = new Set(config.managementGroupNames ?? DEFAULT_MANAGEMENT_GROUP_NAMES);
    const minimum: Record<AddressFamily, number> = {
        4: config.minIngressPrefix?.ipv4 ?? DEFAULT_MIN_INGRESS_PREFIX.ipv4,
        6: config.minIngressPrefix?.ipv6 ?? DEFAULT_MIN_INGRESS_PREFIX.ipv6,
    };
    const groups = resources.filter((r) => r.type === TYPES.secGroup
        && (underComponent(r.urn, TYPES.managementSecurityGroups) || names.has(str(r.props.name) ?? "")));
    const groupIds = new Set(groups.map((g) => str(g.props.id)).filter((id): id is string => !!id));
    const groupUrns = new Map(groups.map((g) => [g.urn, g] as const));

    const violations: Violation[] = [];
    const sourced: SourcedRule[] = [];
    for (const rule of resources) {
        if (rule.type !== TYPES.secGroupRule || rule.props.direction !== "ingress") continue;
        const groupId = str(rule.props.securityGroupId);
        const fromGroup = (rule.propertyDependencies?.securityGroupId ?? []).find((urn) => groupUrns.has(urn));
        const group = groups.find((g) => groupId !== undefined && str(g.props.id) === groupId) ?? (fromGroup ? groupUrns.get(fromGroup) : undefined);
        const isManagement = (groupId !== undefined && groupIds.has(groupId)) || group !== undefined
            || underComponent(rule.urn, TYPES.managementSecurityGroups);
        if (!isManagement) continue;

        const prefix = rule.props.remoteIpPrefix;
        const remoteGroup = rule.props.remoteGroupId;
        if (!isKnown(prefix) || !isKnown(remoteGroup)) continue;
        const prefixText = str(prefix) ?? "";
        const groupName = str(group?.props.name) ?? "the Trove management security group";
        let source: string | undefined;
        if (prefixText && isWorldOpenCidr(prefixText)) source = prefixText;
        else if (!prefixText && !str(remoteGroup)) source = "any address (no remoteIpPrefix and no remoteGroupId)";
        if (source) {
            violations.push({
                urn: rule.urn,
                message: `security group rule "${rule.name}" lets ${describePorts(rule)} into "${groupName}" from ${source}. ${EXPOSURE}${FIX}`,
            });
            continue;
        }
        // Neutron refuses a prefix that is not a CIDR, so one that does not parse opens nothing.
        const block = prefixText ? parseBlock(prefixText) : undefined;
        if (block === undefined || typeof block === "string") continue;
        const groupKey = group?.urn ?? (groupId !== undefined ? `id:${groupId}` : `parent:${rule.parent ?? ""}`);
        sourced.push({ rule, block, groupName, bucket: `${groupKey} ${trafficKey(rule)}` });
    }

    const inCover = new Set<SourcedRule>();
    for (const bucket of new Set(sourced.map((s) => s.bucket))) {
        const members = sourced.filter((s) => s.bucket === bucket);
        for (const family of [4, 6] as const) {
            const mine = members.filter((s) => s.block.family === family);
            if (!coversWholeSpace(mine.map((s) => s.block), family)) continue;
            const named = outermost(mine.map((s) => ({ ...s.block, s }))).map((b) => b.s);
            for (const s of mine) inCover.add(s);
            violations.push({
                urn: named[0].rule.urn,
                message: `security group rules ${named.map((s) => `"${s.rule.name}" (${s.block.text})`).join(", ")} together let `
                    + `${describePorts(named[0].rule)} into "${named[0].groupName}" from every IPv${family} address. ${EXPOSURE}${FIX}`,
            });
        }
    }
    for (const s of sourced) {
        const min = minimum[s.block.family];
        if (inCover.has(s) || s.block.prefix >= min) continue;
        const key = s.block.family === 4 ? "ipv4" : "ipv6";
        violations.push({
            urn: s.rule.urn,
            message: `security group rule "${s.rule.name}" lets ${describePorts(s.rule)} into "${s.groupName}" from ${s.block.text}, `
                + `a /${s.block.prefix} (${addressCount(s.block)} addresses); the widest source allowed is a /${min}. ${EXPOSURE}${FIX} `
                + `If a network this wide is really meant, lower minIngressPrefix.${key} in the policy config: `
                + `{"management-sg-no-world-ingress": {"minIngressPrefix": {"${key}": ${s.block.prefix}}}} with --policy-pack-config.`,
        });
    }
    return violations;
}

// ---------------------------------------------------------------------------------------------
// Guest images private.

/** A guest image (tagged "trove", or made by GuestImage) that is not private. */
export function guestImageNotPrivate(image: ResourceFacts): Violation[] {
    if (image.type !== TYPES.image && image.type !== TYPES.glanceImage) return [];
    const tags = image.props.tags;
    const tagged = Array.isArray(tags) && tags.includes(TROVE_IMAGE_TAG);
    if (!tagged && !underComponent(image.urn, TYPES.guestImage)) return [];
    const visibility = image.props.visibility;
    // Unset is private: Glance's and the provider's default.
    if (!isKnown(visibility) || visibility === undefined || visibility === null || visibility === "private") return [];
    return [{
        message: `guest image "${image.name}" has visibility "${String(visibility)}"; a Trove guest image must be private to Trove's service project, `
            + "or every project in the cloud can boot it and download the guest agent and its configuration. "
            + "Fix: set visibility: \"private\" (GuestImage does; share it with specific projects through Glance members if needed).",
    }];
}

// ---------------------------------------------------------------------------------------------
// Secrets marked secret.

/**
 * The outputs that hold secrets, per resource type: the generated private key, the RPC encryption
 * keys, and the Trove connection (the OpenStack password) and SSH key the dynamic resources keep.
 * CrossGuard hands policies secrets already decrypted, so what is checked is the mark the engine
 * encrypts by: each of these outputs is listed in the resource's additionalSecretOutputs.
 */
export const SECRET_OUTPUTS: Readonly<Record<string, readonly {
    readonly output: string;
    readonly holds: string;
    readonly onlyWhenSet?: boolean;
    /** Only for resources inside this component type (a container is not always the registry's). */
    readonly under?: string;
}[]>> = {
    [TYPES.keypair]: [{ output: "privateKey", holds: "the generated private key of Trove's keypair" }],
    "pulumi-nodejs:dynamic/trove-region:RandomKey": [{ output: "value", holds: "an RPC encryption key (taskmanager_rpc_encr_key / inst_rpc_key_encr_key)" }],
    "pulumi-nodejs:dynamic/trove-region:DatastoreVersion": [{ output: "connection", holds: "the OpenStack password Trove's API is called with" }],
    [TYPES.glanceImage]: [{ output: "connection", holds: "the OpenStack password Glance's API is called with" }],
    "pulumi-nodejs:dynamic/trove-region:DatastoreParameters": [{ output: "connection", holds: "the OpenStack password Trove's API is called with" }],
    "pulumi-nodejs:dynamic/trove-region:TroveManageParameters": [
        { output: "connection", holds: "the OpenStack password Trove's API is called with" },
        { output: "ssh", holds: "the SSH private key trove-manage is run with", onlyWhenSet: true },
    ],
    "docker:index/container:Container": [
        { output: "uploads", holds: "the registry's htpasswd hashes and TLS private key", onlyWhenSet: true, under: TYPES.registry },
    ],
};

export function secretsNotMarked(resource: ResourceFacts): Violation[] {
    const required = SECRET_OUTPUTS[resource.type] ?? [];
    const marked = new Set(resource.additionalSecretOutputs);
    return required
        .filter((s) => !marked.has(s.output))
        .filter((s) => !s.onlyWhenSet || !isEmpty(resource.props[s.output]))
        .filter((s) => s.under === undefined || underComponent(resource.urn, s.under))
        .map((s) => ({
            message: `${resource.type} "${resource.name}" does not mark its "${s.output}" output secret, but it holds ${s.holds}: `
                + "it would be stored in plain text in the stack's state and shown by `pulumi stack output`. "
                + `Fix: register it with additionalSecretOutputs: ["${s.output}"] (this package's components do; check transformations that rewrite resource options).`,
        }));
}

// ---------------------------------------------------------------------------------------------
// Quotas consistent: ports >= 2 x instances, per project.

export function inconsistentQuotas(resources: readonly ResourceFacts[]): Violation[] {
    const compute = resources.filter((r) => r.type === TYPES.computeQuota);
    const network = resources.filter((r) => r.type === TYPES.networkQuota);
    const violations: Violation[] = [];
    for (const net of network) {
        const project = net.props.projectId;
        // Pair by project; when a project id is not known yet, by the component both belong to.
        const matching = compute.filter((c) => isKnown(project) && isKnown(c.props.projectId)
            ? c.props.projectId === project
            : c.parent !== undefined && c.parent === net.parent);
        const ports = num(net.props.port);
        if (ports === undefined || ports === -1) continue;
        for (const comp of matching) {
            const instances = num(comp.props.instances);
            if (instances === undefined) continue;
            if (instances !== -1 && ports >= PORTS_PER_INSTANCE * instances) continue;
            const projectText = typeof project === "string" ? `project ${project}` : "the service project";
            const need = instances === -1 ? "-1 (unlimited), as instances are unlimited" : `at least ${PORTS_PER_INSTANCE * instances}`;
            violations.push({
                urn: net.urn,
                message: `${projectText}: the network quota "${net.name}" allows ${ports} ports but the compute quota "${comp.name}" allows `
                    + `${instances === -1 ? "unlimited" : instances} instances; every Trove instance takes ${PORTS_PER_INSTANCE} ports (its user NIC and its management NIC), `
                    + `so instances beyond ${Math.floor(ports / PORTS_PER_INSTANCE)} would fail to boot. `
                    + `Fix: set the port quota to ${need} (trove-region:quotas.ports), or lower the instances quota.`,
            });
        }
    }
    return violations;
}

// ---------------------------------------------------------------------------------------------
// Registry insecure only where allowed.

export interface RegistryConfig {
    /** Registries (host:port) allowed to be insecure (plain HTTP or an untrusted certificate). */
    readonly allowInsecureRegistries?: readonly string[];
}

/** The addresses trove.conf lists in `docker_insecure_registries` (a comma-separated list option). */
export function insecureRegistriesInTroveConf(troveConf: string): string[] {
    const line = troveConf.split(/\r?\n/).find((l) => /^\s*docker_insecure_registries\s*=/.test(l));
    if (!line) return [];
    return line.replace(/^[^=]*=/, "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * Registries the guests are told to pull from insecurely (the Registry component's `insecure`, or
 * trove.conf's docker_insecure_registries) that the policy config does not allow.
 */
export function insecureRegistriesNotAllowed(resources: readonly ResourceFacts[], config: RegistryConfig = {}): Violation[] {
    const allowed = new Set(config.allowInsecureRegistries ?? []);
    const found = new Map<string, ResourceFacts>();
    for (const r of resources) {
        if (r.type === TYPES.registry && r.props.insecure === true) {
            const address = str(r.props.address);
            if (address && !found.has(address)) found.set(address, r);
        }
    }
    for (const r of resources) {
        const conf = r.type === TYPES.troveConfig ? str(r.props.troveConf) : undefined;
        for (const address of conf ? insecureRegistriesInTroveConf(conf) : []) {
            if (!found.has(address)) found.set(address, r);
        }
    }
    return [...found].filter(([address]) => !allowed.has(address)).map(([address, r]) => ({
        urn: r.urn,
        message: `registry ${address} is used insecurely (plain HTTP or an untrusted certificate; trove.conf docker_insecure_registries): `
            + "guests would pull datastore images, and send the registry password, without TLS. "
            + "Fix: serve it with TLS (registry.tls with mode \"create\"; a trusted certificate and insecure: false with mode \"existing\"), "
            + "or, where plain HTTP is accepted (a loopback dev cloud, an isolated management network), allow it in the policy config: "
            + `{"registry-insecure-allowed": {"allowInsecureRegistries": ["${address}"]}} with --policy-pack-config.`,
    }));
}
