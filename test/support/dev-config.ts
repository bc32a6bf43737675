import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ConfigMap } from "@pulumi/pulumi/automation";

const repo = path.join(__dirname, "..", "..");

/**
 * The dev cloud's Trove release's trove/templates (validation-rules.json per datastore), linked into
 * the repository by scripts/devcloud/trove-venv.sh.
 */
export const TROVE_TEMPLATES = path.join(repo, ".trove-templates");

/** Pulumi.dev.yaml's settings as plain values (objects as objects). */
export function devSettings(): Record<string, unknown> {
    const file = yaml.load(fs.readFileSync(path.join(repo, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    return file.config;
}

/**
 * The dev stack's settings, renamed where the cloud wants unique names, so that several stacks of
 * the dev program (a test's, the main job's) can live in one dev cloud at once: the keypair and the
 * volume type are unique per user/cloud, datastore version names per datastore, the registry's
 * container and port per Docker engine. The Glance image and Neutron resources may share names, but
 * get the suffix too so a reader can tell them apart.
 */
export function devSettingsNamed(suffix: string): Record<string, unknown> {
    const settings = devSettings();
    const renamed: Record<string, unknown> = { ...settings };
    renamed["trove-region:keypair"] = { name: `trove-mgmt-${suffix}` };
    renamed["trove-region:volumeType"] = { name: `trove-${suffix}` };
    const image = settings["trove-region:guestImage"] as Record<string, unknown>;
    renamed["trove-region:guestImage"] = { ...image, name: `trove-guest-${suffix}` };
    const versions = settings["trove-region:datastores"] as { version: string }[];
    renamed["trove-region:datastores"] = versions.map((v) => ({ ...v, version: `${v.version}-${suffix}`, versionNumber: v.version }));
    // One registry per Docker engine and port: the other stacks use the dev stack's as an existing
    // one and publish no images.
    const registry = settings["trove-region:registry"] as { hostAddress?: string; port?: number; address?: string };
    renamed["trove-region:registry"] = { mode: "existing", address: registry.address ?? `${registry.hostAddress}:${registry.port ?? 4000}`, insecure: true };
    delete renamed["trove-region:datastoreImages"];
    return renamed;
}

/** Settings as the Automation API's ConfigMap: objects as JSON text, as `pulumi config set --path` stores them. */
export function asConfigMap(settings: Record<string, unknown>): ConfigMap {
    const config: ConfigMap = {};
    for (const [key, value] of Object.entries(settings)) {
        config[key] = { value: typeof value === "string" ? value : JSON.stringify(value) };
    }
    return config;
}
