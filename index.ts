// The stack program: config in, one TroveRegion, outputs out.
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import {
    CONFIG_NAMESPACE, readRegionConfig, regionOutputs, throwIfProblems, troveConnectionFrom, TroveRegion, validateTroveRegionArgs,
} from "./components";

const { connection, missing } = troveConnectionFrom(new pulumi.Config("openstack"), process.env);
const { args, stack, problems } = readRegionConfig(new pulumi.Config(CONFIG_NAMESPACE), connection);

// Every setting is checked before anything is registered: a bad config creates nothing.
throwIfProblems("the stack's configuration", [
    ...missing.map((key) => ({ path: "", message: `${key} is not set; the Trove API is reached with the OpenStack provider's settings` })),
    ...problems.map((p) => ({ ...p, path: `${CONFIG_NAMESPACE}:${p.path}` })),
    ...validateTroveRegionArgs(args).map((p) => ({ ...p, path: `${CONFIG_NAMESPACE}:${p.path}` })),
]);

const serviceProjectId = stack.serviceProjectId
    ?? openstack.identity.getProjectOutput({ name: stack.serviceProjectName }).apply((p) => p.id);
const troveUserId = stack.troveUserId
    ?? openstack.identity.getUserOutput({ name: stack.troveUserName }).apply((u) => u.id);

const region = new TroveRegion("trove", { ...args, serviceProjectId, troveUserId });

export = regionOutputs(region);
