import * as fs from "fs";
import * as path from "path";
import { OUTPUT_NAMES } from "../../components/region/outputs";

const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");

describe("the outputs contract", () => {
    test("the set of output names is pinned: changing it breaks other teams' StackReferences", () => {
        expect([...OUTPUT_NAMES].sort()).toEqual([
            "backupImages", "cinderVolumeType", "cloudInitFiles", "controllerAddressRange", "datastoreImages", "datastoreVersionIds",
            "defaultDatastoreVersions", "guestAgentConf", "guestImageChecksum", "guestImageId", "imageDigests", "instRpcKeyEncrKey",
            "managementCidr", "managementGatewayIp", "managementNetworkId", "managementRouterId", "managementSecurityGroupId",
            "managementSubnetId", "novaKeypairName", "novaKeypairPrivateKey", "registryAddress", "taskmanagerRpcEncrKey", "troveConf",
        ]);
    });

    test("the README documents exactly these outputs", () => {
        const section = readme.split("## Outputs")[1].split("###")[0];
        const documented = [...section.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]);
        expect(documented.sort()).toEqual([...OUTPUT_NAMES].sort());
    });
});
