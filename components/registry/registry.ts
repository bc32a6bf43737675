import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { checkDockerHost, checkRegistryAddress } from "../model/image-names";
import { htpasswdLine } from "./htpasswd";
import { isPort, Problem, show, throwIfProblems } from "../common/validation";
import { checkContainerName, checkImageReference } from "../common/names";

/** The seeds' `docker run ... -e REGISTRY_HTTP_ADDR=0.0.0.0:4000 --restart=always registry:2`. */
export const DEFAULT_REGISTRY_PORT = 4000;
export const DEFAULT_REGISTRY_IMAGE = "registry:2";
export const DEFAULT_REGISTRY_CONTAINER_NAME = "trove-registry";
export const DEFAULT_LISTEN_ADDRESS = "0.0.0.0";
const HTPASSWD_PATH = "/auth/htpasswd";
const CERT_PATH = "/certs/registry.crt";
const KEY_PATH = "/certs/registry.key";

/** Credentials guests use to pull (`[guest_agent] container_registry_username/password`). */
export interface RegistryCredentials {
    readonly username: string;
    /** A Pulumi secret end to end. */
    readonly password: pulumi.Input<string>;
}

/** Run a registry container on a Docker host (the `docker` provider passed in `opts` names the host). */
export interface CreatedRegistryArgs {
    readonly mode: "create";
    /**
     * The address guests reach the registry at (an IP on the management network's path), without
     * the port: it goes into trove.conf and every image name.
     */
    readonly hostAddress: string;
    /** @default DEFAULT_REGISTRY_PORT (4000) */
    readonly port?: number;
    /** @default DEFAULT_REGISTRY_IMAGE ("registry:2") */
    readonly image?: string;
    /** @default DEFAULT_REGISTRY_CONTAINER_NAME ("trove-registry") */
    readonly containerName?: string;
    /**
     * The address the registry listens on. Guests reach it at hostAddress; a host with several
     * interfaces can bind only the management side. @default "0.0.0.0" (every address, as the seeds run it)
     */
    readonly listenAddress?: string;
    /**
     * The Docker engine that runs the registry (`unix://…` or `ssh://user@host`).
     * @default the docker provider's own default: DOCKER_HOST, else the local socket
     */
    readonly dockerHost?: string;
    /** Pull the registry image instead of using one already on the Docker host. @default false */
    readonly pullImage?: boolean;
    /** Require these credentials (htpasswd). @default anonymous pulls and pushes */
    readonly credentials?: RegistryCredentials;
    /** Serve TLS with this PEM certificate and key. @default plain HTTP, listed as an insecure registry */
    readonly tls?: { readonly certificatePem: pulumi.Input<string>; readonly privateKeyPem: pulumi.Input<string> };
}

/** Use a registry that already exists. */
export interface ExistingRegistryArgs {
    readonly mode: "existing";
    /** host:port the guests pull from. */
    readonly address: string;
    readonly credentials?: RegistryCredentials;
    /** The registry speaks plain HTTP or has an untrusted certificate. @default false */
    readonly insecure?: boolean;
}

export type RegistryArgs = CreatedRegistryArgs | ExistingRegistryArgs;

/** host:port, as in `[guest_agent] container_registry` and every image name. */
export function registryAddress(args: RegistryArgs): string {
    return args.mode === "existing" ? args.address : `${args.hostAddress}:${args.port ?? DEFAULT_REGISTRY_PORT}`;
}

/** Whether the registry belongs in `docker_insecure_registries`: an existing one says so, a created one is insecure without TLS. */
export function registryInsecure(args: RegistryArgs): boolean {
    return args.mode === "existing" ? args.insecure ?? false : args.tls === undefined;
}

/** Every problem in `args`. Exported for testing. */
export function validateRegistryArgs(args: RegistryArgs): Problem[] {
    const problems: Problem[] = [];
    if (args?.mode !== "create" && args?.mode !== "existing") {
        return [{ path: "mode", message: `${show((args as { mode?: unknown } | undefined)?.mode)} is not a registry mode; choose "create" (run registry:2 on a Docker host) or "existing"` }];
    }
    if (args.mode === "create") {
        const wrong = checkRegistryAddress(args.hostAddress);
        if (wrong) problems.push({ path: "hostAddress", message: wrong });
        else if (args.hostAddress.includes(":") && !args.hostAddress.startsWith("[")) {
            problems.push({ path: "hostAddress", message: `"${args.hostAddress}" has a port; give the address alone and the port in "port"` });
        }
        if (args.port !== undefined && !isPort(args.port)) {
            problems.push({ path: "port", message: `${show(args.port)} is not a port between 1 and 65535` });
        }
        const wrongImage = args.image === undefined ? undefined : checkImageReference(args.image);
        if (wrongImage) problems.push({ path: "image", message: wrongImage });
        const wrongContainer = args.containerName === undefined ? undefined : checkContainerName(args.containerName);
        if (wrongContainer) problems.push({ path: "containerName", message: wrongContainer });
        if (args.listenAddress !== undefined && !/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])$/.test(args.listenAddress)) {
            problems.push({ path: "listenAddress", message: `${show(args.listenAddress)} is not an IP address to listen on, e.g. "0.0.0.0" or "10.0.0.5" (IPv6 in brackets)` });
        }
        const wrongHost = args.dockerHost === undefined ? undefined : checkDockerHost(args.dockerHost);
        if (wrongHost) problems.push({ path: "dockerHost", message: wrongHost });
    } else {
        const wrong = checkRegistryAddress(args.address);
        if (wrong) problems.push({ path: "address", message: wrong });
    }
    if (args.credentials) {
        if (!args.credentials.username || /[:\s]/.test(args.credentials.username)) {
            problems.push({ path: "credentials.username", message: `${show(args.credentials.username)} must be non-empty, without ':' or spaces` });
        }
        if (args.credentials.password === undefined || args.credentials.password === "") {
            problems.push({ path: "credentials.password", message: "is missing; set it as a secret (pulumi config set --secret registryPassword ...)" });
        }
    }
    return problems;
}

/**
 * The private Docker registry guests pull datastore and backup images from: a `registry:2` container
 * with a persistent volume on a Docker host, or an existing registry.
 */
export class Registry extends pulumi.ComponentResource {
    /** host:port, as in `[guest_agent] container_registry` and every image name. */
    public readonly address: string;
    /** Whether the address belongs in `docker_insecure_registries`. */
    public readonly insecure: boolean;
    public readonly username: string | undefined;
    /** A Pulumi secret. */
    public readonly password: pulumi.Output<string> | undefined;
    /** The container's id when the registry was created here. */
    public readonly containerId: pulumi.Output<string> | undefined;

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfProblems(`Registry "${name}"`, validateRegistryArgs(args));
        super("trove-region:registry:Registry", name, {}, opts);

        this.username = args.credentials?.username;
        this.password = args.credentials ? pulumi.secret(args.credentials.password) : undefined;
        this.address = registryAddress(args);
        this.insecure = registryInsecure(args);
        if (args.mode === "create") this.containerId = this.createContainer(name, args, args.port ?? DEFAULT_REGISTRY_PORT);
        this.registerOutputs({
            address: this.address,
            insecure: this.insecure,
            username: this.username,
            password: this.password,
            containerId: this.containerId,
        });
    }

    private createContainer(name: string, args: CreatedRegistryArgs, port: number): pulumi.Output<string> {
        const imageName = args.image ?? DEFAULT_REGISTRY_IMAGE;
        // Its own provider: the registry's host is the operator's choice, not the stack default's.
        const provider = new docker.Provider(`${name}-docker`, { host: args.dockerHost }, { parent: this });
        const childOpts = { parent: this, provider };
        const image = args.pullImage
            ? new docker.RemoteImage(`${name}-image`, { name: imageName, keepLocally: true }, childOpts).imageId
            : pulumi.output(imageName);
        const volume = new docker.Volume(`${name}-data`, { name: `${args.containerName ?? DEFAULT_REGISTRY_CONTAINER_NAME}-data` }, childOpts);

        const envs: pulumi.Input<string>[] = [`REGISTRY_HTTP_ADDR=${args.listenAddress ?? DEFAULT_LISTEN_ADDRESS}:${port}`];
        const uploads: docker.types.input.ContainerUpload[] = [];
        if (args.credentials) {
            const { username, password } = args.credentials;
            envs.push("REGISTRY_AUTH=htpasswd", "REGISTRY_AUTH_HTPASSWD_REALM=trove-registry", `REGISTRY_AUTH_HTPASSWD_PATH=${HTPASSWD_PATH}`);
            uploads.push({ file: HTPASSWD_PATH, content: pulumi.secret(pulumi.output(password).apply((p) => htpasswdLine(username, p) + "\n")) });
        }
        if (args.tls) {
            envs.push(`REGISTRY_HTTP_TLS_CERTIFICATE=${CERT_PATH}`, `REGISTRY_HTTP_TLS_KEY=${KEY_PATH}`);
            uploads.push({ file: CERT_PATH, content: args.tls.certificatePem });
            uploads.push({ file: KEY_PATH, content: pulumi.secret(args.tls.privateKeyPem) });
        }
        const container = new docker.Container(`${name}-container`, {
            name: args.containerName ?? DEFAULT_REGISTRY_CONTAINER_NAME,
            image,
            // Host networking, as the seeds run it: guests reach the host's address directly.
            networkMode: "host",
            restart: "always",
            envs,
            uploads,
            volumes: [{ volumeName: volume.name, containerPath: "/var/lib/registry" }],
        }, { ...childOpts, additionalSecretOutputs: uploads.length > 0 ? ["uploads"] : undefined });
        return container.id;
    }
}
