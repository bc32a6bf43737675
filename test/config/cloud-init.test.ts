import * as yaml from "js-yaml";
import { cloudInitFileName, cloudInitFiles, renderCloudInit, validateCloudInit } from "../../components/config/cloud-init";

describe("renderCloudInit", () => {
    test("a #cloud-config document Trove's yaml.safe_load reads back as the same mapping", () => {
        const config = { runcmd: ["sysctl -w vm.swappiness=1"], write_files: [{ path: "/etc/sysctl.d/90-db.conf", content: "vm.swappiness = 1\n" }] };
        const text = renderCloudInit(config);
        expect(text.startsWith("#cloud-config\n")).toBe(true);
        expect(yaml.load(text)).toEqual(config);
    });

    test("one file per manager, named as Trove looks for it", () => {
        expect(cloudInitFileName("postgresql")).toBe("postgresql.cloudinit");
        expect(Object.keys(cloudInitFiles({ mariadb: { runcmd: ["a"] }, mysql: { runcmd: ["b"] } }))).toEqual(["mariadb.cloudinit", "mysql.cloudinit"]);
    });
});

describe("validateCloudInit", () => {
    test.each<[string, Record<string, unknown>, string, RegExp]>([
        ["a manager no datastore uses", { postgresql: { runcmd: ["a"] } }, "postgresql", /not the manager of any configured datastore version \(mariadb\)/],
        ["a shell script, which Trove would drop", { mariadb: "#!/bin/sh\necho hi" }, "mariadb", /is not a cloud-config mapping/],
        ["a list", { mariadb: ["runcmd"] }, "mariadb", /is not a cloud-config mapping/],
        ["an empty mapping", { mariadb: {} }, "mariadb", /is empty/],
        ["write_files not a list", { mariadb: { write_files: { path: "/x" } } }, "mariadb.write_files", /is not a list/],
        ["a relative path", { mariadb: { write_files: [{ path: "etc/x" }] } }, "mariadb.write_files[0].path", /not an absolute path/],
        ["a file where Trove writes its own", { mariadb: { write_files: [{ path: "/etc/trove/conf.d/guest_info.conf" }] } }, "mariadb.write_files[0].path", /where Trove writes the guest's own configuration/],
    ])("%s is refused", (_label, cloudInit, path, message) => {
        expect(validateCloudInit(cloudInit, ["mariadb"])).toContainEqual({ path, message: expect.stringMatching(message) });
    });

    test("a mapping for a configured manager is fine", () => {
        expect(validateCloudInit({ mariadb: { runcmd: ["echo"], write_files: [{ path: "/etc/sysctl.d/90-db.conf", content: "x" }] } }, ["mariadb"])).toEqual([]);
    });
});
