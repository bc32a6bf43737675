// Operators' mistakes, written in YAML the way they write stack files: each is refused before
// anything is registered, naming the key, the value and the fix.
import * as fs from "fs";
import * as path from "path";
import { installMocks, settle } from "../mocks";
import { parseStackConfig } from "../../components/region/region-config";
import { RawStackConfig } from "../../components/region/region-config";
import { rawConfig } from "../support/stack-file";
import { engineConfig, runProgram } from "../support/run-program";
import { fixtures } from "./fixtures";

const mocks = installMocks();
beforeEach(() => mocks.reset());
const f = fixtures();
const guestImageFile = path.join(f.images, "..", "guest.qcow2");
fs.writeFileSync(guestImageFile, "stand-in");

/** A valid region in the stack file's own words; each case replaces some of its keys. */
const BASE = `
managementNetwork:
  cidr: 10.254.0.0/22
  routing:
    mode: existing-router
    routerId: router-1
securityGroups:
  sshFromCidrs:
    - 192.0.2.10/32
registry:
  mode: existing
  address: 10.0.0.5:4000
datastores:
  - datastore: mariadb
    version: "10.11"
    sourceImage: mariadb:10.11
guestImage:
  source:
    mode: file
    path: ${guestImageFile}
trove:
  parametersDir: ${f.templates}
`;

function withSettings(yamlText: string): RawStackConfig {
    const base = rawConfig(BASE);
    const extra = rawConfig(yamlText);
    return { values: { ...base.values, ...extra.values }, secretKeys: new Set([...base.secretKeys, ...extra.secretKeys]) };
}

/** Runs index.ts under the mocks; returns its error message ("" when it ran). */
function programError(raw: RawStackConfig): string {
    const { config, secretKeys } = engineConfig(raw, { "openstack:authUrl": "http://127.0.0.1:5000/v3", "openstack:userName": "trove", "openstack:tenantName": "service" });
    try {
        runProgram(config, { OS_PASSWORD: "pw" }, secretKeys);
        return "";
    } catch (e) {
        return (e as Error).message;
    }
}

/** A private key's shape, as the stack file would hold it (escaped newlines in a quoted YAML string). */
const PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA\\n-----END OPENSSH PRIVATE KEY-----";

type Case = [title: string, yaml: string, key: string, message: RegExp];

const cases: Record<string, Case[]> = {
    "wrong shapes are named, not crashed on": [
        ["a scalar where a list goes (dnsServers)", "managementNetwork:\n  routing: {mode: none}\n  dnsServers: 10.10.0.53", "managementNetwork.dnsServers", /"10\.10\.0\.53" is text; write a list even for one entry: \["10\.10\.0\.53"\]/],
        ["a scalar where a list goes (sshFromCidrs)", "securityGroups:\n  sshFromCidrs: 192.0.2.10/32", "securityGroups.sshFromCidrs", /write a list even for one entry/],
        ["a scalar where a list goes (controlPlaneSubnetIds)", "managementNetwork:\n  routing:\n    mode: new-router\n    controlPlaneSubnetIds: subnet-id", "managementNetwork.routing.controlPlaneSubnetIds", /"subnet-id" is text; write a list/],
        ["datastores written as a map", "datastores:\n  mariadb:\n    version: \"10.11\"\n    sourceImage: mariadb:10.11", "datastores", /is a map of settings; write a list/],
        ["a number where text goes (volumeType.name)", "volumeType:\n  name: 3000", "volumeType.name", /3000 is a number, not a string: quote it in the stack file \("3000"\)/],
        ["an unquoted version YAML reads as a number", "datastores:\n  - datastore: mariadb\n    version: 10.10\n    sourceImage: mariadb:10.11", "datastores[0].version", /YAML reads 10\.10 as 10\.1/],
        ["a list where a number goes", "maxInstances: [1, 2]", "maxInstances", /is a list; expected a whole number/],
        ["text where a number goes", "maxInstances: lots", "maxInstances", /"lots" is not a whole number/],
        ["a quoted number inside a map", "registry:\n  mode: create\n  hostAddress: 10.0.0.5\n  port: \"4000\"", "registry.port", /write the number without quotes: 4000/],
        ["a required key left out", "guestImage:\n  name: trove-guest", "guestImage.source", /is required/],
    ],
    "yes/no words are booleans or refused, never truthy text": [
        ["a word that is not a boolean", "registry:\n  mode: existing\n  address: 10.0.0.5:4000\n  insecure: maybe", "registry.insecure", /"maybe" is not a yes\/no value; write true or false/],
        ["a number for a boolean", "trove:\n  pinImageId: 1", "trove.pinImageId", /1 is not a yes\/no value/],
    ],
    "typos are refused with the likely key": [
        ["a misspelt top-level key", "securityGroup:\n  sshFromCidrs: [192.0.2.10/32]", "securityGroup", /did you mean securityGroups\?/],
        ["a misspelt scalar", "maxInstance: 500", "maxInstance", /did you mean maxInstances\?/],
        ["a misspelt nested key", "managementNetwork:\n  routing: {mode: none}\n  avoidCidr: [10.0.0.0/8]", "managementNetwork.avoidCidr", /did you mean avoidCidrs\?/],
        ["a key of another mode", "registry:\n  mode: existing\n  address: 10.0.0.5:4000\n  port: 4000", "registry.port", /is not a setting of registry/],
        ["a misspelt mode", "registry:\n  mode: exisitng\n  address: 10.0.0.5:4000", "registry.mode", /"exisitng" is not a mode; choose "create", "existing" \(did you mean "existing"\?\)/],
        ["a misspelt enum value", "datastores:\n  - datastore: maria\n    manager: mariadbb\n    version: \"10.11\"\n    sourceImage: mariadb:10.11", "datastores[0].manager", /did you mean "mariadb"\?/],
    ],
    "security rules judge what the sources mean": [
        ["two halves of IPv4 for SSH", "securityGroups:\n  sshFromCidrs: [0.0.0.0/1, 128.0.0.0/1]", "securityGroups.sshFromCidrs", /0\.0\.0\.0\/1/],
        ["a /8 for ICMP", "securityGroups:\n  icmpFromCidrs: [10.0.0.0/8]", "securityGroups.icmpFromCidrs[0]", /10\.0\.0\.0\/8/],
        ["the whole world", "securityGroups:\n  sshFromCidrs: [0.0.0.0/0]", "securityGroups.sshFromCidrs[0]", /whole world/],
    ],
    "names bound for OpenStack, Docker and SSH": [
        ["a newline in a volume type name", "volumeType:\n  name: \"trove\\n[DEFAULT]\"", "volumeType.name", /control or non-ASCII characters/],
        ["a non-ASCII volume type name", "volumeType:\n  name: trövé", "volumeType.name", /control or non-ASCII characters/],
        ["a 300-character image name", `guestImage:\n  name: ${"x".repeat(300)}\n  source: {mode: file, path: ${guestImageFile}}`, "guestImage.name", /is 300 characters; OpenStack keeps at most 255/],
        ["an image reference with spaces", "datastores:\n  - datastore: mariadb\n    version: \"10.11\"\n    sourceImage: mariadb 10.11", "datastores[0].sourceImage", /is not a Docker image reference/],
        ["a container name with a slash", "registry:\n  mode: create\n  hostAddress: 10.0.0.5\n  containerName: trove/registry", "registry.containerName", /is not a Docker container name/],
        ["an SSH host with a space", "trove:\n  troveManage:\n    ssh: {host: ctl 1, user: trove, privateKey: {secure: x}}", "trove.troveManage.ssh.host", /is not a host name or IP address/],
        ["an SSH user with capitals", "trove:\n  troveManage:\n    ssh: {host: ctl1, user: Root!, privateKey: {secure: x}}", "trove.troveManage.ssh.user", /is not a user name/],
        ["an SSH port out of range", "trove:\n  troveManage:\n    ssh: {host: ctl1, user: trove, port: 70000, privateKey: {secure: x}}", "trove.troveManage.ssh.port", /70000 is more than 65535/],
        ["a trove-manage command of two lines", "trove:\n  troveManage:\n    command: \"trove-manage\\nrm -rf /\"", "trove.troveManage.command", /has control characters/],
    ],
    "secrets must be secrets": [
        ["the registry password in plain text", "registry:\n  mode: existing\n  address: 10.0.0.5:4000\n  credentials: {username: guest}\nregistryPassword: hunter2", "registryPassword", /plain text; remove it from the stack file and set it with `pulumi config set --secret trove-region:registryPassword`/],
        ["an RPC key in plain text", "taskmanagerRpcEncrKey: 0123456789abcdef", "taskmanagerRpcEncrKey", /pulumi config set --secret trove-region:taskmanagerRpcEncrKey/],
        ["trove-manage's SSH key in plain text", `trove:\n  troveManage:\n    ssh: {host: ctl1, user: trove, privateKey: "${PEM}"}`, "trove.troveManage.ssh.privateKey", /pulumi config set --path --secret trove-region:trove\.troveManage\.ssh\.privateKey/],
        ["the registry's TLS key in plain text", `registry:\n  mode: create\n  hostAddress: 10.0.0.5\n  tls: {certificatePem: x, privateKeyPem: "${PEM}"}`, "registry.tls.privateKeyPem", /pulumi config set --path --secret/],
    ],
    "per-datastore cloud-init": [
        ["a script where cloud-config goes", "cloudInit:\n  mariadb: \"#!/bin/sh\\necho hi\"", "cloudInit.mariadb", /is text; expected a map of settings/],
        ["a manager no datastore uses", "cloudInit:\n  postgresql:\n    runcmd: [echo]", "cloudInit.postgresql", /not the manager of any configured datastore version \(mariadb\)/],
        ["a relative location", "cloudInitLocation: cloudinit\ncloudInit:\n  mariadb:\n    runcmd: [echo]", "cloudInitLocation", /is not an absolute directory path/],
    ],
    "per-version flavors and volume types": [
        ["flavors without trove-manage", "datastores:\n  - {datastore: mariadb, version: \"11.8\", sourceImage: \"mariadb:11.8\", flavors: [ds2]}", "datastores[0].flavors", /only through trove-manage; set troveManage/],
        ["a flavor written as one comma-separated string", "trove:\n  troveManage: {}\ndatastores:\n  - {datastore: mariadb, version: \"11.8\", sourceImage: \"mariadb:11.8\", flavors: \"ds2,ds4\"}", "datastores[0].flavors", /is text; write a list/],
    ],
    "restricted egress that would cut guests off under network isolation": [
        ["no way to RabbitMQ", "securityGroups:\n  egress:\n    mode: restricted\n    destinations:\n      - {purpose: registry, cidrs: [10.0.0.5/32], ports: [4000]}", "securityGroups.egress.destinations", /no destination reaches RabbitMQ \(TCP 5672 or 5671/],
        ["the registry left out", "securityGroups:\n  egress:\n    mode: restricted\n    destinations:\n      - {purpose: rabbitmq, cidrs: [10.0.0.9/32], ports: [5672]}", "securityGroups.egress.destinations", /no destination reaches the registry at 10\.0\.0\.5:4000, .* add \{ purpose: registry, cidrs: \[10\.0\.0\.5\/32\], ports: \[4000\] \}/],
        ["the subnet's DNS server left out", "managementNetwork:\n  cidr: 10.254.0.0/22\n  dnsServers: [10.0.0.53]\n  routing: {mode: none}\nsecurityGroups:\n  egress:\n    mode: restricted\n    destinations:\n      - {purpose: rabbitmq, cidrs: [10.0.0.9/32], ports: [5672]}\n      - {purpose: registry, cidrs: [10.0.0.0/24], ports: [4000]}", "securityGroups.egress.destinations", /DNS server 10\.0\.0\.53 \(UDP 53\)/],
    ],
    "advice is possible and correct": [
        ["more instances than any subnet holds", "maxInstances: 99999999999", "maxInstances", /the largest management subnet, a \/8, holds 16777209 instances/],
        ["a subnet too small", "managementNetwork:\n  cidr: 10.0.0.0/29\n  routing: {mode: none}", "managementNetwork.cidr", /use a \/24 or larger/],
    ],
};

describe.each(Object.entries(cases))("%s", (_, table) => {
    test.each(table)("%s", async (_title, yamlText, key, message) => {
        const error = programError(withSettings(yamlText));
        const line = error.split("\n").find((l) => l.includes(`trove-region:${key}: `));
        expect({ key, line }).toEqual({ key, line: expect.stringMatching(message) });
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });
});

describe("what is accepted on purpose", () => {
    test.each([
        ["no", false], ["yes", true], ["\"false\"", false], ["Off", false], ["ON", true], ["true", true],
    ])("active: %s reads as %s", (word, expected) => {
        const { config, problems } = parseStackConfig(withSettings(`datastores:\n  - datastore: mariadb\n    version: "10.11"\n    sourceImage: mariadb:10.11\n    active: ${word}`));
        expect(problems).toEqual([]);
        expect(config?.datastores[0].active).toBe(expected);
    });

    test("insecure: \"false\" keeps the registry secure", () => {
        const { config } = parseStackConfig(withSettings("registry:\n  mode: existing\n  address: 10.0.0.5:4000\n  insecure: \"false\""));
        expect(config?.registry).toEqual({ mode: "existing", address: "10.0.0.5:4000", insecure: false });
    });

    test("secrets set with --secret are accepted, and the base stack runs", async () => {
        const raw = withSettings("registry:\n  mode: existing\n  address: 10.0.0.5:4000\n  credentials: {username: guest}\nregistryPassword: {secure: v1:abc}\ntaskmanagerRpcEncrKey: {secure: v1:def}");
        expect(programError(raw)).toBe("");
        await settle();
        expect(mocks.resources.length).toBeGreaterThan(0);
    });

    test("every problem at once: three mistakes, three lines", () => {
        const error = programError(withSettings("maxInstance: 500\nvolumeType:\n  name: 3000\nregistryPassword: hunter2\nregistry:\n  mode: existing\n  address: 10.0.0.5:4000\n  credentials: {username: guest}"));
        expect(error).toMatch(/3 invalid settings/);
        for (const key of ["maxInstance", "volumeType.name", "registryPassword"]) expect(error).toContain(`trove-region:${key}: `);
    });
});
