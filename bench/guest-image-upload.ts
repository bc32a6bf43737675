// Benchmark (issue 17, goal 4): the GuestImage upload path against `openstack image create --file`
// on the same large sparse file, in one run. For each size: `pulumi up` of a stack holding one
// GuestImage (file source, raw) against the dev cloud's Glance, then destroy; then the CLI uploads
// the same file, then deletes it. Prints each one's time and throughput (the image resource's own
// create, from the engine's events as they arrive, and the whole up) and the peak resident memory
// (VmHWM) of every process involved: the engine (`pulumi`), the dynamic-provider host that runs
// GuestImage's upload (GlanceImage), the openstack provider plugin, this Node.js process (which
// runs the inline program) and the CLI. Then goal 4's lines.
// Run through bench/guest-image-upload.sh (toolchain, dev cloud, environment).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { execFile, execFileSync } from "child_process";
import * as pulumi from "@pulumi/pulumi";
import { GuestImage } from "../components/guest-image/guest-image";
import { troveConnectionFrom } from "../components/region/trove-connection";
import { goalLine, limitGoal, minRatioGoal } from "./goals";

const repo = path.join(__dirname, "..");
const sizesGib = (process.env.BENCH_IMAGE_GIB ?? "0.25,4").split(",").map(Number);

const IMAGE_TYPE = "pulumi-nodejs:dynamic/trove-region:GlanceImage";
const OPENSTACK_CLI = "/usr/bin/openstack";

/** The role of a process by its command line, for the memory report; undefined = not watched. */
function roleOf(argv: readonly string[]): string | undefined {
    const argv0 = path.basename(argv[0] ?? "");
    if (argv0 === "pulumi") return "pulumi (engine)";
    if (argv0.startsWith("pulumi-resource-openstack")) return "pulumi-resource-openstack";
    // GlanceImage's provider: node running @pulumi/pulumi's dynamic-provider host.
    if (argv.some((a) => /[/\\]dynamic-provider([/\\]index\.js)?$/.test(a))) return "node (dynamic provider)";
    if (argv.slice(0, 2).some((a) => a === OPENSTACK_CLI)) return "openstack CLI";
    return undefined;
}

/** Peak resident memory (KiB) per watched process, sampled from /proc while an upload runs. */
class PeakMemory {
    private readonly peaks = new Map<string, number>();
    private timer: NodeJS.Timeout | undefined;

    start(): void {
        this.timer = setInterval(() => this.sample(), 100);
    }

    stop(includeSelf: boolean): Record<string, number> {
        if (this.timer) clearInterval(this.timer);
        this.sample();
        const self = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0);
        return { ...Object.fromEntries(this.peaks), ...(includeSelf ? { "node (program)": self } : {}) };
    }

    private sample(): void {
        for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
            try {
                const role = roleOf(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0"));
                if (!role) continue;
                const hwm = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
                this.peaks.set(role, Math.max(this.peaks.get(role) ?? 0, hwm));
            } catch {
                // The process ended between the listing and the read.
            }
        }
    }
}

interface Upload {
    readonly sizeGib: number;
    /** The image resource's create (GuestImage) or the whole CLI command, seconds. */
    readonly seconds: number;
    /** The whole `pulumi up`, seconds (GuestImage only). */
    readonly upSeconds?: number;
    /** Peak RSS per process, KiB. */
    readonly peaks: Record<string, number>;
}

const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
const rate = (gib: number, seconds: number): number => (gib * 1024) / seconds;

function summary(who: string, u: Upload): string {
    const up = u.upSeconds === undefined ? "" : ` (whole pulumi up ${u.upSeconds.toFixed(1)} s)`;
    return `${who}, ${u.sizeGib} GiB (sparse raw): ${u.seconds.toFixed(1)} s, ${rate(u.sizeGib, u.seconds).toFixed(0)} MiB/s${up}; ` +
        `peak RSS ${Object.entries(u.peaks).map(([k, v]) => `${k} ${mib(v)}`).join(", ")}`;
}

/** `pulumi up` of one GuestImage uploading `file`, then destroy. */
async function withGuestImage(sizeGib: number, file: string): Promise<Upload> {
    const stackName = `bench-upload-${process.pid}`;
    const workDir = fs.mkdtempSync(path.join(repo, ".test-work", "bench-upload-"));
    const stack = await LocalWorkspace.createOrSelectStack(
        {
            stackName, projectName: "bench-upload",
            program: async () => {
                const { connection } = troveConnectionFrom(new pulumi.Config("openstack"), process.env);
                const image = new GuestImage("guest", { name: `trove-bench-${stackName}`, datastores: ["mysql"], source: { mode: "file", path: file }, connection });
                return { imageId: image.imageId };
            },
        },
        {
            workDir,
            projectSettings: { name: "bench-upload", runtime: "nodejs", backend: { url: process.env.PULUMI_BACKEND_URL } },
            envVars: { PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "" },
        },
    );
    try {
        const memory = new PeakMemory();
        memory.start();
        // The engine stamps its events in whole seconds: the image's create is timed by arrival.
        let imageStarted: bigint | undefined;
        let imageDone: bigint | undefined;
        const started = process.hrtime.bigint();
        const result = await stack.up({
            onEvent: (e) => {
                if (e.resourcePreEvent?.metadata.type === IMAGE_TYPE) imageStarted = process.hrtime.bigint();
                if (e.resOutputsEvent?.metadata.type === IMAGE_TYPE) imageDone = process.hrtime.bigint();
            },
        });
        const upSeconds = Number(process.hrtime.bigint() - started) / 1e9;
        const peaks = memory.stop(true);
        if (result.summary.result !== "succeeded") throw new Error(`up ${result.summary.result}`);
        if (imageStarted === undefined || imageDone === undefined) throw new Error("the up's events did not show the image's create");
        return { sizeGib, seconds: Number(imageDone - imageStarted) / 1e9, upSeconds, peaks };
    } finally {
        await stack.destroy().catch((e: Error) => console.error(`destroy failed: ${e.message}`));
        await stack.workspace.removeStack(stackName).catch(() => undefined);
        fs.rmSync(workDir, { recursive: true, force: true });
    }
}

/** The seeds' way: `openstack image create --file` of the same file (the dev cloud's OS_* settings), then delete. */
async function withCli(sizeGib: number, file: string): Promise<Upload> {
    const memory = new PeakMemory();
    memory.start();
    const started = process.hrtime.bigint();
    // Async, so this process keeps sampling memory while the CLI runs.
    const id = await new Promise<string>((resolve, reject) => {
        execFile(OPENSTACK_CLI, ["image", "create", `trove-bench-cli-${process.pid}`, "--private", "--disk-format", "raw",
            "--container-format", "bare", "--file", file, "-f", "value", "-c", "id"], { encoding: "utf8" },
        (err, stdout, stderr) => (err ? reject(new Error(`openstack image create: ${stderr || err.message}`)) : resolve(stdout.trim())));
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const peaks = memory.stop(false);
    execFileSync(OPENSTACK_CLI, ["image", "delete", id]);
    return { sizeGib, seconds, peaks };
}

async function main(): Promise<void> {
    const ours: Upload[] = [];
    const cli: Upload[] = [];
    for (const sizeGib of sizesGib) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trove-bench-image-"));
        const file = path.join(dir, "guest.raw");
        // Sparse: the file takes no disk here, yet every byte is read and sent to Glance.
        fs.closeSync(fs.openSync(file, "w"));
        fs.truncateSync(file, Math.round(sizeGib * 1024 ** 3));
        try {
            ours.push(await withGuestImage(sizeGib, file));
            console.log(summary("GuestImage", ours[ours.length - 1]));
            cli.push(await withCli(sizeGib, file));
            console.log(summary("openstack image create --file", cli[cli.length - 1]));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
    // Goal 4 at the largest size; memory over every size and process (the program's own peak is
    // cumulative: it ran every size, smallest first).
    const largest = sizesGib.indexOf(Math.max(...sizesGib));
    const peak = Math.max(...ours.flatMap((u) => Object.values(u.peaks)));
    console.log("");
    console.log("issue 17 goal 4 (this run):");
    console.log(`  ${goalLine(minRatioGoal("4a", `upload throughput at ${sizesGib[largest]} GiB, ours / CLI's`,
        rate(ours[largest].sizeGib, ours[largest].seconds), rate(cli[largest].sizeGib, cli[largest].seconds), 0.9))}`);
    console.log(`  ${goalLine(limitGoal("4b", `peak RSS of the up's processes, ${sizesGib.join(" to ")} GiB`, peak / 1024, 300, "MiB"))}`);
}

main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
});
