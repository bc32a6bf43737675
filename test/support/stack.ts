import { LocalWorkspace, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { workDir } from "../tmp";

/**
 * A stack of an inline program for the real tests: its own project, a workspace inside the repo (so
 * the dynamic-provider host resolves node_modules), the backend and passphrase of scripts/pulumi-env.sh.
 */
export function inlineStack(project: string, stackName: string, program: PulumiFn): Promise<Stack> {
    return LocalWorkspace.createOrSelectStack(
        { stackName, projectName: project, program },
        {
            workDir: workDir(stackName),
            projectSettings: { name: project, runtime: "nodejs", backend: { url: process.env.PULUMI_BACKEND_URL } },
            envVars: { PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "" },
        },
    );
}

/** Destroys a test's stack and removes it; for afterAll, so a failure is printed rather than thrown. */
export async function destroyAndRemove(stack: Stack | undefined, name: string): Promise<void> {
    if (!stack) return;
    const quiet = { onOutput: (): void => undefined };
    await stack.destroy(quiet).catch((e: Error) => console.error(`destroy ${name}: ${e.message}`));
    await stack.workspace.removeStack(name).catch((e: Error) => console.error(`stack rm ${name}: ${e.message}`));
}

/** A change summary's counts, with the kinds that did not happen as 0 ("same" left out). */
export interface ChangeCounts { create: number; update: number; delete: number; replace: number }
export function changes(summary: Readonly<Partial<Record<string, number>>> | undefined): ChangeCounts {
    const c: Readonly<Partial<Record<string, number>>> = summary ?? {};
    return { create: c.create ?? 0, update: c.update ?? 0, delete: c.delete ?? 0, replace: c.replace ?? 0 };
}
