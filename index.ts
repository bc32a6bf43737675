// The stack program: config in, one TroveRegion, outputs out.
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { loadRegionConfig, rawStackConfig, regionOutputs, troveConnectionFrom, TroveRegion } from "./components";

const { connection, missing } = troveConnectionFrom(new pulumi.Config("openstack"), process.env);
// Every setting is checked before anything is registered: a bad config creates nothing.
const { args, stack } = loadRegionConfig(rawStackConfig(), connection, missing);

const serviceProjectId = stack.serviceProjectId
    ?? openstack.identity.getProjectOutput({ name: stack.serviceProjectName }).apply((p) => p.id);
const troveUserId = stack.troveUserId
    ?? openstack.identity.getUserOutput({ name: stack.troveUserName }).apply((u) => u.id);

const region = new TroveRegion("trove", { ...args, serviceProjectId, troveUserId });

export = regionOutputs(region);
