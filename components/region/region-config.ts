import * as pulumi from "@pulumi/pulumi";
import { TroveRegionArgs } from "./trove-region";
import { TroveConnection } from "../datastores/trove-api";
import { Problem, show } from "../common/validation";

/** The config namespace: `trove-region:<key>` in Pulumi.<stack>.yaml. */
export const CONFIG_NAMESPACE = "trove-region";

/** The subset of pulumi.Config the reader uses, so tests can hand it plain objects. */
export interface ConfigSource {
    get(key: string): string | undefined;
    getObject<T>(key: string): T | undefined;
    getSecret(key: string): pulumi.Output<string> | undefined;
}

/** Settings outside TroveRegionArgs: how to find the service project and user. */
export interface StackSettings {
    /** @default "service" */
    readonly serviceProjectName: string;
    /** Wins over serviceProjectName when set. */
    readonly serviceProjectId?: string;
    /** @default "trove" */
    readonly troveUserName: string;
    readonly troveUserId?: string;
}

function integer(source: ConfigSource, key: string, problems: Problem[]): number | undefined {
    const raw = source.get(key);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n)) {
        problems.push({ path: key, message: `${show(raw)} is not a whole number` });
        return undefined;
    }
    return n;
}

function object<T>(source: ConfigSource, key: string, problems: Problem[]): T | undefined {
    try {
        return source.getObject<T>(key);
    } catch (e) {
        problems.push({ path: key, message: `is not valid YAML/JSON: ${(e as Error).message}` });
        return undefined;
    }
}

/**
 * Reads the stack's config into TroveRegionArgs. Type problems are returned, not thrown, so they are
 * reported together with the region's own validation. `connection` is the Trove API connection,
 * built by the caller from the OpenStack provider's settings.
 */
export function readRegionConfig(source: ConfigSource, connection: pulumi.Input<TroveConnection>): {
    args: TroveRegionArgs;
    stack: StackSettings;
    problems: Problem[];
} {
    const problems: Problem[] = [];
    const trove = object<Omit<TroveRegionArgs["trove"], "connection">>(source, "trove", problems) ?? {};
    const registry = object<TroveRegionArgs["registry"]>(source, "registry", problems);
    const registryPassword = source.getSecret("registryPassword");
    if (registryPassword && registry && !(registry as { credentials?: unknown }).credentials) {
        problems.push({ path: "registryPassword", message: "is set but registry.credentials.username is not; set both or neither" });
    }
    const args: TroveRegionArgs = {
        serviceProjectId: "", // resolved by the program from StackSettings
        maxInstances: integer(source, "maxInstances", problems),
        controllers: integer(source, "controllers", problems),
        managementNetwork: object(source, "managementNetwork", problems)!,
        securityGroups: object(source, "securityGroups", problems),
        keypair: object(source, "keypair", problems),
        quotas: object(source, "quotas", problems),
        volumeType: object(source, "volumeType", problems),
        registry: registry && (registry as { credentials?: { username: string } }).credentials
            ? { ...registry, credentials: { username: (registry as { credentials: { username: string } }).credentials.username, password: registryPassword ?? "" } }
            : registry,
        datastores: object(source, "datastores", problems) ?? [],
        datastoreImages: object(source, "datastoreImages", problems),
        guestImage: object(source, "guestImage", problems)!,
        trove: { ...trove, connection },
        limits: object(source, "limits", problems),
        rpcKeys: {
            taskmanagerRpcEncrKey: source.getSecret("taskmanagerRpcEncrKey"),
            instRpcKeyEncrKey: source.getSecret("instRpcKeyEncrKey"),
        },
    };
    const stack: StackSettings = {
        serviceProjectName: source.get("serviceProjectName") ?? "service",
        serviceProjectId: source.get("serviceProjectId"),
        troveUserName: source.get("troveUserName") ?? "trove",
        troveUserId: source.get("troveUserId"),
    };
    return { args, stack, problems };
}
