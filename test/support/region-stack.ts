import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { asConfigMap, devSettingsNamed } from "./dev-config";

const repo = path.join(__dirname, "..", "..");

/**
 * A stack of the region program on disk (the repository's index.ts, through the Node.js language
 * host) with the dev stack's settings, renamed by `suffix` so it shares the dev cloud with others.
 */
export async function regionTestStack(stackName: string, suffix: string, settings: Record<string, unknown> = devSettingsNamed(suffix)): Promise<Stack> {
    const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: repo });
    await stack.setAllConfig(asConfigMap(settings));
    return stack;
}
