import * as pulumi from "@pulumi/pulumi";
import * as bcrypt from "bcryptjs";
import { installMocks, isSecretInput, named, ofType, plain, settle } from "../mocks";
import { Registry, RegistryArgs, validateRegistryArgs } from "../../components/registry/registry";

const mocks = installMocks();
beforeEach(() => mocks.reset());

describe("Registry", () => {
    test("create: registry:2 on host networking, port 4000, restart always, a data volume; insecure without TLS", async () => {
        const registry = new Registry("reg", { mode: "create", hostAddress: "10.0.0.5" });
        await settle();
        expect(registry.address).toBe("10.0.0.5:4000");
        expect(registry.insecure).toBe(true);
        const container = named(mocks.resources, "reg-container").inputs;
        expect(container).toMatchObject({
            name: "trove-registry",
            image: "registry:2",
            networkMode: "host",
            restart: "always",
            envs: ["REGISTRY_HTTP_ADDR=0.0.0.0:4000"],
            volumes: [{ volumeName: "trove-registry-data", containerPath: "/var/lib/registry" }],
        });
        expect(ofType(mocks.resources, "docker:index/remoteImage:RemoteImage")).toHaveLength(0);
    });

    test("credentials: htpasswd auth, the htpasswd upload and the password stay secret", async () => {
        const registry = new Registry("reg", {
            mode: "create", hostAddress: "10.0.0.5", port: 5000, pullImage: true,
            credentials: { username: "guest", password: pulumi.secret("pw") },
        });
        await settle();
        const container = named(mocks.resources, "reg-container").inputs as { envs: string[]; uploads: unknown };
        expect(container.envs).toEqual(expect.arrayContaining(["REGISTRY_HTTP_ADDR=0.0.0.0:5000", "REGISTRY_AUTH=htpasswd", "REGISTRY_AUTH_HTPASSWD_PATH=/auth/htpasswd"]));
        // The password hash travels to the provider as a secret.
        expect(isSecretInput(container.uploads)).toBe(true);
        const htpasswd = plain<{ file: string; content: string }[]>(container.uploads).find((u) => u.file === "/auth/htpasswd")!;
        expect(bcrypt.compareSync("pw", htpasswd.content.trim().split(":")[1])).toBe(true);
        expect(await pulumi.isSecret(registry.password!)).toBe(true);
        expect(named(mocks.resources, "reg-image").inputs).toMatchObject({ name: "registry:2", keepLocally: true });
    });

    test("a docker provider of its own on the engine named, and the listen address chosen", async () => {
        new Registry("reg", { mode: "create", hostAddress: "10.0.0.5", listenAddress: "10.0.0.5", dockerHost: "ssh://ubuntu@10.0.0.5" });
        await settle();
        expect(ofType(mocks.resources, "pulumi:providers:docker").map((p) => [p.name, p.inputs.host])).toEqual([["reg-docker", "ssh://ubuntu@10.0.0.5"]]);
        expect((named(mocks.resources, "reg-container").inputs as { envs: string[] }).envs).toEqual(["REGISTRY_HTTP_ADDR=10.0.0.5:4000"]);
    });

    test("TLS: certificate and key uploaded, and the registry is not insecure", async () => {
        const registry = new Registry("reg", { mode: "create", hostAddress: "10.0.0.5", tls: { certificatePem: "CERT", privateKeyPem: "KEY" } });
        await settle();
        expect(registry.insecure).toBe(false);
        const container = named(mocks.resources, "reg-container").inputs as { envs: string[] };
        expect(container.envs).toContain("REGISTRY_HTTP_TLS_CERTIFICATE=/certs/registry.crt");
    });

    test("existing: no Docker resources, the address and insecure flag pass through", async () => {
        const registry = new Registry("reg", { mode: "existing", address: "registry.example.org:443" });
        await settle();
        expect(mocks.resources.map((r) => r.type)).toEqual(["trove-region:registry:Registry"]);
        expect(registry.address).toBe("registry.example.org:443");
        expect(registry.insecure).toBe(false);
    });
});

describe("validateRegistryArgs", () => {
    test.each<[string, RegistryArgs, string, RegExp]>([
        ["mode", { mode: "run" } as never, "mode", /choose "create"/],
        ["address with scheme", { mode: "existing", address: "https://r.example" }, "address", /has a scheme/],
        ["host with port", { mode: "create", hostAddress: "10.0.0.5:4000" }, "hostAddress", /give the address alone and the port in "port"/],
        ["port", { mode: "create", hostAddress: "10.0.0.5", port: 0 }, "port", /between 1 and 65535/],
        ["missing password", { mode: "existing", address: "r:1", credentials: { username: "u", password: "" } }, "credentials.password", /is missing; set it as a secret/],
        ["listen address", { mode: "create", hostAddress: "10.0.0.5", listenAddress: "eth0" }, "listenAddress", /not an IP address to listen on/],
        ["docker host", { mode: "create", hostAddress: "10.0.0.5", dockerHost: "10.0.0.5" }, "dockerHost", /e.g. "unix:\/\/\/var\/run\/docker.sock" or "ssh:\/\/ubuntu@10.0.0.5"/],
        ["bad username", { mode: "existing", address: "r:1", credentials: { username: "a:b", password: "p" } }, "credentials.username", /without ':'/],
    ])("%s", async (_label, args, path, message) => {
        expect(validateRegistryArgs(args)).toContainEqual({ path, message: expect.stringMatching(message) });
        expect(() => new Registry("bad", args)).toThrow(message);
        await settle();
        expect(mocks.resources).toHaveLength(0);
    });
});
