import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { TroveConnection } from "../model/connection";

/** The subset of the `openstack` config namespace that locates and authenticates to the cloud. */
export interface OpenStackConfigSource {
    get(key: string): string | undefined;
    getSecret(key: string): pulumi.Output<string> | undefined;
}

/**
 * The Trove API connection, taken from the same settings as the OpenStack provider: the `openstack:*`
 * stack config first, then the `OS_*` variables the provider also reads, TLS settings (cacertFile,
 * insecure) included. The password stays a secret.
 * Returns the missing settings instead of a connection when the cloud cannot be reached with them.
 */
export function troveConnectionFrom(config: OpenStackConfigSource, env: Readonly<Record<string, string | undefined>>):
    { connection: pulumi.Output<TroveConnection>; missing: string[] } {
    const pick = (key: string, ...vars: string[]): string | undefined =>
        config.get(key) ?? vars.map((v) => env[v]).find((v) => v !== undefined && v !== "");
    const authUrl = pick("authUrl", "OS_AUTH_URL");
    const username = pick("userName", "OS_USERNAME");
    const projectName = pick("tenantName", "OS_PROJECT_NAME", "OS_TENANT_NAME");
    const password = config.getSecret("password") ?? (env.OS_PASSWORD ? pulumi.secret(env.OS_PASSWORD) : undefined);
    const missing = [
        ...(authUrl ? [] : ["openstack:authUrl (or OS_AUTH_URL)"]),
        ...(username ? [] : ["openstack:userName (or OS_USERNAME)"]),
        ...(projectName ? [] : ["openstack:tenantName (or OS_PROJECT_NAME)"]),
        ...(password ? [] : ["openstack:password (or OS_PASSWORD)"]),
    ];
    const cacertFile = pick("cacertFile", "OS_CACERT");
    if (cacertFile && !fs.existsSync(cacertFile)) missing.push(`openstack:cacertFile (or OS_CACERT) names ${cacertFile}, which does not exist`);
    const cacert = cacertFile && fs.existsSync(cacertFile) ? fs.readFileSync(cacertFile, "utf8") : undefined;
    const insecure = /^(true|1|yes)$/i.test(pick("insecure", "OS_INSECURE") ?? "");
    const connection = pulumi.all([password ?? ""]).apply(([pw]) => ({
        authUrl: authUrl ?? "",
        username: username ?? "",
        password: pw,
        projectName: projectName ?? "",
        userDomainName: pick("userDomainName", "OS_USER_DOMAIN_NAME") ?? "Default",
        projectDomainName: pick("projectDomainName", "OS_PROJECT_DOMAIN_NAME") ?? "Default",
        region: pick("region", "OS_REGION_NAME"),
        ...(cacert ? { cacert } : {}),
        ...(insecure ? { insecure } : {}),
    }));
    return { connection: pulumi.secret(connection), missing };
}
