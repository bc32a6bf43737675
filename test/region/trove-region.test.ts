import * as pulumi from "@pulumi/pulumi";
import { installMocks, named, ofType, settle, valueOf } from "../mocks";
import { TroveRegion } from "../../components/region/trove-region";
import { TroveRegionArgs } from "../../components/region/region-args";
import { regionQuotas, validateTroveRegionArgs } from "../../components/region/region-plan";
import { fixtures, regionArgs } from "./fixtures";

const mocks = installMocks();
beforeEach(() => mocks.reset());
const f = fixtures();

function count(type: string): number {
    return ofType(mocks.resources, type).length;
}

describe("TroveRegion", () => {
    test("the whole region: exact resource counts per type", async () => {
        new TroveRegion("trove", regionArgs(f));
        await settle();
        const counts: Record<string, number> = {};
        for (const r of mocks.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
        expect(counts).toEqual({
            "trove-region:region:TroveRegion": 1,
            "trove-region:network:ManagementNetwork": 1,
            "openstack:networking/network:Network": 1,
            "openstack:networking/subnet:Subnet": 1,
            "openstack:networking/routerInterface:RouterInterface": 1,
            "trove-region:security:ManagementSecurityGroups": 1,
            "openstack:networking/secGroup:SecGroup": 1,
            "openstack:networking/secGroupRule:SecGroupRule": 3, // SSH + egress IPv4 + IPv6
            "trove-region:keypair:ManagementKeypair": 1,
            "openstack:compute/keypair:Keypair": 1,
            "trove-region:quotas:ServiceQuotas": 1,
            "openstack:compute/quotaSetV2:QuotaSetV2": 1,
            "openstack:networking/quotaV2:QuotaV2": 1,
            "openstack:blockstorage/quoteSetV3:QuoteSetV3": 1,
            "openstack:blockstorage/volumeTypeV3:VolumeTypeV3": 1,
            "openstack:blockstorage/volumeTypeAccessV3:VolumeTypeAccessV3": 1,
            "trove-region:registry:Registry": 1,
            "docker:index/volume:Volume": 1,
            "docker:index/container:Container": 1,
            "trove-region:registry:DatastoreImages": 1,
            "docker:index/remoteImage:RemoteImage": 8,
            "pulumi:providers:docker": 2,
            "docker:index/tag:Tag": 4,
            "docker:index/registryImage:RegistryImage": 8,
            "trove-region:guest-image:GuestImage": 1,
            "command:local:Command": 1,
            "pulumi-nodejs:dynamic/trove-region:GlanceImage": 1,
            "trove-region:datastores:Datastores": 1,
            "pulumi-nodejs:dynamic/trove-region:DatastoreVersion": 4,
            "pulumi-nodejs:dynamic/trove-region:DatastoreParameters": 4,
            "trove-region:config:TroveConfig": 1,
            "pulumi-nodejs:dynamic/trove-region:RandomKey": 2,
            // One per version: the registry serves what its guests pull.
            "pulumi-nodejs:dynamic/trove-region:RegistryImageCheck": 4,
        });
    });

    test("quotas scale with maxInstances: ports follow at two per instance", async () => {
        new TroveRegion("trove", { ...regionArgs(f), maxInstances: 300, managementNetwork: { routing: { mode: "none" } } });
        await settle();
        expect(named(mocks.resources, "trove-quotas-compute").inputs).toMatchObject({ instances: 300, projectId: "service-project" });
        expect(named(mocks.resources, "trove-quotas-network").inputs).toMatchObject({ port: 600 });
        expect(count("openstack:networking/routerInterface:RouterInterface")).toBe(0);
    });

    test("the keypair belongs to Trove's user; the volume type is private and shared with the service project", async () => {
        new TroveRegion("trove", regionArgs(f));
        await settle();
        expect(named(mocks.resources, "trove-keypair-keypair").inputs).toMatchObject({ userId: "trove-user" });
        expect(named(mocks.resources, "trove-volume-type").inputs).toMatchObject({ name: "trove", isPublic: false });
        expect(named(mocks.resources, "trove-volume-type-access").inputs).toEqual({ projectId: "service-project", volumeTypeId: "trove-volume-type-id" });
    });

    test("every child is parented: components to the region, resources to their component", async () => {
        const parentOf = new Map<string, pulumi.Resource | undefined>();
        // Transformations on a component also see every resource created beneath it.
        const record: pulumi.ResourceTransformation = (args) => {
            parentOf.set(args.name, args.opts.parent);
            return undefined;
        };
        new TroveRegion("trove", regionArgs(f), { transformations: [record] });
        await settle();
        // Parents named through their URNs, what a user sees.
        const parents = new Map<string, string | undefined>();
        for (const [name, parent] of parentOf) {
            parents.set(name, parent && (await valueOf(parent.urn)).split("::").pop());
        }
        expect(parents.get("trove-network")).toBe("trove");
        expect(parents.get("trove-network-subnet")).toBe("trove-network");
        expect(parents.get("trove-secgroup-ingress-ssh-192-0-2-10-32")).toBe("trove-secgroup");
        expect(parents.get("trove-datastores-mysql-8.0.36")).toBe("trove-datastores");
        expect(parents.get("trove-config-taskmanager-rpc-key")).toBe("trove-config");
        // Every registered resource but the region itself has a parent inside the region.
        const orphans = mocks.resources.filter((r) => r.name !== "trove" && !parents.get(r.name)?.startsWith("trove"));
        expect(orphans.map((r) => r.name)).toEqual([]);
    });

    test("rendered config names the components' ids and the published images, and is secret", async () => {
        const region = new TroveRegion("trove", regionArgs(f));
        const troveConf = await valueOf(region.config.troveConf);
        expect(troveConf).toContain("management_networks = trove-network-network-id");
        expect(troveConf).toContain("management_security_groups = trove-secgroup-group-id");
        expect(troveConf).toContain("nova_keypair = trove-mgmt");
        expect(troveConf).toContain("cinder_volume_type = trove");
        expect(troveConf).toContain("docker_insecure_registries = 10.0.0.5:4000");
        const guest = await valueOf(region.config.guestAgentConf);
        expect(guest).toContain("[postgresql]\ndocker_image = 10.0.0.5:4000/trove-datastores/postgresql\nbackup_docker_image = 10.0.0.5:4000/trove-datastores/db-backup-postgresql");
        expect(guest).toContain("container_registry_password = registry-pw");
        expect(await pulumi.isSecret(region.config.guestAgentConf)).toBe(true);
        expect(await pulumi.isSecret(region.config.troveConf)).toBe(true);
    });

    test("without a registry: no Docker resources and no image sections", async () => {
        const { registry: _r, datastoreImages: _d, ...rest } = regionArgs(f);
        const region = new TroveRegion("trove", rest);
        await settle();
        expect(mocks.resources.filter((r) => r.type.startsWith("docker:"))).toHaveLength(0);
        // Only what is not about images: the datastores' own settings.
        expect(await valueOf(region.config.guestAgentConf)).not.toMatch(/docker_image|container_registry/);
    });
});

describe("validateTroveRegionArgs", () => {
    const base = (): TroveRegionArgs => regionArgs(f);
    test.each<[string, (a: TroveRegionArgs) => TroveRegionArgs, string, RegExp]>([
        ["subnet too small", (a) => ({ ...a, managementNetwork: { ...a.managementNetwork, cidr: "10.0.0.0/29" } }), "managementNetwork.cidr", /10.0.0.0\/29 holds 5 addresses, 204 are needed for 200 instances/],
        ["region setting in its own name", (a) => ({ ...a, maxInstances: 0 }), "maxInstances", /not a positive whole number/],
        ["ports below 2 x instances", (a) => ({ ...a, quotas: { ports: 100 } }), "quotas.ports", /set ports to at least 400/],
        ["quota above the subnet's sizing", (a) => ({ ...a, quotas: { instances: 500, ports: 1000 } }), "quotas.instances", /more than maxInstances \(200\)/],
        ["world SSH", (a) => ({ ...a, securityGroups: { sshFromCidrs: ["0.0.0.0/0"] } }), "securityGroups.sshFromCidrs[0]", /whole world/],
        ["keypair file", (a) => ({ ...a, keypair: { publicKeyFile: "/nonexistent.pub" } }), "keypair.publicKeyFile", /does not exist/],
        ["registry address", (a) => ({ ...a, registry: { mode: "existing", address: "http://r" } }), "registry.address", /has a scheme/],
        ["images without registry", (a) => ({ ...a, registry: undefined }), "datastoreImages", /needs a registry/],
        ["backup context", (a) => ({ ...a, datastoreImages: { backupContext: "/nonexistent" } }), "datastoreImages.backupContext", /has no Dockerfile/],
        ["unknown datastore", (a) => ({ ...a, datastores: [{ datastore: "oracle", version: "19", sourceImage: "o" }] }), "datastores[0].datastore", /unknown datastore manager "oracle"/],
        ["duplicate version", (a) => ({ ...a, datastores: [...a.datastores, a.datastores[0]] }), "datastores[4].version", /already declared/],
        ["two defaults", (a) => ({ ...a, datastores: [...a.datastores, { ...a.datastores[0], version: "5.7.30", default: true }] }), "datastores[4].default", /2 default versions/],
        ["parameters dir", (a) => ({ ...a, trove: { ...a.trove, parametersDir: "/nonexistent" } }), "trove.parametersDir", /does not exist/],
        ["guest image", (a) => ({ ...a, guestImage: { source: { mode: "file", path: "/nonexistent.qcow2" } } }), "guestImage.source.path", /does not exist/],
        ["no Trove connection for the guest image's upload", (a) => ({ ...a, trove: { ...a.trove, connection: undefined as never } }), "trove.connection", /is required to upload a built image to Glance/],
        ["default datastore", (a) => ({ ...a, limits: { defaultDatastore: "redis" } }), "limits.defaultDatastore", /not one of the configured datastores/],
        ["no routing", (a) => ({ ...a, managementNetwork: {} as never }), "managementNetwork.routing.mode", /choose one of/],
    ])("%s", async (_label, change, path, message) => {
        const args = change(base());
        expect(validateTroveRegionArgs(args)).toContainEqual({ path, message: expect.stringMatching(message) });
        expect(() => new TroveRegion("bad", args)).toThrow(message);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });

    test("every problem is reported at once", () => {
        const problems = validateTroveRegionArgs({ ...base(), maxInstances: 0, quotas: { volumes: -7 }, securityGroups: { sshFromCidrs: ["0.0.0.0/0"] } });
        expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(["maxInstances", "quotas.volumes", "securityGroups.sshFromCidrs[0]"]));
    });

    test("the full example is valid", () => {
        expect(validateTroveRegionArgs(base())).toEqual([]);
    });

    test("regionQuotas", () => {
        expect(regionQuotas({})).toEqual({ instances: 200, ports: 400 });
        expect(regionQuotas({ maxInstances: 50, quotas: { volumes: 100 } })).toEqual({ instances: 50, ports: 100, volumes: 100 });
        expect(regionQuotas({ quotas: { instances: -1 } })).toEqual({ instances: -1, ports: -1 });
    });
});
