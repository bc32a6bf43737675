import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { cidrsOverlap, containsAddress, parseCidr, planSubnet, RESERVED_ADDRESSES_PER_SUBNET, SubnetPlan } from "./cidr";
import { isNonNegativeInteger, isPositiveInteger, Problem, show, throwIfProblems } from "../common/validation";
import * as net from "net";
import { checkOpenStackName } from "../common/names";

/** Trove's seeds size the service project for 200 instances; the subnet follows the same number. */
export const DEFAULT_MAX_INSTANCES = 200;
export const DEFAULT_CONTROLLERS = 3;
export const DEFAULT_DHCP_PORTS = 1;
/** A /22 holds 1,021 ports: room for the default 200 instances to grow five-fold. */
export const DEFAULT_MANAGEMENT_CIDR = "10.254.0.0/22";
export const DEFAULT_MANAGEMENT_NETWORK_NAME = "trove-mgmt";
/**
 * The largest management subnet this package plans: a /8, all of 10.0.0.0/8. A bigger block would
 * take public or shared address space, and no Neutron deployment runs millions of guests on one
 * network anyway.
 */
export const LARGEST_MANAGEMENT_PREFIX = 8;

/** The most instances a management subnet can be planned for, beside the controllers and DHCP ports. */
export function maxPlannableInstances(controllers: number, dhcpPorts: number): number {
    return 2 ** (32 - LARGEST_MANAGEMENT_PREFIX) - RESERVED_ADDRESSES_PER_SUBNET - controllers - dhcpPorts;
}

/**
 * How the guest agent reaches RabbitMQ and the control plane from the management network.
 * The operator chooses; there is no default because each cloud wires its control plane differently.
 */
export type ManagementRouting =
    /** Plug the subnet into a router that already reaches the control plane. */
    | { readonly mode: "existing-router"; readonly routerId: string }
    /**
     * Create a router for the subnet; attach it to the control plane's subnets and, optionally,
     * give it an external gateway.
     */
    | {
          readonly mode: "new-router";
          readonly externalNetworkId?: string;
          readonly controlPlaneSubnetIds?: readonly string[];
          readonly enableSnat?: boolean;
      }
    /** Push routes to the guests through DHCP; a gateway on the subnet forwards to the control plane. */
    | { readonly mode: "host-routes"; readonly routes: readonly { destination: string; nexthop: string }[] }
    /** The control plane has its own ports on the management network; nothing to route. */
    | { readonly mode: "none" };

export interface ManagementNetworkArgs {
    /** The Trove service project that owns the network: it is never visible to database users. */
    readonly projectId: pulumi.Input<string>;
    /** See {@link ManagementRouting}. */
    readonly routing: ManagementRouting;
    /**
     * IPv4 block of the management subnet. It must hold `maxInstances + controllers + dhcpPorts`
     * ports and must not overlap any of `avoidCidrs`.
     * @default DEFAULT_MANAGEMENT_CIDR ("10.254.0.0/22")
     */
    readonly cidr?: string;
    /** @default DEFAULT_MAX_INSTANCES (200): the most instances the region will ever run at once. */
    readonly maxInstances?: number;
    /** Fixed addresses kept at the top of the subnet, out of the allocation pool. @default 3 */
    readonly controllers?: number;
    /** One DHCP port per Neutron DHCP agent serving the network. @default 1 */
    readonly dhcpPorts?: number;
    /** DNS servers handed to the guests. @default none: the guests use Neutron's DHCP server's resolver */
    readonly dnsServers?: readonly string[];
    /**
     * Blocks the subnet must not overlap: provider networks, tenant subnet pools, the control plane.
     * Trove refuses a user subnet that overlaps the management network, so overlap breaks users later.
     * @default none
     */
    readonly avoidCidrs?: readonly string[];
    /** @default DEFAULT_MANAGEMENT_NETWORK_NAME ("trove-mgmt") */
    readonly networkName?: string;
    /** @default the network's default MTU */
    readonly mtu?: number;
}

/** Every problem in `args`, with paths relative to the args. Exported for testing. */
export function validateManagementNetworkArgs(args: Omit<ManagementNetworkArgs, "projectId">): Problem[] {
    const problems: Problem[] = [];
    const maxInstances = args.maxInstances ?? DEFAULT_MAX_INSTANCES;
    const controllers = args.controllers ?? DEFAULT_CONTROLLERS;
    const dhcpPorts = args.dhcpPorts ?? DEFAULT_DHCP_PORTS;
    if (!isPositiveInteger(maxInstances)) {
        problems.push({ path: "maxInstances", message: `${show(maxInstances)} is not a positive whole number` });
    }
    if (!isNonNegativeInteger(controllers)) {
        problems.push({ path: "controllers", message: `${show(controllers)} is not a whole number >= 0` });
    }
    if (!isNonNegativeInteger(dhcpPorts)) {
        problems.push({ path: "dhcpPorts", message: `${show(dhcpPorts)} is not a whole number >= 0` });
    }
    const cidrText = args.cidr ?? DEFAULT_MANAGEMENT_CIDR;
    if (problems.length === 0 && maxInstances > maxPlannableInstances(controllers, dhcpPorts)) {
        problems.push({
            path: "maxInstances",
            message: `${maxInstances} instances cannot be planned: the largest management subnet, a /${LARGEST_MANAGEMENT_PREFIX}, holds ` +
                `${maxPlannableInstances(controllers, dhcpPorts)} instances beside ${controllers} controllers and ${dhcpPorts} DHCP ports; give a smaller maxInstances`,
        });
    }
    let plan: SubnetPlan | undefined;
    if (problems.length === 0) {
        const planned = planSubnet(cidrText, { maxInstances, controllers, dhcpPorts });
        if (typeof planned === "string") problems.push({ path: "cidr", message: planned });
        else plan = planned;
    }
    const subnet = plan ? parseCidr(plan.cidr) : undefined;
    (args.avoidCidrs ?? []).forEach((text, i) => {
        const other = parseCidr(text);
        if (typeof other === "string") {
            problems.push({ path: `avoidCidrs[${i}]`, message: other });
        } else if (subnet && typeof subnet !== "string" && cidrsOverlap(subnet, other)) {
            problems.push({
                path: "cidr",
                message: `${cidrText} overlaps avoidCidrs[${i}] ${text}; Trove rejects user subnets that overlap the management network, pick a block outside it`,
            });
        }
    });
    (args.dnsServers ?? []).forEach((server, i) => {
        if (!net.isIP(server)) {
            problems.push({ path: `dnsServers[${i}]`, message: `${show(server)} is not an IP address` });
        }
    });
    if (args.mtu !== undefined && (!isPositiveInteger(args.mtu) || args.mtu < 1280 || args.mtu > 9216)) {
        problems.push({ path: "mtu", message: `${show(args.mtu)} is not an MTU between 1280 and 9216` });
    }
    const wrongName = args.networkName === undefined ? undefined : checkOpenStackName(args.networkName);
    if (wrongName) problems.push({ path: "networkName", message: wrongName });
    problems.push(...validateRouting(args.routing, subnet && typeof subnet !== "string" ? plan : undefined));
    return problems;
}

function validateRouting(routing: ManagementRouting | undefined, plan: SubnetPlan | undefined): Problem[] {
    const modes = ["existing-router", "new-router", "host-routes", "none"];
    if (!routing || !modes.includes(routing.mode)) {
        return [{
            path: "routing.mode",
            message: `${show(routing?.mode)} is not a routing mode; choose one of ${modes.map((m) => `"${m}"`).join(", ")} so the guest agent can reach RabbitMQ`,
        }];
    }
    const problems: Problem[] = [];
    switch (routing.mode) {
        case "existing-router":
            if (!routing.routerId) {
                problems.push({ path: "routing.routerId", message: "is required with mode \"existing-router\": the id of a router that reaches the control plane" });
            }
            break;
        case "new-router":
            if (!routing.externalNetworkId && (routing.controlPlaneSubnetIds ?? []).length === 0) {
                problems.push({
                    path: "routing",
                    message: "a new router needs an externalNetworkId or at least one controlPlaneSubnetIds entry, otherwise it routes nowhere",
                });
            }
            break;
        case "host-routes": {
            const cidr = plan ? parseCidr(plan.cidr) : undefined;
            if (!routing.routes || routing.routes.length === 0) {
                problems.push({ path: "routing.routes", message: "needs at least one { destination, nexthop } with mode \"host-routes\"" });
            }
            (routing.routes ?? []).forEach((route, i) => {
                const dest = parseCidr(route.destination);
                if (typeof dest === "string") problems.push({ path: `routing.routes[${i}].destination`, message: dest });
                if (!net.isIPv4(route.nexthop)) {
                    problems.push({ path: `routing.routes[${i}].nexthop`, message: `${show(route.nexthop)} is not an IPv4 address` });
                } else if (cidr && typeof cidr !== "string" && !containsAddress(cidr, route.nexthop)) {
                    problems.push({
                        path: `routing.routes[${i}].nexthop`,
                        message: `${route.nexthop} is outside the management subnet ${cidr.text}; a next hop must be on the subnet`,
                    });
                }
            });
            break;
        }
        case "none":
            break;
    }
    return problems;
}

/**
 * The Trove management network: one network and one IPv4 subnet owned by the Trove service project,
 * sized for the region's lifetime, and the route from it to RabbitMQ and the control plane.
 */
export class ManagementNetwork extends pulumi.ComponentResource {
    public readonly networkId: pulumi.Output<string>;
    public readonly subnetId: pulumi.Output<string>;
    public readonly cidr: string;
    public readonly gatewayIp: string;
    public readonly allocationPool: { readonly start: string; readonly end: string };
    /** Fixed addresses kept for controllers; undefined when `controllers` is 0. */
    public readonly controllerRange: { readonly start: string; readonly end: string } | undefined;
    /** The router the subnet is plugged into; undefined with host routes or no routing. */
    public readonly routerId: pulumi.Output<string> | undefined;

    constructor(name: string, args: ManagementNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): bad input must register nothing, not even this component.
        throwIfProblems(`ManagementNetwork "${name}"`, validateManagementNetworkArgs(args));
        super("trove-region:network:ManagementNetwork", name, {}, opts);

        const plan = planSubnet(args.cidr ?? DEFAULT_MANAGEMENT_CIDR, {
            maxInstances: args.maxInstances ?? DEFAULT_MAX_INSTANCES,
            controllers: args.controllers ?? DEFAULT_CONTROLLERS,
            dhcpPorts: args.dhcpPorts ?? DEFAULT_DHCP_PORTS,
        }) as SubnetPlan;
        const networkName = args.networkName ?? DEFAULT_MANAGEMENT_NETWORK_NAME;
        const routing = args.routing;

        const network = new openstack.networking.Network(`${name}-network`, {
            name: networkName,
            tenantId: args.projectId,
            shared: false,
            adminStateUp: true,
            mtu: args.mtu,
            description: "Trove management network: guest agents to RabbitMQ and the control plane",
        }, { parent: this });

        const subnet = new openstack.networking.Subnet(`${name}-subnet`, {
            name: `${networkName}-subnet`,
            networkId: network.id,
            tenantId: args.projectId,
            ipVersion: 4,
            cidr: plan.cidr,
            gatewayIp: plan.gatewayIp,
            enableDhcp: true,
            allocationPools: [plan.allocationPool],
            dnsNameservers: args.dnsServers ? [...args.dnsServers] : undefined,
            hostRoutes: routing.mode === "host-routes"
                ? routing.routes.map((r) => ({ destinationCidr: r.destination, nextHop: r.nexthop }))
                : undefined,
        }, { parent: this });

        let routerId: pulumi.Output<string> | undefined;
        if (routing.mode === "existing-router") {
            routerId = pulumi.output(routing.routerId);
        } else if (routing.mode === "new-router") {
            const router = new openstack.networking.Router(`${name}-router`, {
                name: `${networkName}-router`,
                tenantId: args.projectId,
                adminStateUp: true,
                externalNetworkId: routing.externalNetworkId,
                enableSnat: routing.externalNetworkId ? routing.enableSnat : undefined,
                description: "Routes the Trove management network to the control plane",
            }, { parent: this });
            routerId = router.id;
            (routing.controlPlaneSubnetIds ?? []).forEach((subnetId, i) => {
                new openstack.networking.RouterInterface(`${name}-control-plane-interface-${i}`, {
                    routerId: router.id,
                    subnetId,
                }, { parent: this });
            });
        }
        if (routerId) {
            new openstack.networking.RouterInterface(`${name}-router-interface`, {
                routerId,
                subnetId: subnet.id,
            }, { parent: this });
        }

        this.networkId = network.id;
        this.subnetId = subnet.id;
        this.cidr = plan.cidr;
        this.gatewayIp = plan.gatewayIp;
        this.allocationPool = plan.allocationPool;
        this.controllerRange = plan.controllerRange;
        this.routerId = routerId;
        this.registerOutputs({
            networkId: this.networkId,
            subnetId: this.subnetId,
            cidr: this.cidr,
            gatewayIp: this.gatewayIp,
            allocationPool: this.allocationPool,
            controllerRange: this.controllerRange,
            routerId: this.routerId,
        });
    }
}
