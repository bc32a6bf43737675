import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { managementRules, RuleInputs, RuleSpec, validateRuleInputs } from "./rules";
import { Problem, throwIfProblems } from "../common/validation";
import { checkOpenStackName } from "../common/names";

export const DEFAULT_SECURITY_GROUP_NAME = "trove-mgmt";

export interface ManagementSecurityGroupsArgs extends RuleInputs {
    /** The Trove service project that owns the group. */
    readonly projectId: pulumi.Input<string>;
    /** @default DEFAULT_SECURITY_GROUP_NAME ("trove-mgmt") */
    readonly name?: string;
}

/** Every problem in `args`. Exported for testing. */
export function validateManagementSecurityGroupsArgs(args: Omit<ManagementSecurityGroupsArgs, "projectId">): Problem[] {
    const problems = validateRuleInputs(args);
    const wrongName = args.name === undefined ? undefined : checkOpenStackName(args.name);
    if (wrongName) problems.push({ path: "name", message: wrongName });
    return problems;
}

/**
 * The security group Trove applies to every instance's management port (`management_security_groups`).
 * Neutron's default rules are deleted and every rule is declared here, so a preview shows exactly what
 * the management port allows. Neutron groups are stateful: replies to the guest's egress are allowed.
 */
export class ManagementSecurityGroups extends pulumi.ComponentResource {
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly securityGroupName: string;
    /** The rules as declared, for consumers and tests that audit the group. */
    public readonly rules: readonly RuleSpec[];

    constructor(name: string, args: ManagementSecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfProblems(`ManagementSecurityGroups "${name}"`, validateManagementSecurityGroupsArgs(args));
        super("trove-region:security:ManagementSecurityGroups", name, {}, opts);

        this.securityGroupName = args.name ?? DEFAULT_SECURITY_GROUP_NAME;
        const group = new openstack.networking.SecGroup(`${name}-group`, {
            name: this.securityGroupName,
            tenantId: args.projectId,
            deleteDefaultRules: true,
            description: "Trove management port: no ingress unless listed, egress for the guest agent",
        }, { parent: this });

        this.rules = managementRules(args);
        for (const rule of this.rules) {
            new openstack.networking.SecGroupRule(`${name}-${rule.key}`, {
                securityGroupId: group.id,
                tenantId: args.projectId,
                direction: rule.direction,
                ethertype: rule.ethertype,
                // Neutron's "any protocol" is an absent protocol.
                protocol: rule.protocol === "any" ? undefined : rule.protocol,
                portRangeMin: rule.portRangeMin,
                portRangeMax: rule.portRangeMax,
                remoteIpPrefix: rule.remoteIpPrefix,
                description: rule.description,
            }, { parent: this });
        }

        this.securityGroupId = group.id;
        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            securityGroupName: this.securityGroupName,
            rules: this.rules,
        });
    }
}
