import { egressReachProblems } from "../../components/security/egress-reach";
import { EgressDestination } from "../../components/security/rules";

const rabbit: EgressDestination = { purpose: "rabbitmq", cidrs: ["10.0.0.9/32"], ports: [5672] };
const registry: EgressDestination = { purpose: "registry", cidrs: ["10.0.0.0/24"], ports: [4000] };
const dns: EgressDestination = { purpose: "dns", cidrs: ["10.0.0.53/32"], ports: [53], protocol: "udp" };
const restricted = (...destinations: EgressDestination[]) => ({ mode: "restricted" as const, destinations });
const messages = (...args: Parameters<typeof egressReachProblems>) => egressReachProblems(...args).map((p) => `${p.path}: ${p.message}`);

describe("what restricted egress must reach under network isolation", () => {
    test("all egress, or no destinations (reported by the rules' own check), asks nothing more", () => {
        expect(egressReachProblems({ mode: "all" }, { registry: "10.0.0.5:4000", dnsServers: ["10.0.0.53"] })).toEqual([]);
        expect(egressReachProblems(undefined, { registry: "10.0.0.5:4000" })).toEqual([]);
        expect(egressReachProblems(restricted(), { registry: "10.0.0.5:4000" })).toEqual([]);
    });

    test("RabbitMQ, the registry's address and port, and each DNS server reached: no problem", () => {
        expect(egressReachProblems(restricted(rabbit, registry, dns), { registry: "10.0.0.5:4000", dnsServers: ["10.0.0.53"] })).toEqual([]);
    });

    test("RabbitMQ counts by AMQP port (5672, 5671 with TLS) or by a purpose naming it, for a port of its own", () => {
        expect(egressReachProblems(restricted({ ...rabbit, purpose: "messaging", ports: [5671] }), {})).toEqual([]);
        expect(egressReachProblems(restricted({ ...rabbit, purpose: "RabbitMQ cluster", ports: [5673] }), {})).toEqual([]);
        expect(messages(restricted({ ...rabbit, purpose: "messaging", ports: [5673] }), {})).toEqual([
            "destinations: no destination reaches RabbitMQ (TCP 5672 or 5671, or a destination whose purpose names rabbitmq): under network isolation the guest agent gets its work over RabbitMQ through these rules only; add { purpose: rabbitmq, cidrs: [<RabbitMQ's address>/32], ports: [5672] }",
        ]);
    });

    test("the registry: its address must be in a CIDR of a TCP destination with its port; the message gives the rule", () => {
        expect(messages(restricted(rabbit, { ...registry, ports: [5000] }), { registry: "10.0.0.5:4000" })).toEqual([
            "destinations: no destination reaches the registry at 10.0.0.5:4000, which guests pull the datastore and backup images from; add { purpose: registry, cidrs: [10.0.0.5/32], ports: [4000] }",
        ]);
        expect(egressReachProblems(restricted(rabbit, { ...registry, cidrs: ["10.0.1.0/24"] }), { registry: "10.0.0.5:4000" })).toHaveLength(1);
        expect(egressReachProblems(restricted(rabbit, { ...registry, protocol: "udp" }), { registry: "10.0.0.5:4000" })).toHaveLength(1);
        // No port: HTTPS's.
        expect(egressReachProblems(restricted(rabbit, { ...registry, ports: [443] }), { registry: "10.0.0.5" })).toEqual([]);
        expect(egressReachProblems(restricted(rabbit, { purpose: "registry", cidrs: ["fd00::/64"], ports: [4000] }), { registry: "[fd00::5]:4000" })).toEqual([]);
    });

    test("a registry by name needs a destination with its port and DNS to resolve it", () => {
        expect(messages(restricted(rabbit, registry), { registry: "registry.example.org:4000" })).toEqual([
            "destinations: the registry registry.example.org:4000 is a name, and no destination allows DNS (port 53) to resolve it; add { purpose: dns, cidrs: [<the DNS servers>], ports: [53], protocol: udp }",
        ]);
        expect(egressReachProblems(restricted(rabbit, registry, dns), { registry: "registry.example.org:4000" })).toEqual([]);
    });

    test("each of the management subnet's DNS servers must be reachable on UDP 53", () => {
        expect(messages(restricted(rabbit, dns), { dnsServers: ["10.0.0.53", "10.0.0.54"] })).toEqual([
            "destinations: no destination reaches the management subnet's DNS server 10.0.0.54 (UDP 53), so guests cannot resolve names; add { purpose: dns, cidrs: [10.0.0.54/32], ports: [53], protocol: udp }",
        ]);
    });
});
