// Pure render functions of the consumer example: plain values of the region's outputs in, file
// contents out. Kept free of Pulumi calls so the unit suite tests them without an engine; index.ts
// wires them to the StackReference.
import * as yaml from "js-yaml";
// Type-only: the outputs contract of the region stack. Nothing of the package is loaded at run time,
// so a consumer in another repository copies this file and the type (or writes the type out).
import type { Output } from "@pulumi/pulumi";
import type { RegionOutputs } from "../../components/region/outputs";

/** An output's value as a StackReference hands it over (ids resolved, maps of ids resolved). */
type Resolved<T> = T extends Output<infer U> ? U
    : T extends Readonly<Record<string, Output<infer V>>> ? Record<string, V>
    : T;

/** The region's outputs as plain values; absent optional outputs are undefined. */
export type RegionValues = { readonly [K in keyof RegionOutputs]: Resolved<RegionOutputs[K]> };

export type OutputName = keyof RegionOutputs;

/**
 * Where each region output goes in the consumer:
 * - `var`: a plain Ansible variable (group_vars/trove/vars.yml);
 * - `vault`: a secret Ansible variable (group_vars/trove/vault.yml, to be encrypted with ansible-vault);
 * - `file`: an ini fragment that becomes a kolla-ansible override file.
 * `required` outputs are always exported by the region; the others depend on its settings (a router,
 * a generated key, a registry, published images). Typed as a Record over the contract, so a new
 * region output does not compile until it is given a place here.
 */
export const OUTPUT_USE: { readonly [K in OutputName]: { readonly use: "var" | "vault" | "file"; readonly required: boolean } } = {
    managementNetworkId: { use: "var", required: true },
    managementSubnetId: { use: "var", required: true },
    managementCidr: { use: "var", required: true },
    managementGatewayIp: { use: "var", required: true },
    managementRouterId: { use: "var", required: false },
    controllerAddressRange: { use: "var", required: false },
    managementSecurityGroupId: { use: "var", required: true },
    novaKeypairName: { use: "var", required: true },
    novaKeypairPrivateKey: { use: "vault", required: false },
    cinderVolumeType: { use: "var", required: true },
    registryAddress: { use: "var", required: false },
    guestImageId: { use: "var", required: true },
    guestImageChecksum: { use: "var", required: true },
    datastoreVersionIds: { use: "var", required: true },
    defaultDatastoreVersions: { use: "var", required: true },
    datastoreImages: { use: "var", required: false },
    backupImages: { use: "var", required: false },
    imageDigests: { use: "var", required: false },
    cloudInitFiles: { use: "file", required: false },
    troveConf: { use: "file", required: true },
    guestAgentConf: { use: "file", required: true },
    taskmanagerRpcEncrKey: { use: "vault", required: true },
    instRpcKeyEncrKey: { use: "vault", required: true },
};

/** The outputs used one way, in the contract's order. */
export function outputsFor(use: "var" | "vault" | "file"): OutputName[] {
    return (Object.keys(OUTPUT_USE) as OutputName[]).filter((name) => OUTPUT_USE[name].use === use);
}

/**
 * The Ansible variable for an output: `trove_` and the name in snake case, so the RPC keys come out
 * as trove_taskmanager_rpc_encr_key and trove_inst_rpc_key_encr_key, the names Trove's own options
 * (and the openstack-ansible os_trove role) use.
 */
export function ansibleVarName(output: string): string {
    return `trove_${output.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase()}`;
}

/** Where kolla-ansible picks the overrides up (merge_configs over its own templates). */
export const KOLLA_TROVE_CONF = "/etc/kolla/config/trove.conf";
export const KOLLA_GUEST_AGENT_CONF = "/etc/kolla/config/trove/trove-guestagent.conf";

function provenance(regionStack: string): string {
    return `# Rendered from the Pulumi stack ${regionStack} by examples/consumer: change that stack, not this file.`;
}

/**
 * Checks that a region output is an ini fragment (a section header first) and ends it with a newline;
 * anything else means the consumer reads the wrong stack or an incompatible version of it.
 */
function iniFragment(text: string, output: OutputName, regionStack: string): string {
    const body = text.trim();
    if (!/^\[[A-Za-z0-9_-]+\]$/.test(body.split("\n")[0] ?? "")) {
        throw new Error(`${output} of ${regionStack} is not an ini fragment (its first line is ${JSON.stringify(body.split("\n")[0] ?? "")}); is that a trove-region stack?`);
    }
    return `${body}\n`;
}

/**
 * /etc/kolla/config/trove.conf: kolla-ansible merges it over the trove.conf of trove-api,
 * trove-conductor and trove-taskmanager. The region's fragment is the content; it is authoritative
 * (the RPC keys, limits and registry flags it carries are not all separate outputs), so it is taken
 * whole rather than rebuilt from the ids.
 */
export function renderKollaTroveConf(troveConf: string, regionStack: string): string {
    return [
        `# ${KOLLA_TROVE_CONF}: kolla-ansible merges it into trove.conf of trove-api, trove-conductor and trove-taskmanager.`,
        provenance(regionStack),
        "# Carries the RPC encryption keys: keep it out of version control, or encrypt it.",
        iniFragment(troveConf, "troveConf", regionStack),
    ].join("\n");
}

/**
 * /etc/kolla/config/trove/trove-guestagent.conf: kolla-ansible merges it into the
 * trove-guestagent.conf that trove-taskmanager injects into every guest.
 */
export function renderKollaGuestAgentConf(guestAgentConf: string, regionStack: string): string {
    return [
        `# ${KOLLA_GUEST_AGENT_CONF}: kolla-ansible merges it into the trove-guestagent.conf trove-taskmanager injects into guests.`,
        provenance(regionStack),
        iniFragment(guestAgentConf, "guestAgentConf", regionStack),
    ].join("\n");
}

/**
 * The per-manager cloud-init files, by where they go on the controllers (`<cloudinit_location>/<manager>.cloudinit`,
 * the location trove.conf names), each with the provenance line after its `#cloud-config` header
 * (Trove parses the file as YAML, so the comment is harmless, and the header must stay first).
 */
export function renderCloudInitFiles(files: Readonly<Record<string, string>> | undefined, troveConf: string, regionStack: string): Record<string, string> {
    const location = /^cloudinit_location = (.+)$/m.exec(troveConf)?.[1]?.trim() ?? "/etc/trove/cloudinit";
    const out: Record<string, string> = {};
    for (const [file, text] of Object.entries(files ?? {})) {
        if (!text.startsWith("#cloud-config\n")) throw new Error(`cloudInitFiles.${file} of ${regionStack} does not start with #cloud-config; is that a trove-region stack?`);
        out[`${location}/${file}`] = text.replace("#cloud-config\n", `#cloud-config\n${provenance(regionStack)}\n`);
    }
    return out;
}

function renderVars(values: Partial<RegionValues>, names: OutputName[], regionStack: string, header: string): string {
    const vars: Record<string, unknown> = { trove_region_stack: regionStack };
    for (const name of names) {
        const value = values[name];
        if (value === undefined || value === null) {
            // Absent optional outputs are left out, so playbooks can test `is defined`.
            if (OUTPUT_USE[name].required) throw new Error(`${regionStack} has no output ${name}, which every trove-region stack exports`);
            continue;
        }
        vars[ansibleVarName(name)] = value;
    }
    // No line folding and no anchors: the file is read by people and by Ansible.
    return `${header}\n${provenance(regionStack)}\n${yaml.dump(vars, { lineWidth: -1, noRefs: true })}`;
}

/** group_vars/trove/vars.yml: every plain output as an Ansible variable. */
export function renderAnsibleVars(values: Partial<RegionValues>, regionStack: string): string {
    return renderVars(values, outputsFor("var"), regionStack, "# group_vars/trove/vars.yml: the Trove region's ids and addresses.");
}

/** group_vars/trove/vault.yml: the secret outputs; encrypt it with `ansible-vault encrypt`. */
export function renderAnsibleVault(values: Partial<RegionValues>, regionStack: string): string {
    return renderVars(values, outputsFor("vault"), regionStack,
        "# group_vars/trove/vault.yml: the Trove region's secrets. Encrypt it: ansible-vault encrypt vault.yml");
}
