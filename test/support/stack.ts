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
