// trove-manage over SSH: the TroveManageParameters resource loads a version's parameters on a
// "controller" reached through a real sshd, which this test runs on 127.0.0.1 and stops by its PID.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { destroyAndRemove, inlineStack } from "../support/stack";
import { Datastores } from "../../components/datastores/datastores";
import { TROVE_TEMPLATES } from "../support/dev-config";
import { parseValidationRules } from "../../components/datastores/validation-rules";
import { OpenStackApi } from "../support/openstack-api";
import { requireRealEnvironment } from "../support/real-env";
import { tempDir } from "../tmp";

const SSHD = "/usr/sbin/sshd";

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer().listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        }).on("error", reject);
    });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        const open = await new Promise<boolean>((resolve) => {
            const socket = net.connect(port, "127.0.0.1", () => { socket.end(); resolve(true); }).on("error", () => resolve(false));
        });
        if (open) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`sshd did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

describe("trove-manage over SSH against the dev cloud", () => {
    let sshd: ChildProcess | undefined;
    let stack: Stack;
    let api: OpenStackApi;
    let imageId = "";
    let privateKey = "";
    let port = 0;

    beforeAll(async () => {
        requireRealEnvironment();
        if (!fs.existsSync(SSHD)) throw new Error(`${SSHD} is missing: npm test installs openssh-server (scripts/lib.sh ensure_sshd)`);
        const configFile = process.env.DEVCLOUD_TROVE_CONF;
        if (!configFile) throw new Error("DEVCLOUD_TROVE_CONF is not set: run with the variables of scripts/devcloud.sh env");
        const dir = tempDir("sshd");
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "host_key")]);
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "client_key")]);
        fs.copyFileSync(path.join(dir, "client_key.pub"), path.join(dir, "authorized_keys"));
        privateKey = fs.readFileSync(path.join(dir, "client_key"), "utf8");
        port = await freePort();
        fs.writeFileSync(path.join(dir, "sshd_config"), [
            `ListenAddress 127.0.0.1`, `Port ${port}`, `HostKey ${path.join(dir, "host_key")}`,
            `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`, "PermitRootLogin prohibit-password",
            "PasswordAuthentication no", "StrictModes no", "UsePAM no", `PidFile ${path.join(dir, "sshd.pid")}`,
        ].join("\n") + "\n");
        fs.mkdirSync("/run/sshd", { recursive: true });
        sshd = spawn(SSHD, ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: "ignore" });
        await waitForPort(port, 10_000);

        api = await OpenStackApi.login();
        imageId = await api.createImage("trove-region-ssh-test", ["trove", "mysql"], Buffer.from("stand-in"));
        const connection = pulumi.secret({
            authUrl: process.env.OS_AUTH_URL!, username: process.env.OS_USERNAME!, password: process.env.OS_PASSWORD!,
            projectName: process.env.OS_PROJECT_NAME!, region: process.env.OS_REGION_NAME,
        });
        const program = async () => {
            const ds = new Datastores("ssh", {
                connection,
                versions: [{ datastore: "mysql", version: "5.7.29", sourceImage: "mysql:5.7.29" }],
                parametersDir: TROVE_TEMPLATES,
                troveManage: {
                    command: path.join(__dirname, "..", "..", "scripts", "devcloud", "trove-manage"),
                    configFile,
                    ssh: { host: "127.0.0.1", port, user: "root", privateKey: pulumi.secret(privateKey) },
                },
            });
            return { versionIds: ds.versionIds };
        };
        stack = await inlineStack("trove-region-ssh-test", "ssh-test", program);
    });

    afterAll(async () => {
        await destroyAndRemove(stack, "ssh-test");
        if (imageId) await api.request("DELETE", "image", `/v2/images/${imageId}`).catch(() => undefined);
        if (sshd?.pid) process.kill(sshd.pid, "SIGTERM");
    });

    test("every parameter is loaded on the controller over SSH, and the key stays a secret", async () => {
        const result = await stack.up();
        const id = (result.outputs.versionIds.value as Record<string, string>)["mysql-5.7.29"];
        const rules = parseValidationRules(fs.readFileSync(path.join(TROVE_TEMPLATES, "mysql", "validation-rules.json"), "utf8"));
        const { "configuration-parameters": loaded } = await api.get<{ "configuration-parameters": { name: string; type: string }[] }>(
            "database", `/datastores/versions/${id}/parameters`);
        expect(loaded.map((p) => p.name).sort()).toEqual(rules.map((r) => r.name).sort());
        const backend = (process.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, "");
        const checkpoint = fs.readFileSync(path.join(backend, ".pulumi", "stacks", "trove-region-ssh-test", "ssh-test.json"), "utf8");
        const keyBody = privateKey.split("\n")[1];
        expect(keyBody.length).toBeGreaterThan(20);
        expect(checkpoint).not.toContain(keyBody);
    });

    test("destroy removes the version and its parameters", async () => {
        await stack.destroy();
        const { versions } = await api.get<{ versions: { datastore_name: string; name: string }[] }>("database", "/mgmt/datastore-versions");
        expect(versions.filter((v) => v.datastore_name === "mysql")).toEqual([]);
    });
});
