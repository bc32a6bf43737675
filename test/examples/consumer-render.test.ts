// The consumer example's render functions: plain values of a region's outputs in, the kolla-ansible
// overrides and the Ansible group_vars out.
import * as yaml from "js-yaml";
import { OUTPUT_NAMES } from "../../components/region/outputs";
import {
    ansibleVarName, OUTPUT_USE, outputsFor, RegionValues,
    renderAnsibleVars, renderAnsibleVault, renderCloudInitFiles, renderKollaGuestAgentConf, renderKollaTroveConf,
} from "../../examples/consumer/render";

const STACK = "organization/trove-region/region-one";

/** A region's outputs as a StackReference would hand them over (values made up, shapes real). */
function region(overrides: Partial<RegionValues> = {}): Partial<RegionValues> {
    return {
        managementNetworkId: "net-1",
        managementSubnetId: "subnet-1",
        managementCidr: "10.40.0.0/22",
        managementGatewayIp: "10.40.0.1",
        managementRouterId: "router-1",
        controllerAddressRange: { start: "10.40.3.252", end: "10.40.3.254" },
        managementSecurityGroupId: "sg-1",
        novaKeypairName: "trove-mgmt",
        novaKeypairPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
        cinderVolumeType: "trove-ssd",
        registryAddress: "10.10.40.5:4000",
        guestImageId: "image-1",
        guestImageChecksum: "0123abcd",
        datastoreVersionIds: { "mysql-8.0.36": "dsv-1", "postgresql-12": "dsv-2" },
        defaultDatastoreVersions: { mysql: "8.0.36", postgresql: "12" },
        datastoreImages: { mysql: "10.10.40.5:4000/trove-datastores/mysql" },
        backupImages: { mysql: "10.10.40.5:4000/trove-datastores/db-backup-mysql" },
        troveConf: "[DEFAULT]\nmanagement_networks = net-1\ntaskmanager_rpc_encr_key = tm-key\n",
        guestAgentConf: "[guest_agent]\ncontainer_registry = 10.10.40.5:4000\n",
        taskmanagerRpcEncrKey: "tm-key",
        instRpcKeyEncrKey: "inst-key",
        ...overrides,
    };
}

describe("where each region output goes", () => {
    test("every output of the pinned contract has exactly one place, and nothing else does", () => {
        expect(Object.keys(OUTPUT_USE).sort()).toEqual([...OUTPUT_NAMES].sort());
    });

    test("the secrets go to the vault, the ini fragments to files, the rest to plain variables", () => {
        expect(outputsFor("vault").sort()).toEqual(["instRpcKeyEncrKey", "novaKeypairPrivateKey", "taskmanagerRpcEncrKey"]);
        expect(outputsFor("file").sort()).toEqual(["cloudInitFiles", "guestAgentConf", "troveConf"]);
        expect(outputsFor("var")).toHaveLength(OUTPUT_NAMES.length - 6);
    });

    test("Ansible variable names are trove_ and the snake-cased output name", () => {
        expect(ansibleVarName("managementNetworkId")).toBe("trove_management_network_id");
        expect(ansibleVarName("taskmanagerRpcEncrKey")).toBe("trove_taskmanager_rpc_encr_key");
        expect(ansibleVarName("instRpcKeyEncrKey")).toBe("trove_inst_rpc_key_encr_key");
        expect(ansibleVarName("managementGatewayIp")).toBe("trove_management_gateway_ip");
    });
});

describe("kolla-ansible overrides", () => {
    test("trove.conf is the region's fragment under a header naming the kolla path and the stack", () => {
        const text = renderKollaTroveConf(region().troveConf!, STACK);
        const lines = text.split("\n");
        expect(lines[0]).toContain("/etc/kolla/config/trove.conf");
        expect(lines[1]).toContain(STACK);
        // Headers are comments; the fragment follows unchanged and ends with a newline.
        expect(lines.slice(0, 3).every((l) => l.startsWith("# "))).toBe(true);
        expect(text.endsWith("[DEFAULT]\nmanagement_networks = net-1\ntaskmanager_rpc_encr_key = tm-key\n")).toBe(true);
    });

    test("trove-guestagent.conf goes to kolla's trove/ directory", () => {
        const text = renderKollaGuestAgentConf(region().guestAgentConf!, STACK);
        expect(text.split("\n")[0]).toContain("/etc/kolla/config/trove/trove-guestagent.conf");
        expect(text).toContain("[guest_agent]\ncontainer_registry = 10.10.40.5:4000\n");
    });

    test("a fragment without a trailing newline gets one; surrounding blank lines are dropped", () => {
        expect(renderKollaGuestAgentConf("\n[guest_agent]\ncontainer_registry = r:4000", STACK).endsWith("container_registry = r:4000\n")).toBe(true);
    });

    test("an output that is not an ini fragment (another project's stack) is refused with its name", () => {
        expect(() => renderKollaTroveConf("management_networks = net-1\n", STACK))
            .toThrow(`troveConf of ${STACK} is not an ini fragment (its first line is "management_networks = net-1")`);
        expect(() => renderKollaGuestAgentConf("", STACK)).toThrow(/guestAgentConf of .* is not an ini fragment/);
    });
});

describe("Ansible group_vars", () => {
    test("vars.yml holds every plain output, nested maps kept, versions as strings", () => {
        const text = renderAnsibleVars(region(), STACK);
        expect(text.split("\n")[0]).toBe("# group_vars/trove/vars.yml: the Trove region's ids and addresses.");
        const vars = yaml.load(text) as Record<string, unknown>;
        expect(vars).toEqual({
            trove_region_stack: STACK,
            trove_management_network_id: "net-1",
            trove_management_subnet_id: "subnet-1",
            trove_management_cidr: "10.40.0.0/22",
            trove_management_gateway_ip: "10.40.0.1",
            trove_management_router_id: "router-1",
            trove_controller_address_range: { start: "10.40.3.252", end: "10.40.3.254" },
            trove_management_security_group_id: "sg-1",
            trove_nova_keypair_name: "trove-mgmt",
            trove_cinder_volume_type: "trove-ssd",
            trove_registry_address: "10.10.40.5:4000",
            trove_guest_image_id: "image-1",
            trove_guest_image_checksum: "0123abcd",
            trove_datastore_version_ids: { "mysql-8.0.36": "dsv-1", "postgresql-12": "dsv-2" },
            // "12" must stay a string: YAML would read a bare 12 as a number.
            trove_default_datastore_versions: { mysql: "8.0.36", postgresql: "12" },
            trove_datastore_images: { mysql: "10.10.40.5:4000/trove-datastores/mysql" },
            trove_backup_images: { mysql: "10.10.40.5:4000/trove-datastores/db-backup-mysql" },
        });
    });

    test("vars.yml never carries a secret, whatever the values", () => {
        const text = renderAnsibleVars(region(), STACK);
        expect(text).not.toContain("tm-key");
        expect(text).not.toContain("inst-key");
        expect(text).not.toContain("PRIVATE KEY");
    });

    test("absent optional outputs (no router, no registry, no published images) are left out, not null", () => {
        const vars = yaml.load(renderAnsibleVars(region({
            managementRouterId: undefined, registryAddress: undefined, datastoreImages: undefined, backupImages: undefined,
        }), STACK)) as Record<string, unknown>;
        for (const key of ["trove_management_router_id", "trove_registry_address", "trove_datastore_images", "trove_backup_images"]) {
            expect(key in vars).toBe(false);
        }
        expect(vars.trove_management_network_id).toBe("net-1");
    });

    test("a missing required output is an error naming it and the stack", () => {
        expect(() => renderAnsibleVars(region({ managementNetworkId: undefined }), STACK))
            .toThrow(`${STACK} has no output managementNetworkId, which every trove-region stack exports`);
    });

    test("vault.yml holds the RPC keys and the generated private key as a block", () => {
        const text = renderAnsibleVault(region(), STACK);
        expect(text).toContain("ansible-vault encrypt");
        expect(text).toContain("trove_nova_keypair_private_key: |");
        expect(yaml.load(text)).toEqual({
            trove_region_stack: STACK,
            trove_nova_keypair_private_key: region().novaKeypairPrivateKey,
            trove_taskmanager_rpc_encr_key: "tm-key",
            trove_inst_rpc_key_encr_key: "inst-key",
        });
    });

    test("vault.yml without a generated key (an imported public key) has just the RPC keys", () => {
        const vault = yaml.load(renderAnsibleVault(region({ novaKeypairPrivateKey: undefined }), STACK)) as Record<string, unknown>;
        expect(Object.keys(vault).sort()).toEqual(["trove_inst_rpc_key_encr_key", "trove_region_stack", "trove_taskmanager_rpc_encr_key"]);
    });
});

describe("the per-datastore cloud-init files", () => {
    const files = { "mariadb.cloudinit": "#cloud-config\nruncmd:\n  - echo hello\n" };

    test("each goes to the cloudinit_location trove.conf names, header first, with its provenance", () => {
        const out = renderCloudInitFiles(files, "[DEFAULT]\ncloudinit_location = /srv/trove/cloudinit\n", "org/trove-region/dev");
        expect(Object.keys(out)).toEqual(["/srv/trove/cloudinit/mariadb.cloudinit"]);
        const text = out["/srv/trove/cloudinit/mariadb.cloudinit"];
        expect(text.split("\n")[0]).toBe("#cloud-config");
        expect(text).toContain("org/trove-region/dev");
        expect(yaml.load(text)).toEqual({ runcmd: ["echo hello"] });
    });

    test("none without cloudInit; Trove's default location when trove.conf names none; a file that is not cloud-config is refused", () => {
        expect(renderCloudInitFiles(undefined, "[DEFAULT]\n", "s")).toEqual({});
        expect(Object.keys(renderCloudInitFiles(files, "[DEFAULT]\n", "s"))).toEqual(["/etc/trove/cloudinit/mariadb.cloudinit"]);
        expect(() => renderCloudInitFiles({ "mariadb.cloudinit": "#!/bin/sh\necho\n" }, "", "s")).toThrow(/does not start with #cloud-config/);
    });
});
