import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { TroveRegionArgs } from "./region-args";
import { TroveConnection } from "../model/connection";
import { Problem, throwIfProblems } from "../common/validation";
import { validateTroveRegionArgs } from "./region-plan";
import { own, schemaProblems } from "../common/schema-problems";
import { CONFIG_NAMESPACE, DEFAULT_SERVICE_PROJECT_NAME, DEFAULT_TROVE_USER_NAME, isTextKey, StackConfig, stackConfigSchema } from "./config-schema";
import { secretKeyPaths } from "./config-keys";

/** The stack's settings under `trove-region:` as the engine hands them over, before any reading. */
export interface RawStackConfig {
    /** Keyed without the namespace. Scalars are text; maps and lists are JSON. */
    readonly values: Readonly<Record<string, string>>;
    /** The keys set with `--secret` (a map holding one secret leaf is a secret key as a whole). */
    readonly secretKeys: ReadonlySet<string>;
}

/** Settings outside TroveRegionArgs: how to find the service project and user. */
export interface StackSettings {
    /** @default DEFAULT_SERVICE_PROJECT_NAME ("service") */
    readonly serviceProjectName: string;
    /** Wins over serviceProjectName when set. */
    readonly serviceProjectId?: string;
    /** @default DEFAULT_TROVE_USER_NAME ("trove") */
    readonly troveUserName: string;
    readonly troveUserId?: string;
}

/**
 * The running program's settings under the namespace. Every key is taken, not only the known ones,
 * so a misspelt key is refused instead of ignored. `isConfigSecret` is the SDK's own (internal) test
 * of the engine's secret key list.
 */
export function rawStackConfig(namespace = CONFIG_NAMESPACE): RawStackConfig {
    const isSecret = (runtimeConfig as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret ?? (() => false);
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    for (const [fullKey, value] of Object.entries(runtimeConfig.allConfig())) {
        if (!fullKey.startsWith(`${namespace}:`)) continue;
        const key = fullKey.slice(namespace.length + 1);
        values[key] = value;
        if (isSecret(fullKey)) secretKeys.add(key);
    }
    return { values, secretKeys };
}

/** The values as data: JSON for maps, lists and numbers, the text itself where the key holds text. */
function decode(values: Readonly<Record<string, string>>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(values)) {
        if (isTextKey(key)) {
            out[key] = text;
            continue;
        }
        try {
            out[key] = JSON.parse(text);
        } catch {
            // Not JSON: a bare word where a map, list or number goes. The schema names it.
            out[key] = text;
        }
    }
    return out;
}

function present(data: unknown, path: string): boolean {
    let values: unknown[] = [data];
    for (const part of path.split(".")) {
        const list = part.endsWith("[]");
        const key = list ? part.slice(0, -2) : part;
        values = values.flatMap((v) => {
            const next = v && typeof v === "object" && !Array.isArray(v) ? own(v as Record<string, unknown>, key) : undefined;
            return next === undefined ? [] : list ? (Array.isArray(next) ? next : []) : [next];
        });
    }
    return values.length > 0;
}

/** Secrets written in plain text: each with the command that stores it encrypted. */
function plainTextSecrets(data: Record<string, unknown>, secretKeys: ReadonlySet<string>): Problem[] {
    return secretKeyPaths().filter((path) => present(data, path) && !secretKeys.has(path.split(/[.[]/)[0])).map((path) => {
        const nested = path.includes(".");
        const key = `${CONFIG_NAMESPACE}:${path}`;
        return {
            path,
            message: `is a secret but is stored in plain text; remove it from the stack file and set it with ` +
                (nested ? `\`pulumi config set --path --secret ${key} "$(cat <file>)"\`` : `\`pulumi config set --secret ${key}\` (it prompts for the value)`),
        };
    });
}

/**
 * Reads the stack's settings: every key checked against the schema (types, allowed values, names,
 * unknown keys) and secrets refused in plain text. Returns problems instead of throwing, all of
 * them, so an operator fixes them in one pass; `config` is set only when there are none.
 */
export function parseStackConfig(raw: RawStackConfig): { config?: StackConfig; problems: Problem[] } {
    const data = decode(raw.values);
    const parsed = stackConfigSchema.safeParse(data, { reportInput: true });
    const problems = [
        ...(parsed.success ? pairedSettings(parsed.data) : schemaProblems(stackConfigSchema, parsed.error.issues, data)),
        ...plainTextSecrets(data, raw.secretKeys),
    ];
    return problems.length === 0 && parsed.success ? { config: parsed.data, problems } : { problems };
}

/** The region's arguments from a read configuration; secrets stay secrets. */
export function regionArgsFrom(config: StackConfig, connection: pulumi.Input<TroveConnection>): { args: TroveRegionArgs; stack: StackSettings } {
    const secret = (value: string | undefined) => (value === undefined ? undefined : pulumi.secret(value));
    const { registry, trove } = config;
    const ssh = trove?.troveManage?.ssh;
    const args: TroveRegionArgs = {
        serviceProjectId: "", // resolved by the program from StackSettings
        maxInstances: config.maxInstances,
        controllers: config.controllers,
        managementNetwork: config.managementNetwork,
        securityGroups: config.securityGroups,
        keypair: config.keypair,
        quotas: config.quotas,
        volumeType: config.volumeType,
        registry: registry && {
            ...registry,
            credentials: registry.credentials && { username: registry.credentials.username, password: secret(config.registryPassword) ?? "" },
            ...(registry.mode === "create" && registry.tls ? { tls: { ...registry.tls, privateKeyPem: pulumi.secret(registry.tls.privateKeyPem) } } : {}),
        },
        datastores: config.datastores,
        datastoreImages: config.datastoreImages,
        guestImage: config.guestImage,
        trove: {
            ...trove,
            troveManage: trove?.troveManage && { ...trove.troveManage, ssh: ssh && { ...ssh, privateKey: pulumi.secret(ssh.privateKey) } },
            connection,
        },
        limits: config.limits,
        tenantQuotas: config.tenantQuotas,
        cloudInit: config.cloudInit,
        cloudInitLocation: config.cloudInitLocation,
        rpcKeys: { taskmanagerRpcEncrKey: secret(config.taskmanagerRpcEncrKey), instRpcKeyEncrKey: secret(config.instRpcKeyEncrKey) },
    };
    const stack: StackSettings = {
        serviceProjectName: config.serviceProjectName ?? DEFAULT_SERVICE_PROJECT_NAME,
        serviceProjectId: config.serviceProjectId,
        troveUserName: config.troveUserName ?? DEFAULT_TROVE_USER_NAME,
        troveUserId: config.troveUserId,
    };
    return { args, stack };
}

/** Settings that only make sense together. (The reverse, credentials without a password, is the registry's own check.) */
function pairedSettings(config: StackConfig): Problem[] {
    const problems: Problem[] = [];
    if (config.registryPassword !== undefined && !config.registry?.credentials) {
        problems.push({ path: "registryPassword", message: "is set but registry.credentials.username is not; set both or neither" });
    }
    return problems;
}


/**
 * The whole reading of the stack's settings: the schema, then the region's own rules on what it
 * accepted. Problems carry their config keys (`trove-region:managementNetwork.cidr`).
 */
export function readRegionConfig(raw: RawStackConfig, connection: pulumi.Input<TroveConnection>):
    { args?: TroveRegionArgs; stack?: StackSettings; problems: Problem[] } {
    const key = (p: Problem): Problem => ({ ...p, path: `${CONFIG_NAMESPACE}:${p.path}` });
    const { config, problems } = parseStackConfig(raw);
    if (!config) return { problems: problems.map(key) };
    const { args, stack } = regionArgsFrom(config, connection);
    const regionProblems = validateTroveRegionArgs(args);
    return regionProblems.length > 0 ? { problems: regionProblems.map(key) } : { args, stack, problems: [] };
}

/**
 * readRegionConfig for the stack program: throws every problem at once, the OpenStack settings
 * that are `missing` included, before anything is registered.
 */
export function loadRegionConfig(raw: RawStackConfig, connection: pulumi.Input<TroveConnection>, missing: readonly string[] = []):
    { args: TroveRegionArgs; stack: StackSettings } {
    const { args, stack, problems } = readRegionConfig(raw, connection);
    const all = [...missing.map((setting) => ({ path: "", message: `${setting} is not set; the Trove API is reached with the OpenStack provider's settings` })), ...problems];
    throwIfProblems("the stack's configuration", all);
    if (!args || !stack) throw new Error("unreachable: a configuration without problems has arguments");
    return { args, stack };
}
