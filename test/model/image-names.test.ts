import * as bcrypt from "bcryptjs";
import {
    backupImage, backupSeriesTags, backupTagFallbacks, checkDockerTag, checkRegistryAddress, checkRepositoryName, compareVersionNumbers, datastoreImage, tagged,
} from "../../components/model/image-names";
import { htpasswdLine } from "../../components/registry/htpasswd";

describe("image names", () => {
    test("the seeds' layout: <registry>/trove-datastores/<ds> and db-backup-<ds>, untagged", () => {
        expect(datastoreImage("10.0.0.5:4000", "mysql")).toBe("10.0.0.5:4000/trove-datastores/mysql");
        expect(backupImage("10.0.0.5:4000", "mariadb")).toBe("10.0.0.5:4000/trove-datastores/db-backup-mariadb");
        expect(tagged(backupImage("r:1", "mysql", "custom"), "5.7.29")).toBe("r:1/custom/db-backup-mysql:5.7.29");
    });

    test.each([["10.0.0.5:4000"], ["registry.example.org"], ["registry.example.org:443"], ["[2001:db8::1]:4000"], ["localhost:5000"]])("%s is a registry address", (a) => {
        expect(checkRegistryAddress(a)).toBeUndefined();
    });

    test.each([
        ["http://10.0.0.5:4000", /has a scheme; give host:port without it, e.g. "10.0.0.5:4000"/],
        ["10.0.0.5:4000/trove", /has a path/],
        ["10.0.0.5:99999", /ports run from 1 to 65535/],
        ["", /must not be empty/],
        ["bad host!", /not host:port/],
    ])("%s is refused", (a, message) => {
        expect(checkRegistryAddress(a)).toMatch(message);
    });

    test("tags and repositories", () => {
        expect(checkDockerTag("5.7.29")).toBeUndefined();
        expect(checkDockerTag("-bad")).toMatch(/cannot be a Docker tag/);
        expect(checkDockerTag("a".repeat(129))).toMatch(/cannot be a Docker tag/);
        expect(checkRepositoryName("trove-datastores")).toBeUndefined();
        expect(checkRepositoryName("Trove")).toMatch(/not a Docker repository name/);
    });
});

describe("htpasswdLine", () => {
    test("a bcrypt line that verifies, and the same for the same credentials", () => {
        const line = htpasswdLine("guest", "s3cret");
        const [user, hash] = line.split(":");
        expect(user).toBe("guest");
        expect(hash).toMatch(/^\$2y\$10\$/);
        expect(bcrypt.compareSync("s3cret", hash)).toBe(true);
        expect(bcrypt.compareSync("other", hash)).toBe(false);
        expect(htpasswdLine("guest", "s3cret")).toBe(line);
        expect(htpasswdLine("guest", "s3cret2")).not.toBe(line);
    });
});

describe("tags by version number: the guest's backup fallbacks and the series tags", () => {
    test("version numbers compare by their numbers, not as text", () => {
        expect(compareVersionNumbers("11.10", "11.9")).toBeGreaterThan(0);
        expect(compareVersionNumbers("11.4", "11.4.0")).toBeLessThan(0);
        expect(compareVersionNumbers("8.4.3", "8.4.3")).toBe(0);
    });

    test("the guest tries the number, then each shorter prefix, as Trove 26's get_backup_image does", () => {
        expect(backupTagFallbacks("11.4.5")).toEqual(["11.4.5", "11.4", "11"]);
        expect(backupTagFallbacks("17")).toEqual(["17"]);
    });

    test("series tags: every shorter prefix, each owned once by the newest number of its series", () => {
        expect([...backupSeriesTags(["11.4.5", "11.4.10", "11.8.3"])]).toEqual([["11", "11.8.3"], ["11.4", "11.4.10"], ["11.8", "11.8.3"]]);
    });

    test("a prefix that is itself a version number keeps its own image: no series tag over it", () => {
        expect([...backupSeriesTags(["11.4", "11.4.5"])]).toEqual([["11", "11.4.5"]]);
        expect([...backupSeriesTags(["17"])]).toEqual([]);
    });
});
