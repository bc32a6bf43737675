import * as pulumi from "@pulumi/pulumi";
import { TroveApiError, TroveClient } from "./trove-api";
import { TroveConnection } from "../model/connection";
import { shellQuote } from "../common/shell";

/** Where trove-manage runs: this machine, or a controller reached over SSH. */
/** The command trove-manage is, on a controller's PATH. */
export const DEFAULT_TROVE_MANAGE_COMMAND = "trove-manage";

export interface TroveManageHost {
    /** @default this machine */
    readonly ssh?: { readonly host: string; readonly user: string; readonly port?: number; readonly privateKey: pulumi.Input<string> };
}

/** One datastore version that trove-manage works on, and where and how trove-manage runs. */
export interface TroveManageVersionInputs extends TroveManageHost {
    /** Trove's API, to read back and to clean up; kept secret in the state. */
    readonly connection: pulumi.Input<TroveConnection>;
    /** The version's id, as DatastoreVersion outputs it. */
    readonly versionId: pulumi.Input<string>;
    /** The datastore's name, for trove-manage. */
    readonly datastore: pulumi.Input<string>;
    /** The version's name, for trove-manage. */
    readonly version: pulumi.Input<string>;
    /** @default DEFAULT_TROVE_MANAGE_COMMAND ("trove-manage") */
    readonly command?: pulumi.Input<string>;
    /** Passed as --config-file. @default trove-manage's own */
    readonly configFile?: pulumi.Input<string>;
}

/** The version's parameters: a new versionId re-runs the load; delete removes them over REST. */
export interface TroveManageParametersInputs extends TroveManageVersionInputs {
    /** The validation-rules.json text: streamed to trove-manage, and its change re-runs the load. */
    readonly rules: pulumi.Input<string>;
    /** The rule names, for the delete. */
    readonly names: pulumi.Input<pulumi.Input<string>[]>;
}

interface State {
    readonly connection: TroveConnection;
    readonly versionId: string;
    readonly datastore: string;
    readonly version: string;
    readonly rules: string;
    readonly names: string[];
    readonly command?: string;
    readonly configFile?: string;
    readonly ssh?: { host: string; user: string; port?: number; privateKey: string };
}

/**
 * The command line, as an argv for this machine, or as one remote shell line that writes the rules
 * from stdin to a temporary file first (the controller may not have the same file). Exported for testing.
 */
export function troveManageArgv(s: Pick<State, "command" | "configFile" | "datastore" | "version" | "ssh">, rulesPath: string): string[] {
    const args = [
        ...(s.configFile ? ["--config-file", s.configFile] : []),
        "db_load_datastore_config_parameters", s.datastore, s.version, rulesPath,
    ];
    return [s.command ?? DEFAULT_TROVE_MANAGE_COMMAND, ...args];
}

async function load(s: State): Promise<void> {
    const { spawn } = await import("child_process");
    const fs = await import("fs");
    const os = await import("os");
    const path = await import("path");
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trove-manage-"));
    try {
        let argv: string[];
        if (s.ssh) {
            const key = path.join(tmp, "id");
            fs.writeFileSync(key, s.ssh.privateKey.endsWith("\n") ? s.ssh.privateKey : `${s.ssh.privateKey}\n`, { mode: 0o600 });
            const remote = `f=$(mktemp) && cat > "$f" && ${troveManageArgv(s, "\"$f\"").map((a) => (a === "\"$f\"" ? a : shellQuote(a))).join(" ")}; rc=$?; rm -f "$f"; exit $rc`;
            argv = ["ssh", "-i", key, "-p", String(s.ssh.port ?? 22), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
                "-o", `UserKnownHostsFile=${path.join(tmp, "known_hosts")}`, `${s.ssh.user}@${s.ssh.host}`, remote];
        } else {
            const file = path.join(tmp, "validation-rules.json");
            fs.writeFileSync(file, s.rules);
            argv = troveManageArgv(s, file);
        }
        await new Promise<void>((resolve, reject) => {
            const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
            let output = "";
            child.stdout.on("data", (d) => (output += d));
            child.stderr.on("data", (d) => (output += d));
            child.on("error", (e) => reject(new Error(`could not run ${argv[0]}: ${e.message}`)));
            child.on("close", (code) => code === 0
                ? resolve()
                : reject(new Error(`${s.ssh ? `trove-manage on ${s.ssh.host}` : argv[0]} exited ${code}: ${output.trim().split("\n").slice(-5).join(" | ")}`)));
            child.stdin.end(s.ssh ? s.rules : "");
        });
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

const provider: pulumi.dynamic.ResourceProvider<State, State> = {
    async create(inputs) {
        await load(inputs);
        return { id: `${inputs.versionId}/trove-manage-parameters`, outs: inputs };
    },
    async diff(_id, olds, news) {
        const rerun = ["rules", "versionId", "command", "configFile", "datastore", "version"] as const;
        const changed = rerun.filter((k) => olds[k] !== news[k]);
        const hostChanged = JSON.stringify(olds.ssh ?? null) !== JSON.stringify(news.ssh ?? null);
        return { changes: changed.length > 0 || hostChanged, replaces: changed.includes("versionId") ? ["versionId"] : [] };
    },
    async update(_id, _olds, news) {
        await load(news);
        return { outs: news };
    },
    async delete(_id, props) {
        const client = new TroveClient(props.connection);
        for (const name of props.names) {
            try {
                await client.request("DELETE", `/mgmt/datastores/versions/${encodeURIComponent(props.versionId)}/parameters/${encodeURIComponent(name)}`);
            } catch (e) {
                if (!(e instanceof TroveApiError && (e.status === 400 || e.notFound))) throw e;
            }
        }
    },
};

/**
 * Every configuration parameter of one datastore version, booleans and floats included, loaded with
 * `trove-manage db_load_datastore_config_parameters` on this machine or on a controller over SSH.
 * Re-runs only when the rules' content (or the version) changes.
 */
export class TroveManageParameters extends pulumi.dynamic.Resource {
    public readonly versionId!: pulumi.Output<string>;

    constructor(name: string, args: TroveManageParametersInputs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, {
            ...args,
            connection: pulumi.secret(args.connection),
            ssh: args.ssh && pulumi.secret(args.ssh),
        }, { ...opts, additionalSecretOutputs: ["connection", "ssh"] }, "trove-region", "TroveManageParameters");
    }
}
