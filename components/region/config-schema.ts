// The stack's configuration, every key of it: its type, allowed values, default and meaning. The
// reader, the validation, the README's configuration table, docs/configuration.md and the JSON
// Schema for editors all come from here. Domain rules that need more than one value (subnet sizing,
// overlaps, quotas against maxInstances, datastore defaults) stay with the components.
import { z } from "zod";
import { def, own, unwrap } from "../common/schema-problems";
import { DEFAULT_CONTROLLERS, DEFAULT_DHCP_PORTS, DEFAULT_MANAGEMENT_CIDR, DEFAULT_MANAGEMENT_NETWORK_NAME, DEFAULT_MAX_INSTANCES } from "../network/management-network";
import { DEFAULT_SECURITY_GROUP_NAME } from "../security/management-security-groups";
import { DEFAULT_MIN_INGRESS_PREFIX } from "../security/rules";
import { DEFAULT_KEYPAIR_NAME } from "../keypair/management-keypair";
import { DEFAULT_OTHER_QUOTAS, DEFAULT_SERVICE_QUOTAS, PORTS_PER_INSTANCE } from "../quotas/service-quotas";
import { DEFAULT_LISTEN_ADDRESS, DEFAULT_REGISTRY_CONTAINER_NAME, DEFAULT_REGISTRY_IMAGE, DEFAULT_REGISTRY_PORT } from "../registry/registry";
import { checkDockerHost, checkRegistryAddress, checkRepositoryName, DEFAULT_REPOSITORY } from "../model/image-names";
import { DEFAULT_CLOUD_INIT_DATASOURCES, DEFAULT_GUEST_IMAGE_NAME, DEFAULT_IMAGE_PROPERTIES } from "../guest-image/guest-image";
import { DEFAULT_GUEST_OS, DEFAULT_GUEST_RELEASE, DEFAULT_GUEST_USERNAME, GUEST_RELEASES } from "../guest-image/build-inputs";
import { DEFAULT_TROVE_MANAGE_COMMAND } from "../datastores/trove-manage-parameters";
import { DEFAULT_VOLUME_TYPE_NAME } from "./region-args";
import { CONTAINER_MANAGERS } from "../model/datastore-spec";
import { DEFAULT_MAX_BACKUPS_PER_TENANT, DEFAULT_MAX_INSTANCES_PER_TENANT } from "../config/trove-config";
import { DEFAULT_CLOUDINIT_LOCATION } from "../config/cloud-init";
import { TROVE_DEFAULT_QUOTAS } from "../quotas/trove-tenant-quotas";
import {
    checkCommandText, checkContainerName, checkHostName, checkImageReference, checkOpenStackName, checkPrivateKey, checkUserName,
} from "../common/names";

/** The config namespace: `trove-region:<key>` in Pulumi.<stack>.yaml. */
export const CONFIG_NAMESPACE = "trove-region";
/** The production guide's names for Trove's service project and user, looked up when no id is given. */
export const DEFAULT_SERVICE_PROJECT_NAME = "service";
export const DEFAULT_TROVE_USER_NAME = "trove";

/** What the docs and the JSON Schema say about a key beyond its type. */
export interface KeyDoc {
    readonly description: string;
    /** The default as a value (goes into the JSON Schema's `default`). */
    readonly default?: unknown;
    /** The default as behaviour, when it is not a single value ("generated", "the registry's engine"). */
    readonly defaultText?: string;
    /** Must be set with `pulumi config set --secret`; refused in plain text. */
    readonly secret?: boolean;
}

function doc<T extends z.ZodType>(schema: T, meta: KeyDoc): T {
    return schema.meta({ ...meta }) as T;
}

/** A rule from components/ as a zod refinement: `check` returns what is wrong, or undefined. */
function checked(check: (value: string) => string | undefined): z.ZodString {
    return z.string().superRefine((value, ctx) => {
        const wrong = check(value);
        if (wrong) ctx.addIssue({ code: "custom", message: wrong, input: value });
    }) as unknown as z.ZodString;
}

/**
 * YAML 1.2 (Pulumi's) reads `yes`, `no`, `on` and `off` as text, and a quoted "false" is text too.
 * They are accepted on purpose, case-insensitively, as the booleans an operator means; any other
 * text is refused with how to write a boolean.
 */
export const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, false: false, yes: true, no: false, on: true, off: false };

/** `[Yy][Ee][Ss]`: a case-blind pattern JSON Schema validators (no `i` flag there) read the same way. */
const caseless = (word: string): string => [...word].map((c) => `[${c.toUpperCase()}${c}]`).join("");
const BOOLEAN_WORD = new RegExp(`^(${Object.keys(BOOLEAN_WORDS).map(caseless).join("|")})$`);

const flag = z.union([
    z.boolean(),
    z.string().regex(BOOLEAN_WORD, "is not a yes/no value; write true or false (unquoted)"),
], { error: (issue) => `${JSON.stringify(issue.input)} is not a yes/no value; write true or false (unquoted)` })
    .transform((v) => (typeof v === "boolean" ? v : BOOLEAN_WORDS[v.toLowerCase()]));

const text = z.string().min(1);
const openStackName = checked(checkOpenStackName);
const openStackId = checked((id) => /^[A-Za-z0-9_-]{1,64}$/.test(id) ? undefined : `${JSON.stringify(id)} is not an OpenStack id (a UUID or similar, at most 64 characters)`);
const cidr = z.string().min(1).meta({ kind: "cidr" });
const ipAddress = z.string().min(1).meta({ kind: "ip" });
const port = z.int().min(1).max(65535);
const quota = z.int().min(-1);
const path = checked(checkCommandText);
const stringMap = z.record(z.string(), z.string());

/** `z.strictObject` under a name that says why: every key an operator writes is known or refused. */
const settings = z.strictObject;

const routing = z.discriminatedUnion("mode", [
    settings({
        mode: z.literal("existing-router"),
        routerId: doc(openStackId, { description: "a router that already reaches RabbitMQ and the control plane" }),
    }),
    settings({
        mode: z.literal("new-router"),
        externalNetworkId: doc(openStackId.optional(), { description: "gives the new router an external gateway" }),
        controlPlaneSubnetIds: doc(z.array(openStackId).optional(), { description: "subnets of the control plane the new router is attached to" }),
        enableSnat: doc(flag.optional(), { description: "SNAT on the external gateway", defaultText: "Neutron's default" }),
    }),
    settings({
        mode: z.literal("host-routes"),
        routes: doc(z.array(settings({
            destination: doc(cidr, { description: "the block the route leads to, e.g. RabbitMQ's subnet" }),
            nexthop: doc(ipAddress, { description: "the gateway on the management subnet that forwards there" }),
        })).min(1), { description: "routes pushed to the guests through DHCP" }),
    }),
    settings({ mode: z.literal("none") }),
]);

const managementNetwork = settings({
    routing: doc(routing, {
        description: "how guests reach RabbitMQ and the control plane: `existing-router` {routerId}, `new-router` {externalNetworkId?, controlPlaneSubnetIds?, enableSnat?}, `host-routes` {routes: [{destination, nexthop}]} or `none`",
    }),
    cidr: doc(cidr.optional(), { description: "IPv4 block of the management subnet; must hold maxInstances + controllers + DHCP ports", default: DEFAULT_MANAGEMENT_CIDR }),
    dhcpPorts: doc(z.int().min(0).optional(), { description: "one per Neutron DHCP agent serving the network", default: DEFAULT_DHCP_PORTS }),
    dnsServers: doc(z.array(ipAddress).optional(), { description: "DNS servers handed to the guests", defaultText: "none: Neutron's DHCP resolver" }),
    avoidCidrs: doc(z.array(cidr).optional(), { description: "blocks the subnet must not overlap (Trove rejects user subnets that overlap it)", defaultText: "none" }),
    networkName: doc(openStackName.optional(), { description: "the Neutron network's name", default: DEFAULT_MANAGEMENT_NETWORK_NAME }),
    mtu: doc(z.int().min(1280).max(9216).optional(), { description: "the network's MTU", defaultText: "the network's default" }),
});

const egressDestination = settings({
    purpose: doc(z.string().regex(/^[A-Za-z0-9 _-]{1,64}$/, "must be a short name such as \"rabbitmq\""), { description: "what it is, for the rule's description" }),
    cidrs: doc(z.array(cidr).min(1), { description: "where it is" }),
    ports: doc(z.array(port).min(1), { description: "the ports the guest agent connects to" }),
    protocol: doc(z.enum(["tcp", "udp"]).optional(), { description: "the rules' protocol", default: "tcp" }),
});

const securityGroups = settings({
    name: doc(openStackName.optional(), { description: "the management security group's name", default: DEFAULT_SECURITY_GROUP_NAME }),
    sshFromCidrs: doc(z.array(cidr).optional(), { description: "SSH (22) from the controllers; sources that together open it too widely are refused", defaultText: "none" }),
    icmpFromCidrs: doc(z.array(cidr).optional(), { description: "ICMP from the controllers", defaultText: "none" }),
    minIngressPrefix: doc(settings({
        ipv4: doc(z.int().min(0).max(32).optional(), { description: "shortest IPv4 prefix an ingress source may have", default: DEFAULT_MIN_INGRESS_PREFIX.ipv4 }),
        ipv6: doc(z.int().min(0).max(128).optional(), { description: "shortest IPv6 prefix an ingress source may have", default: DEFAULT_MIN_INGRESS_PREFIX.ipv6 }),
    }).optional(), { description: "the widest SSH/ICMP source allowed", default: DEFAULT_MIN_INGRESS_PREFIX }),
    egress: doc(z.discriminatedUnion("mode", [
        settings({ mode: z.literal("all") }),
        settings({ mode: z.literal("restricted"), destinations: doc(z.array(egressDestination).min(1), { description: "what guests may reach; the metadata service is added" }) }),
    ]).optional(), {
        description: "`all`, or `restricted` with destinations [{purpose, cidrs, ports, protocol?}] (RabbitMQ, registry, Keystone, Swift, DNS; the metadata service is added)",
        default: { mode: "all" },
    }),
});

const keypair = settings({
    name: doc(openStackName.optional(), { description: "Nova keypair name, `nova_keypair`", default: DEFAULT_KEYPAIR_NAME }),
    publicKey: doc(text.optional(), { description: "import this OpenSSH public key", defaultText: "Nova generates a key; the private key is a secret output" }),
    publicKeyFile: doc(path.optional(), { description: "import the public key in this file", defaultText: "Nova generates a key" }),
});

const quotaDocs: Record<string, KeyDoc> = {
    instances: { description: "Nova instances", defaultText: "maxInstances" },
    ports: { description: "Neutron ports; at least 2 x instances", defaultText: `${PORTS_PER_INSTANCE} x instances` },
    serverGroups: { description: "Nova server groups", default: DEFAULT_SERVICE_QUOTAS.serverGroups },
    volumes: { description: "Cinder volumes", default: DEFAULT_SERVICE_QUOTAS.volumes },
    securityGroups: { description: "Neutron security groups", default: DEFAULT_SERVICE_QUOTAS.securityGroups },
    securityGroupRules: { description: "Neutron security group rules", defaultText: "5 x securityGroups" },
    cores: { description: "Nova cores", defaultText: "left as Nova has it" },
    ramMb: { description: "Nova RAM in MiB", defaultText: "left as Nova has it" },
    gigabytes: { description: "Cinder gigabytes", default: DEFAULT_OTHER_QUOTAS.gigabytes },
    perVolumeGigabytes: { description: "Cinder gigabytes per volume", default: DEFAULT_OTHER_QUOTAS.perVolumeGigabytes },
    snapshots: { description: "Cinder snapshots", default: DEFAULT_OTHER_QUOTAS.snapshots },
    backups: { description: "Cinder backups", default: DEFAULT_OTHER_QUOTAS.backups },
    backupGigabytes: { description: "Cinder backup gigabytes", default: DEFAULT_OTHER_QUOTAS.backupGigabytes },
    volumeGroups: { description: "Cinder volume groups", default: DEFAULT_OTHER_QUOTAS.volumeGroups },
    floatingIps: { description: "Neutron floating IPs", default: DEFAULT_OTHER_QUOTAS.floatingIps },
    networks: { description: "Neutron networks", default: DEFAULT_OTHER_QUOTAS.networks },
    subnets: { description: "Neutron subnets", default: DEFAULT_OTHER_QUOTAS.subnets },
    routers: { description: "Neutron routers", default: DEFAULT_OTHER_QUOTAS.routers },
    subnetPools: { description: "Neutron subnet pools", default: DEFAULT_OTHER_QUOTAS.subnetPools },
    rbacPolicies: { description: "Neutron RBAC policies", default: DEFAULT_OTHER_QUOTAS.rbacPolicies },
};
const quotas = settings(Object.fromEntries(Object.entries(quotaDocs).map(([key, meta]) =>
    [key, doc(quota.optional(), { ...meta, description: `${meta.description}; -1 is unlimited` })])));

const volumeType = settings({
    name: doc(openStackName.optional(), { description: "`cinder_volume_type`", default: DEFAULT_VOLUME_TYPE_NAME }),
    create: doc(flag.optional(), { description: "create it (true) or name an existing one (false)", default: true }),
    extraSpecs: doc(stringMap.optional(), { description: "extra specs, e.g. {volume_backend_name: ceph}", defaultText: "none" }),
    isPublic: doc(flag.optional(), { description: "visible to every project; a private type is shared with the service project", default: false }),
});

const registryCredentials = doc(settings({
    username: doc(z.string().regex(/^[^:\s]+$/, "must be non-empty, without ':' or spaces"), { description: "the user guests pull as; the password is registryPassword" }),
}).optional(), { description: "require credentials (htpasswd)", defaultText: "anonymous" });

const registry = z.discriminatedUnion("mode", [
    settings({
        mode: z.literal("create"),
        hostAddress: doc(checked(checkRegistryAddress), { description: "the address guests reach the registry at, without the port" }),
        port: doc(port.optional(), { description: "the registry's port", default: DEFAULT_REGISTRY_PORT }),
        listenAddress: doc(z.string().regex(/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])$/, "is not an IP address to listen on, e.g. \"0.0.0.0\" or \"10.0.0.5\" (IPv6 in brackets)").optional(), {
            description: "the address the registry binds", default: DEFAULT_LISTEN_ADDRESS,
        }),
        dockerHost: doc(checked((h) => checkDockerHost(h)).optional(), { description: "the engine that runs it, `unix://...` or `ssh://user@host`", defaultText: "DOCKER_HOST or the local socket" }),
        image: doc(checked(checkImageReference).optional(), { description: "the registry image", default: DEFAULT_REGISTRY_IMAGE }),
        containerName: doc(checked(checkContainerName).optional(), { description: "the container's name", default: DEFAULT_REGISTRY_CONTAINER_NAME }),
        pullImage: doc(flag.optional(), { description: "pull the registry image instead of using the engine's copy", default: false }),
        credentials: registryCredentials,
        tls: doc(settings({
            certificatePem: doc(text, { description: "the registry's certificate (PEM)" }),
            privateKeyPem: doc(checked(checkPrivateKey), { description: "the certificate's key", secret: true }),
        }).optional(), { description: "serve TLS with this PEM certificate and key", defaultText: "plain HTTP, listed as an insecure registry" }),
    }),
    settings({
        mode: z.literal("existing"),
        address: doc(checked(checkRegistryAddress), { description: "host:port the guests pull from" }),
        insecure: doc(flag.optional(), { description: "plain HTTP or an untrusted certificate", default: false }),
        credentials: registryCredentials,
    }),
]);

const datastoreVersion = settings({
    datastore: doc(z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, "is not a datastore name (lower-case letters and digits, e.g. \"mysql\")"), { description: "datastore name; names the image repository" }),
    version: doc(text, { description: "version name users pick; quote numbers (\"10.11\")" }),
    sourceImage: doc(checked(checkImageReference), { description: "image mirrored into the registry as this version" }),
    manager: doc(z.enum(CONTAINER_MANAGERS).optional(), { description: "guest agent manager", defaultText: "the datastore name" }),
    versionNumber: doc(z.string().regex(/^\d+(\.\d+)*$/, "is not a version number such as \"10.11\"").optional(), { description: "the image tag guests pull", defaultText: "the version name" }),
    imageTags: doc(z.array(text).optional(), { description: "Glance tags that pick the guest image (at most 5, each at most 20 characters)", defaultText: "[trove, <datastore>]" }),
    active: doc(flag.optional(), { description: "users can create instances of it", default: true }),
    default: doc(flag.optional(), { description: "the datastore's default version", defaultText: "the datastore's first version when none is marked" }),
    packages: doc(z.array(text).optional(), { description: "packages older non-container guests install", defaultText: "none" }),
    registryExt: doc(z.string().max(255, "is longer than Trove's 255 characters").regex(/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/, "is not a Python import path of a class (package.module.Class)").optional(), {
        description: "the guest agent's manager class (`registry_ext`), e.g. trove.guestagent.datastore.mysql.manager.Manager; unset, Trove's default stays",
        defaultText: "Trove's default for the manager",
    }),
    replicationStrategy: doc(z.string().max(255, "is longer than Trove's 255 characters").regex(/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/, "is neither a class name nor a Python import path (module.Class)").optional(), {
        description: "replication strategy (`repl_strategy`): a class Trove ships for the manager (MysqlGTIDReplication, MariaDBGTIDReplication, PostgresqlReplicationStreaming) or module.Class of your own; unset, Trove's default stays",
        defaultText: "trove.conf's default for the manager",
    }),
    flavors: doc(z.array(text).optional(), {
        description: "Nova flavor ids (not names) instances of the version may use; written with trove-manage (needs trove.troveManage)",
        defaultText: "every flavor",
    }),
    volumeTypes: doc(z.array(text).optional(), {
        description: "Cinder volume type names instances of the version may use; written with trove-manage (needs trove.troveManage)",
        defaultText: "every volume type",
    }),
});

const datastoreImages = settings({
    backupContext: doc(z.union([z.literal(false), path], { error: (issue) => `${JSON.stringify(issue.input)} is neither the path of Trove's backup/ directory nor false` }), {
        description: "Trove's backup/ directory, built once per version; false skips backup images",
    }),
    repository: doc(checked(checkRepositoryName).optional(), { description: "repository prefix of every image", default: DEFAULT_REPOSITORY }),
    dockerHost: doc(checked((h) => checkDockerHost(h)).optional(), { description: "the engine that pulls, builds and pushes", defaultText: "the registry's engine" }),
    buildNetwork: doc(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, "is not a network mode; e.g. \"host\", \"default\" or a network's name").optional(), {
        description: "`docker build --network` for the backup builds", defaultText: "the engine's default network",
    }),
    seriesTags: doc(flag.optional(), {
        description: "also push backup images under the series tags the guest falls back to (11.4 and 11 for 11.4.5), each to the newest version of its series",
        default: false,
    }),
});

const imageFormat = z.enum(["qcow2", "raw"]);
const guestImageSource = z.discriminatedUnion("mode", [
    settings({
        mode: z.literal("build"),
        outputDir: doc(path, { description: "where built images go (relative to the project)" }),
        troveDir: doc(path.optional(), { description: "a Trove checkout with integration/scripts/trovestack", defaultText: "required unless builderCommand is set" }),
        guestOs: doc(text.optional(), { description: "trovestack's guest OS", default: DEFAULT_GUEST_OS }),
        release: doc(z.enum(GUEST_RELEASES).optional(), { description: "the Ubuntu release of the guest", default: DEFAULT_GUEST_RELEASE }),
        devMode: doc(flag.optional(), { description: "dev_mode images fetch the agent at boot: never in production", default: false }),
        guestUsername: doc(z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "is not a user name").optional(), { description: "the guest's login user", default: DEFAULT_GUEST_USERNAME }),
        builderCommand: doc(path.optional(), { description: "a builder other than trovestack, writing \"$GUEST_IMAGE_OUTPUT\"", defaultText: "trovestack build-image" }),
        format: doc(imageFormat.optional(), { description: "the built image's disk format", default: "qcow2" }),
        environment: doc(stringMap.optional(), { description: "extra environment for the builder (DIB_* and the like)", defaultText: "none" }),
        cloudInitDatasources: doc(z.array(text).optional(), { description: "cloud-init datasources; must include OpenStack", default: [...DEFAULT_CLOUD_INIT_DATASOURCES] }),
        hashPaths: doc(z.array(path).optional(), { description: "content that goes into the image and its input hash", defaultText: "[troveDir]" }),
        troveRef: doc(text.optional(), { description: "the Trove revision, when pinned; part of the input hash", defaultText: "none" }),
    }),
    settings({ mode: z.literal("file"), path: doc(path, { description: "an image file built elsewhere (.qcow2, .raw or .img), streamed to Glance; a new size or modification time uploads it again into a new image" }) }),
    settings({
        mode: z.literal("url"),
        url: doc(z.string().regex(/^https?:\/\/\S+$/, "is not an http(s) URL"), { description: "Glance's provider downloads the image from here" }),
        format: doc(imageFormat, { description: "the image's disk format" }),
    }),
]);

const guestImage = settings({
    source: doc(guestImageSource, { description: "`build` (trovestack), `file` {path} or `url` {url, format}" }),
    name: doc(openStackName.optional(), { description: "the Glance image's name", default: DEFAULT_GUEST_IMAGE_NAME }),
    properties: doc(stringMap.optional(), { description: "Glance properties", default: { ...DEFAULT_IMAGE_PROPERTIES } }),
    minDiskGb: doc(z.int().min(0).optional(), { description: "Glance min_disk", defaultText: "none" }),
    minRamMb: doc(z.int().min(0).optional(), { description: "Glance min_ram", defaultText: "none" }),
});

const troveManage = settings({
    command: doc(path.optional(), { description: "the trove-manage command", default: DEFAULT_TROVE_MANAGE_COMMAND }),
    configFile: doc(path.optional(), { description: "passed as --config-file", defaultText: "trove-manage's own" }),
    ssh: doc(settings({
        host: doc(checked(checkHostName), { description: "the controller's host name or address" }),
        user: doc(checked(checkUserName), { description: "the user ssh logs in as" }),
        port: doc(port.optional(), { description: "SSH port", default: 22 }),
        privateKey: doc(checked(checkPrivateKey), { description: "the key ssh logs in with", secret: true }),
    }).optional(), { description: "run trove-manage on a controller over SSH", defaultText: "this machine" }),
});

const trove = settings({
    parametersDir: doc(path.optional(), { description: "Trove's trove/templates, for each manager's validation-rules.json", defaultText: "no parameters loaded" }),
    troveManage: doc(troveManage.optional(), { description: "run trove-manage: loads every parameter, and writes versions' allowed flavors and volume types", defaultText: "REST only; no flavor or volume type restrictions" }),
    pinImageId: doc(flag.optional(), { description: "pin datastore versions to the image id instead of tags", default: false }),
});

const limits = settings({
    maxInstancesPerTenant: doc(z.int().min(1).optional(), { description: "`max_instances_per_tenant`", default: DEFAULT_MAX_INSTANCES_PER_TENANT }),
    maxBackupsPerTenant: doc(z.int().min(1).optional(), { description: "`max_backups_per_tenant`", default: DEFAULT_MAX_BACKUPS_PER_TENANT }),
    defaultDatastore: doc(text.optional(), { description: "`default_datastore`; one of datastores", defaultText: "none" }),
});

const rpcKey = z.string().min(8, "is too short for an encryption key; e.g. $(openssl rand -hex 16)");

/** Every key under `trove-region:`. */
export const stackConfigSchema = settings({
    maxInstances: doc(z.int().min(1).optional(), { description: "most instances the region will run at once: sizes the subnet and the quotas", default: DEFAULT_MAX_INSTANCES }),
    controllers: doc(z.int().min(0).optional(), { description: "fixed addresses kept at the top of the management subnet", default: DEFAULT_CONTROLLERS }),
    serviceProjectName: doc(openStackName.optional(), { description: "Trove's service project (owns everything); ignored when serviceProjectId is set", default: DEFAULT_SERVICE_PROJECT_NAME }),
    serviceProjectId: doc(openStackId.optional(), { description: "Trove's service project by id", defaultText: "looked up by serviceProjectName" }),
    troveUserName: doc(openStackName.optional(), { description: "Trove's service user (owns the keypair); ignored when troveUserId is set", default: DEFAULT_TROVE_USER_NAME }),
    troveUserId: doc(openStackId.optional(), { description: "Trove's service user by id", defaultText: "looked up by troveUserName" }),
    managementNetwork: doc(managementNetwork, { description: "the management network" }),
    securityGroups: doc(securityGroups.optional(), { description: "the management security group", defaultText: "no ingress, all egress" }),
    keypair: doc(keypair.optional(), { description: "the Nova keypair", defaultText: "a generated key named trove-mgmt" }),
    quotas: doc(quotas.optional(), { description: "the service project's quotas", defaultText: "the seeds' numbers, scaled to maxInstances" }),
    volumeType: doc(volumeType.optional(), { description: "the Cinder volume type", defaultText: "a private \"trove\" type is created" }),
    registry: doc(registry.optional(), { description: "the private Docker registry: `create` (registry:2 on a Docker engine) or `existing`", defaultText: "none: guests pull from Docker Hub" }),
    registryPassword: doc(text.optional(), { description: "the registry password", secret: true, defaultText: "none" }),
    datastores: doc(z.array(datastoreVersion).min(1, "needs at least one datastore version"), { description: "the datastore versions" }),
    datastoreImages: doc(datastoreImages.optional(), { description: "publish datastore and backup images into the registry", defaultText: "not published" }),
    guestImage: doc(guestImage, { description: "the guest image" }),
    trove: doc(trove.optional(), { description: "how the stack loads datastore parameters", defaultText: "{}" }),
    limits: doc(limits.optional(), { description: "per-tenant limits in trove.conf" }),
    tenantQuotas: doc(z.record(openStackId, doc(settings({
        instances: doc(quota.optional(), { description: "Trove instances; -1 is unlimited", defaultText: "limits.maxInstancesPerTenant" }),
        backups: doc(quota.optional(), { description: "Trove backups; -1 is unlimited", defaultText: "limits.maxBackupsPerTenant" }),
        volumes: doc(quota.optional(), { description: "gigabytes of Trove volumes; -1 is unlimited", default: TROVE_DEFAULT_QUOTAS.volumes }),
        ram: doc(quota.optional(), { description: "megabytes of instance RAM; -1 is unlimited", default: TROVE_DEFAULT_QUOTAS.ram }),
    }), { description: "one project's limits, by its id; a limit left out keeps the default" })).optional(), {
        description: "per Keystone project id, Trove quotas that override the per-tenant defaults (mgmt/quotas); refresh reads them back, delete writes the defaults back",
        defaultText: "none: every project gets the defaults",
    }),
    cloudInit: doc(z.record(z.string(), z.record(z.string(), z.unknown())).optional(), {
        description: "per datastore manager (mariadb, ...), cloud-config (runcmd, write_files, packages, ...) Trove adds to its guests' user data; output as cloudInitFiles for the controllers' cloudinit_location",
        defaultText: "none",
    }),
    cloudInitLocation: doc(path.optional(), { description: "the controllers' `cloudinit_location`, where the <manager>.cloudinit files go", default: DEFAULT_CLOUDINIT_LOCATION }),
    taskmanagerRpcEncrKey: doc(rpcKey.optional(), { description: "bring your own taskmanager RPC encryption key", secret: true, defaultText: "generated once" }),
    instRpcKeyEncrKey: doc(rpcKey.optional(), { description: "bring your own instance RPC key encryption key", secret: true, defaultText: "generated once" }),
});

/** The configuration as read: every key typed, booleans resolved, nothing unknown. */
export type StackConfig = z.output<typeof stackConfigSchema>;

/** The top-level keys whose raw config value is text, not JSON: names, ids and secrets. */
export function isTextKey(key: string): boolean {
    const field = own(stackConfigSchema.shape as Record<string, z.ZodType>, key);
    return field !== undefined && def(unwrap(field)).type === "string";
}
