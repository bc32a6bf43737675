// Benchmark: the GuestImage upload path with a large sparse image. For each size, `pulumi up` of a
// stack holding one GuestImage (file source, raw) against the dev cloud's Glance, then destroy. Prints
// the time of the up and the peak resident memory (VmHWM) of the engine (`pulumi`), the openstack
// provider plugin and this Node.js process (which runs the inline program), to show that memory stays
// flat whatever the image size: the upload streams from disk.
// Run through bench/guest-image-upload.sh (toolchain, dev cloud, environment).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { GuestImage } from "../components/guest-image/guest-image";

const repo = path.join(__dirname, "..");
const sizesGib = (process.env.BENCH_IMAGE_GIB ?? "0.25,4").split(",").map(Number);

/** Peak resident memory per watched process, sampled from /proc while the up runs. */
class PeakMemory {
    private readonly peaks = new Map<string, number>();
    private timer: NodeJS.Timeout | undefined;

    start(): void {
        this.timer = setInterval(() => this.sample(), 100);
    }

    stop(): Record<string, number> {
        if (this.timer) clearInterval(this.timer);
        this.sample();
        const self = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0);
        return { ...Object.fromEntries(this.peaks), "node (program)": self };
    }

    private sample(): void {
        for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
            try {
                const argv0 = path.basename(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]);
                const role = argv0 === "pulumi" ? "pulumi (engine)" : argv0.startsWith("pulumi-resource-openstack") ? "pulumi-resource-openstack" : undefined;
                if (!role) continue;
                const hwm = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
                this.peaks.set(role, Math.max(this.peaks.get(role) ?? 0, hwm));
            } catch {
                // The process ended between the listing and the read.
            }
        }
    }
}

async function run(sizeGib: number): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trove-bench-image-"));
    const file = path.join(dir, "guest.raw");
    // Sparse: the file takes no disk here, yet every byte is read and sent to Glance.
    fs.closeSync(fs.openSync(file, "w"));
    fs.truncateSync(file, Math.round(sizeGib * 1024 ** 3));
    const stackName = `bench-upload-${process.pid}`;
    const workDir = fs.mkdtempSync(path.join(repo, ".test-work", "bench-upload-"));
    const stack = await LocalWorkspace.createOrSelectStack(
        {
            stackName, projectName: "bench-upload",
            program: async () => {
                const image = new GuestImage("guest", { name: `trove-bench-${stackName}`, datastores: ["mysql"], source: { mode: "file", path: file } });
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
        const started = process.hrtime.bigint();
        const result = await stack.up();
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const peaks = memory.stop();
        if (result.summary.result !== "succeeded") throw new Error(`up ${result.summary.result}`);
        const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
        console.log(`image ${sizeGib} GiB (sparse raw): pulumi up ${seconds.toFixed(1)} s, ${((sizeGib * 1024) / seconds).toFixed(0)} MiB/s; ` +
            `peak RSS ${Object.entries(peaks).map(([k, v]) => `${k} ${mib(v)}`).join(", ")}`);
    } finally {
        await stack.destroy().catch((e: Error) => console.error(`destroy failed: ${e.message}`));
        await stack.workspace.removeStack(stackName).catch(() => undefined);
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(workDir, { recursive: true, force: true });
    }
}

async function main(): Promise<void> {
    // The program's own peak (this process) is cumulative over the sizes, smallest first.
    for (const size of sizesGib) await run(size);
}

main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
});
