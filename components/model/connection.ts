// The shared model: what several concerns (datastores, region, config) agree on, below all of them.

/** Where and as whom to reach Trove: the same settings the OpenStack provider uses. */
export interface TroveConnection {
    readonly authUrl: string;
    readonly username: string;
    readonly password: string;
    readonly projectName: string;
    /** @default "Default" */
    readonly userDomainName?: string;
    /** @default "Default" */
    readonly projectDomainName?: string;
    /** @default the first region in the catalog that has a database endpoint */
    readonly region?: string;
    /** Which catalog interface to use. @default "public" */
    readonly endpointInterface?: "public" | "internal" | "admin";
    /** PEM certificates to trust for HTTPS endpoints (the provider's cacertFile, read). @default the system's */
    readonly cacert?: string;
    /** Skip TLS verification, like the provider's `insecure`. @default false */
    readonly insecure?: boolean;
}
