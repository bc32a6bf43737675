import * as pulumi from "@pulumi/pulumi";
import { installMocks, ofType, settle, valueOf } from "../mocks";
import { managerSettings, TroveConfig, validateTroveConfigArgs } from "../../components/config/trove-config";

const mocks = installMocks();
beforeEach(() => mocks.reset());

const base = {
    managementNetworkId: pulumi.output("net-1"),
    managementSecurityGroupIds: [pulumi.output("sg-1")],
    novaKeypair: pulumi.output("trove-mgmt"),
    cinderVolumeType: "trove",
};

describe("TroveConfig", () => {
    test("trove.conf [DEFAULT]: ids from the components, limits, secure RPC with two generated keys; the whole fragment is secret", async () => {
        const config = new TroveConfig("cfg", { ...base, registry: { address: "10.0.0.5:4000", insecure: true } });
        await settle();
        expect(ofType(mocks.resources, "pulumi-nodejs:dynamic/trove-region:RandomKey").map((r) => r.name).sort())
            .toEqual(["cfg-instance-key-encryption-key", "cfg-taskmanager-rpc-key"]);
        expect(await pulumi.isSecret(config.troveConf)).toBe(true);
        expect(await pulumi.isSecret(config.taskmanagerRpcEncrKey)).toBe(true);
        expect(await valueOf(config.troveConf)).toBe([
            "[DEFAULT]",
            "management_networks = net-1",
            "management_security_groups = sg-1",
            "nova_keypair = trove-mgmt",
            "cinder_volume_type = trove",
            "docker_insecure_registries = 10.0.0.5:4000",
            "max_instances_per_tenant = 10",
            "max_backups_per_tenant = 50",
            "enable_secure_rpc_messaging = True",
            "taskmanager_rpc_encr_key = generated-key-cfg-taskmanager-rpc-key",
            "inst_rpc_key_encr_key = generated-key-cfg-instance-key-encryption-key",
            "",
        ].join("\n"));
    });

    test("guest agent: the registry with its credentials, and untagged images per manager; secret because of the password", async () => {
        const config = new TroveConfig("cfg", {
            ...base,
            registry: { address: "10.0.0.5:4000", insecure: false, username: "guest", password: pulumi.secret("pw") },
            images: {
                mysql: { dockerImage: "10.0.0.5:4000/trove-datastores/mysql", backupDockerImage: "10.0.0.5:4000/trove-datastores/db-backup-mysql" },
                mariadb: { dockerImage: "10.0.0.5:4000/trove-datastores/mariadb" },
            },
        });
        expect(await pulumi.isSecret(config.guestAgentConf)).toBe(true);
        expect(await valueOf(config.guestAgentConf)).toBe([
            "[guest_agent]",
            "container_registry = 10.0.0.5:4000",
            "container_registry_username = guest",
            "container_registry_password = pw",
            "",
            "[mariadb]",
            "docker_image = 10.0.0.5:4000/trove-datastores/mariadb",
            "ignore_users = os_admin,root,healthcheck",
            "",
            "[mysql]",
            "docker_image = 10.0.0.5:4000/trove-datastores/mysql",
            "backup_docker_image = 10.0.0.5:4000/trove-datastores/db-backup-mysql",
            "",
        ].join("\n"));
        expect(await valueOf(config.troveConf)).not.toContain("docker_insecure_registries");
    });

    test("MariaDB's healthcheck users are hidden from tenants, in the controllers' and the guests' files; other managers keep Trove's defaults", async () => {
        const config = new TroveConfig("cfg", { ...base, managers: ["mysql", "mariadb", "postgresql"] });
        const troveConf = await valueOf(config.troveConf);
        expect(troveConf).toMatch(/\n\[mariadb\]\nignore_users = os_admin,root,healthcheck\n$/);
        expect(troveConf).not.toContain("[mysql]");
        expect(await valueOf(config.guestAgentConf)).toBe("[mariadb]\nignore_users = os_admin,root,healthcheck\n");
        expect(managerSettings("postgresql")).toEqual([]);
    });

    test("per-datastore cloud-init: trove.conf names the location, the files are outputs; without it neither", async () => {
        const withCloudInit = new TroveConfig("ci", { ...base, managers: ["mariadb"], cloudInit: { mariadb: { runcmd: ["echo hi"] } }, cloudInitLocation: "/srv/cloudinit" });
        expect(withCloudInit.cloudInitFiles).toEqual({ "mariadb.cloudinit": "#cloud-config\nruncmd:\n  - echo hi\n" });
        expect(await valueOf(withCloudInit.troveConf)).toContain("cloudinit_location = /srv/cloudinit\n");
        const without = new TroveConfig("plain", base);
        expect(without.cloudInitFiles).toEqual({});
        expect(await valueOf(without.troveConf)).not.toContain("cloudinit_location");
        expect(() => new TroveConfig("bad", { ...base, managers: ["mysql"], cloudInit: { mariadb: { runcmd: ["x"] } } })).toThrow(/cloudInit\.mariadb: is not the manager/);
    });

    test("keys brought by the operator are used and none is generated", async () => {
        const config = new TroveConfig("cfg", { ...base, taskmanagerRpcEncrKey: pulumi.secret("tm-key"), instRpcKeyEncrKey: pulumi.secret("inst-key") });
        await settle();
        expect(ofType(mocks.resources, "pulumi-nodejs:dynamic/trove-region:RandomKey")).toHaveLength(0);
        expect(await valueOf(config.troveConf)).toContain("taskmanager_rpc_encr_key = tm-key");
    });

    test("without a registry or password the guest agent fragment is plain and empty", async () => {
        const config = new TroveConfig("cfg", base);
        expect(await valueOf(config.guestAgentConf)).toBe("");
        expect(await pulumi.isSecret(config.guestAgentConf)).toBe(false);
    });
});

describe("validateTroveConfigArgs", () => {
    test.each([
        ["tagged image", { images: { mysql: { dockerImage: "r:4000/trove-datastores/mysql:5.7" } } }, "images.mysql.dockerImage", /carries a tag; give the image without one/],
        ["limit", { maxInstancesPerTenant: 0 }, "maxInstancesPerTenant", /not a positive whole number/],
    ])("%s", async (_label, args, path, message) => {
        expect(validateTroveConfigArgs(args)).toContainEqual({ path, message: expect.stringMatching(message) });
        expect(() => new TroveConfig("bad", { ...base, ...args })).toThrow(message);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });

    test("a registry port is not mistaken for a tag", () => {
        expect(validateTroveConfigArgs({ images: { mysql: { dockerImage: "10.0.0.5:4000/trove-datastores/mysql" } } })).toEqual([]);
    });
});
