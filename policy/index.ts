// The policy pack of a Trove region: `pulumi preview --policy-pack policy` on any stack that uses this
// package. The rules themselves are plain functions in rules.ts; this file hands them what CrossGuard
// gives a policy and reports what they find.
import {
    PolicyPack, ReportViolation, ResourceValidationArgs, StackValidationArgs, PolicyResource,
} from "@pulumi/policy";
import * as proxy from "@pulumi/policy/proxy";
import {
    guestImageNotPrivate, inconsistentQuotas, IngressConfig, insecureRegistriesNotAllowed, Plain, RegistryConfig,
    ResourceFacts, secretsNotMarked, UNKNOWN, Violation, worldOpenManagementIngress, DEFAULT_MANAGEMENT_GROUP_NAMES,
    DEFAULT_MIN_INGRESS_PREFIX,
} from "./rules";

// CrossGuard throws this when a policy reads a value the engine does not know yet (during preview).
// It is not in the package's typings; the rules want UNKNOWN in its place instead of a skipped policy.
const { UnknownValueError } = proxy as unknown as { UnknownValueError: new (...args: never[]) => Error };

function read(get: () => unknown): unknown {
    try {
        return get();
    } catch (e) {
        if (e instanceof UnknownValueError) return UNKNOWN;
        throw e;
    }
}

/** A copy of CrossGuard's property proxy as plain data, with UNKNOWN where a value is not known. */
export function toPlain(value: unknown): Plain {
    if (value === UNKNOWN || value === null || value === undefined) return value as Plain;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
    if (Array.isArray(value)) return value.map((_, i) => toPlain(read(() => (value as unknown[])[i])));
    if (typeof value === "object") {
        const out: Record<string, Plain> = {};
        for (const key of Object.keys(value)) out[key] = toPlain(read(() => (value as Record<string, unknown>)[key]));
        return out;
    }
    return undefined;
}

function propsOf(props: Record<string, unknown>): Record<string, Plain> {
    const plain = toPlain(props);
    return plain !== null && typeof plain === "object" && !Array.isArray(plain) ? plain as Record<string, Plain> : {};
}

function resourceFacts(args: ResourceValidationArgs): ResourceFacts {
    return {
        urn: args.urn, type: args.type, name: args.name, props: propsOf(args.props),
        additionalSecretOutputs: args.opts.additionalSecretOutputs ?? [],
    };
}

function stackFacts(r: PolicyResource): ResourceFacts {
    const propertyDependencies: Record<string, string[]> = {};
    for (const [key, deps] of Object.entries(r.propertyDependencies ?? {})) propertyDependencies[key] = deps.map((d) => d.urn);
    return {
        urn: r.urn, type: r.type, name: r.name, props: propsOf(r.props), parent: r.parent?.urn,
        additionalSecretOutputs: r.opts.additionalSecretOutputs ?? [], propertyDependencies,
    };
}

function report(violations: readonly Violation[], reportViolation: ReportViolation): void {
    for (const v of violations) reportViolation(v.message, v.urn);
}

function onStack(check: (resources: ResourceFacts[], args: StackValidationArgs) => Violation[]) {
    return (args: StackValidationArgs, reportViolation: ReportViolation) =>
        report(check(args.resources.map(stackFacts), args), reportViolation);
}

const stringList = { type: "array", items: { type: "string" } } as const;

new PolicyPack("trove-region", {
    description: "The security rules of an OpenStack Trove region built with the trove-region package",
    enforcementLevel: "mandatory",
    policies: [
        {
            name: "management-sg-no-world-ingress",
            description: "The Trove management security group allows no ingress from 0.0.0.0/0, ::/0 or any address, "
                + "from rules that together cover every address, or from a network wider than minIngressPrefix.",
            configSchema: { properties: {
                managementGroupNames: { ...stringList, default: [...DEFAULT_MANAGEMENT_GROUP_NAMES] },
                minIngressPrefix: {
                    type: "object",
                    properties: {
                        ipv4: { type: "integer", minimum: 0, maximum: 32 },
                        ipv6: { type: "integer", minimum: 0, maximum: 128 },
                    },
                    additionalProperties: false,
                    default: { ...DEFAULT_MIN_INGRESS_PREFIX },
                },
            } },
            // A stack policy: a rule and the group it opens are two resources.
            validateStack: onStack((resources, args) => worldOpenManagementIngress(resources, args.getConfig<IngressConfig>())),
        },
        {
            name: "guest-image-private",
            description: "Trove guest images (tagged \"trove\" or made by GuestImage) are private.",
            validateResource: (args, reportViolation) => report(guestImageNotPrivate(resourceFacts(args)), reportViolation),
        },
        {
            name: "secrets-marked-secret",
            description: "Private keys, RPC encryption keys and the credentials the stack keeps are secret outputs.",
            validateResource: (args, reportViolation) => report(secretsNotMarked(resourceFacts(args)), reportViolation),
        },
        {
            name: "quotas-ports-cover-instances",
            description: "The service project's port quota is at least 2 x its instance quota (two NICs per Trove instance).",
            validateStack: onStack((resources) => inconsistentQuotas(resources)),
        },
        {
            name: "registry-insecure-allowed",
            description: "The datastore image registry is used insecurely only where the policy config allows it.",
            configSchema: { properties: { allowInsecureRegistries: { ...stringList, default: [] } } },
            validateStack: onStack((resources, args) => insecureRegistriesNotAllowed(resources, args.getConfig<RegistryConfig>())),
        },
    ],
});
