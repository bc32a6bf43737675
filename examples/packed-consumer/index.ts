// Another team's program: it installs trove-region from its tarball and composes a region of its own
// from the package's public API, with its own settings, instead of running the package's stack program.
import * as pulumi from "@pulumi/pulumi";
import { TroveRegion, troveConnectionFrom, throwIfProblems, validateTroveRegionArgs, TroveRegionArgs } from "trove-region";

const config = new pulumi.Config();
const suffix = config.require("suffix");
const { connection, missing } = troveConnectionFrom(new pulumi.Config("openstack"), process.env);
throwIfProblems("the OpenStack settings", missing.map((setting) => ({ path: setting, message: "is not set" })));

const args: TroveRegionArgs = {
    // As the service user in its own project: the provider's project and user.
    serviceProjectId: config.require("serviceProjectId"),
    maxInstances: 50,
    controllers: 2,
    managementNetwork: {
        cidr: "10.253.0.0/24",
        networkName: `trove-mgmt-${suffix}`,
        routing: { mode: "host-routes", routes: [{ destination: "192.0.2.0/24", nexthop: "10.253.0.254" }] },
    },
    securityGroups: { name: `trove-mgmt-${suffix}`, sshFromCidrs: ["192.0.2.10/32"] },
    keypair: { name: `trove-mgmt-${suffix}` },
    quotas: { instances: 50 },
    volumeType: { name: `trove-${suffix}` },
    datastores: [{ datastore: "mariadb", version: `11.8-${suffix}`, versionNumber: "11.8", sourceImage: "mariadb:11.8" }],
    guestImage: { name: `trove-guest-${suffix}`, source: { mode: "file", path: config.require("guestImageFile") } },
    trove: { connection },
};
// The package's validators are public: a program can check its arguments before it builds anything.
throwIfProblems("the region", validateTroveRegionArgs(args));
const region = new TroveRegion("packed", args);

export const managementNetworkId = region.network.networkId;
export const securityGroupId = region.securityGroups.securityGroupId;
export const datastoreVersionIds = region.datastores.versionIds;
export const troveConf = region.config.troveConf;
