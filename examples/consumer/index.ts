// An example consumer of a trove-region stack: reads the region's outputs through a StackReference and
// renders what the team deploying the Trove controllers with kolla-ansible needs, as stack outputs:
//   kollaTroveConf        /etc/kolla/config/trove.conf                   (secret: RPC keys)
//   kollaGuestAgentConf   /etc/kolla/config/trove/trove-guestagent.conf  (secret when it has the registry password)
//   ansibleVars           group_vars/trove/vars.yml                      (ids and addresses)
//   ansibleVault          group_vars/trove/vault.yml                     (secret: RPC keys, generated private key)
//   cloudInitFiles        <cloudinit_location>/<manager>.cloudinit       (per-datastore user data, by path)
// Write them with `pulumi stack output <name> --show-secrets > <file>` (see README.md).
import * as pulumi from "@pulumi/pulumi";
import {
    OUTPUT_USE, OutputName, outputsFor, RegionValues,
    renderAnsibleVars, renderAnsibleVault, renderCloudInitFiles, renderKollaGuestAgentConf, renderKollaTroveConf,
} from "./render";

const regionStack = new pulumi.Config().require("regionStack");
const region = new pulumi.StackReference("region", { name: regionStack });

/**
 * One output of the region: required ones fail the update with the output's name when missing.
 * A StackReference keeps each output's secretness, and everything derived from a secret stays secret.
 */
function regionOutput(name: OutputName): pulumi.Output<unknown> {
    return OUTPUT_USE[name].required ? region.requireOutput(name) : region.getOutput(name);
}

/**
 * The outputs used one way, as one Output of plain values. Plain and secret outputs are gathered
 * separately, so the plain variables do not become secret merely by sitting next to a key.
 */
function regionValues(use: "var" | "vault"): pulumi.Output<Partial<RegionValues>> {
    const entries = outputsFor(use).map((name) => regionOutput(name).apply((value) => [name, value] as const));
    return pulumi.all(entries).apply((pairs) => Object.fromEntries(pairs) as Partial<RegionValues>);
}

export const regionStackName = regionStack;
// Secret here too: it carries the RPC keys whatever the region marks.
export const kollaTroveConf = pulumi.secret(region.requireOutput("troveConf")
    .apply((text) => renderKollaTroveConf(text as string, regionStack)));
export const kollaGuestAgentConf = region.requireOutput("guestAgentConf")
    .apply((text) => renderKollaGuestAgentConf(text as string, regionStack));
export const ansibleVars = regionValues("var").apply((values) => renderAnsibleVars(values, regionStack));
// Per controller path (<cloudinit_location>/<manager>.cloudinit), the per-datastore user data; {} without any.
export const cloudInitFiles = pulumi.all([regionOutput("cloudInitFiles"), region.requireOutput("troveConf")])
    .apply(([files, troveConf]) => renderCloudInitFiles(files as Record<string, string> | undefined, troveConf as string, regionStack));
// Marked secret here too, not only by inheritance: the file is secret whatever the region marks.
export const ansibleVault = pulumi.secret(regionValues("vault").apply((values) => renderAnsibleVault(values, regionStack)));
