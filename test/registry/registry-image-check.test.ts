import { describeMissing, ImageRequirement, lookUp, missingImagesMessage } from "../../components/registry/registry-image-check";

const datastore: ImageRequirement = { purpose: "datastore image of mariadb 11.8-live", repository: "trove-datastores/mariadb", tags: ["11.8"] };
const backup: ImageRequirement = { purpose: "backup image of mariadb 11.8-live", repository: "trove-datastores/db-backup-mariadb", tags: ["11.8.9", "11.8", "11"] };

describe("the registry image check", () => {
    test("each requirement is met by the first of its tags the registry has, in the guest's order", async () => {
        const asked: string[] = [];
        const have = new Set(["trove-datastores/mariadb:11.8", "trove-datastores/db-backup-mariadb:11.8", "trove-datastores/db-backup-mariadb:11"]);
        const result = await lookUp([datastore, backup], async (repo, tag) => {
            asked.push(`${repo}:${tag}`);
            return have.has(`${repo}:${tag}`);
        });
        expect(result).toEqual({ found: { [datastore.purpose]: "11.8", [backup.purpose]: "11.8" }, missing: [] });
        // It stops at the first hit: 11 is never asked.
        expect(asked).toEqual(["trove-datastores/mariadb:11.8", "trove-datastores/db-backup-mariadb:11.8.9", "trove-datastores/db-backup-mariadb:11.8"]);
    });

    test("a requirement none of whose tags exist is missing, and the message names each tag and what needs it", async () => {
        const { missing } = await lookUp([datastore, backup], async (repo) => repo.endsWith("/mariadb"));
        expect(missing).toEqual([backup]);
        expect(describeMissing(datastore)).toBe("trove-datastores/mariadb:11.8");
        expect(missingImagesMessage("10.0.0.5:4000", missing)).toBe(
            "the registry 10.0.0.5:4000 lacks an image guests would pull: trove-datastores/db-backup-mariadb:{11.8.9|11.8|11} " +
            "(backup image of mariadb 11.8-live). Publish them (datastoreImages pushes them on the next up; after an out-of-band " +
            "deletion run `pulumi up --refresh`), or fix the datastore version's number, which is the tag guests pull");
    });
});
