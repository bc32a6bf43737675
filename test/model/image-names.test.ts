import * as bcrypt from "bcryptjs";
import { backupImage, checkDockerTag, checkRegistryAddress, checkRepositoryName, datastoreImage, tagged } from "../../components/model/image-names";
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
