import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecretInput, named, plain, settle } from "../mocks";
import {
    DatastoreVersionRestrictions, diffRestrictions, observedRestriction, planRemoval, planRestriction, restrictionArgv, sameSet,
    shellLine, troveManageOutcome, validateVersionRestrictionsArgs, type VersionRestrictionsState,
} from "../../components/datastores/version-restrictions";

const mocks = installMocks();
beforeEach(() => mocks.reset());

const target = { datastore: "mysql", version: "5.7.29", versionNumber: "5.7.29" };

describe("restrictionArgv", () => {
    test("add: config file first, the items comma-joined, the version number last", () => {
        expect(restrictionArgv({ ...target, command: "/opt/trove-manage", configFile: "/etc/trove/trove.conf" }, "flavors", "add", ["1", "m1.db"])).toEqual([
            "/opt/trove-manage", "--config-file", "/etc/trove/trove.conf",
            "datastore_version_flavor_add", "mysql", "5.7.29", "1,m1.db", "--version", "5.7.29",
        ]);
    });

    test("delete of a volume type, with the default command and no config file", () => {
        expect(restrictionArgv({ ...target, version: "5.7-custom" }, "volumeTypes", "delete", ["ssd"])).toEqual([
            "trove-manage", "datastore_version_volume_type_delete", "mysql", "5.7-custom", "ssd", "--version", "5.7.29",
        ]);
    });

    test("a delete takes exactly one item, an add at least one", () => {
        expect(() => restrictionArgv(target, "flavors", "delete", ["1", "2"])).toThrow(/exactly one flavor, not 2/);
        expect(() => restrictionArgv(target, "volumeTypes", "add", [])).toThrow(/at least one volume type, not 0/);
    });

    test("the remote line quotes what the shell would read otherwise", () => {
        expect(shellLine(["trove-manage", "--config-file", "/etc/my trove.conf", "datastore_version_flavor_add", "my'sql", "5.7", "1,2"]))
            .toBe("trove-manage --config-file '/etc/my trove.conf' datastore_version_flavor_add 'my'\\''sql' 5.7 '1,2'");
    });
});

describe("troveManageOutcome: what trove-manage printed (it exits 0 either way)", () => {
    test.each([
        ["flavors", "add", "Added flavors '1,2' to the 'mysql' '5.7.29'.\n", "done"],
        ["flavors", "add", "Flavor 2 is already associated with datastore version 0a1b\n", "already"],
        ["flavors", "add", "Datastore version '5.7.29' cannot be found.\n", "unknown"],
        ["flavors", "delete", "Deleted flavor '2' from 'mysql' '5.7.29'.\n", "done"],
        ["flavors", "delete", "Flavor 2 is not supported for datastore version 0a1b\n", "already"],
        ["volumeTypes", "add", "Added volume type 'ssd' to the 'mysql' '5.7.29'.\n", "done"],
        ["volumeTypes", "add", "Datastore version 0a1b and volume-type ssd mapping already exists.\n", "already"],
        ["volumeTypes", "delete", "Deleted volume type 'ssd' from 'mysql' '5.7.29'.\n", "done"],
        ["volumeTypes", "delete", "The volume type ssd is not valid for datastore version 0a1b.\n", "already"],
        ["volumeTypes", "delete", "DBDatastore Not Found\n", "unknown"],
        ["volumeTypes", "add", "", "unknown"],
    ] as const)("%s %s: %j is %s", (kind, op, output, outcome) => {
        expect(troveManageOutcome(kind, op, output)).toBe(outcome);
    });

    test("log lines before the message do not hide it", () => {
        expect(troveManageOutcome("flavors", "add", "2026-01-01 WARNING oslo_db something\nAdded flavors '1' to the 'mysql' '5.7'.\n")).toBe("done");
    });
});

describe("sameSet", () => {
    test("order and repetition do not count", () => {
        expect(sameSet(["a", "b"], ["b", "a"])).toBe(true);
        expect(sameSet(["a", "a", "b"], ["b", "a"])).toBe(true);
        expect(sameSet(["a"], ["a", "b"])).toBe(false);
        expect(sameSet([], [])).toBe(true);
    });
});

describe("planRestriction", () => {
    const universe = ["1", "2", "3", "4"];

    test("restricted: add what is missing, remove what is extra", () => {
        expect(planRestriction({ desired: ["1", "3"], recorded: ["1", "2"], allowed: ["1", "2"], universe })).toEqual({ add: ["3"], remove: ["2"] });
    });

    test("restricted: what Trove allows counts, not what the state records (an association removed out of band is added)", () => {
        expect(planRestriction({ desired: ["1", "2"], recorded: ["1", "2"], allowed: ["2"], universe })).toEqual({ add: ["1"], remove: [] });
    });

    test("restricted: associations added out of band are removed", () => {
        expect(planRestriction({ desired: ["1"], recorded: ["1"], allowed: ["1", "4"], universe })).toEqual({ add: [], remove: ["4"] });
    });

    test("a recorded item that no longer exists is removed too: its association is invisible", () => {
        expect(planRestriction({ desired: ["1"], recorded: ["1", "gone"], allowed: ["1"], universe })).toEqual({ add: [], remove: ["gone"] });
    });

    test("not restricted (Trove allows everything): every desired item is added, everything else removed", () => {
        expect(planRestriction({ desired: ["2", "1"], recorded: [], allowed: universe, universe })).toEqual({ add: ["2", "1"], remove: ["3", "4"] });
    });

    test("wanted not restricted: remove what Trove allows when restricted, what is recorded when it allows everything", () => {
        expect(planRestriction({ desired: [], recorded: ["1"], allowed: ["1", "2"], universe })).toEqual({ add: [], remove: ["1", "2"] });
        expect(planRestriction({ desired: [], recorded: ["1", "2", "3", "4"], allowed: universe, universe })).toEqual({ add: [], remove: ["1", "2", "3", "4"] });
        expect(planRestriction({ desired: [], recorded: [], allowed: universe, universe })).toEqual({ add: [], remove: [] });
    });

    test("already as wanted: nothing to do", () => {
        expect(planRestriction({ desired: ["3", "1"], recorded: ["1", "3"], allowed: ["1", "3"], universe })).toEqual({ add: [], remove: [] });
    });

    test("restricted to every item there is, and wanted so: every one is added again (Trove says 'already'), nothing removed", () => {
        expect(planRestriction({ desired: ["1", "2"], recorded: ["1", "2"], allowed: ["1", "2"], universe: ["1", "2"] })).toEqual({ add: ["1", "2"], remove: [] });
    });
});

describe("planRemoval", () => {
    const universe = ["1", "2", "3"];

    test("restricted: only the recorded items Trove still allows, and those that no longer exist", () => {
        expect(planRemoval({ recorded: ["1", "2", "gone"], allowed: ["2", "3"], universe })).toEqual(["2", "gone"]);
    });

    test("Trove allows everything: every recorded item (not associated, or all associated: both look alike)", () => {
        expect(planRemoval({ recorded: ["1", "2"], allowed: universe, universe })).toEqual(["1", "2"]);
    });
});

describe("observedRestriction: what a read records", () => {
    test("restricted: what Trove allows, in the recorded order when it is the same set", () => {
        expect(observedRestriction(["3", "1"], ["1", "2", "3"], ["3", "1"])).toEqual(["3", "1"]);
        expect(observedRestriction(["1", "3"], ["1", "2", "3"], ["3", "1"])).toEqual(["3", "1"]);
        expect(observedRestriction(["3"], ["1", "2", "3"], ["1", "3"])).toEqual(["3"]);
    });

    test("Trove allows everything: not restricted ([]), so a subset whose associations were all removed differs", () => {
        expect(observedRestriction(["1", "2", "3"], ["1", "2", "3"], ["1", "3"])).toEqual([]);
        expect(observedRestriction(["1", "2", "3"], ["1", "2", "3"], [])).toEqual([]);
    });

    test("restricted to every item there is looks like not restricted: the recorded list is kept", () => {
        expect(observedRestriction(["1", "2"], ["1", "2"], ["2", "1"])).toEqual(["2", "1"]);
    });
});

describe("diffRestrictions", () => {
    const state: VersionRestrictionsState = {
        connection: { authUrl: "http://127.0.0.1:5000/v3", username: "trove", password: "pw", projectName: "service" },
        versionId: "v-1", ...target, flavors: ["1", "2"], volumeTypes: ["ssd"], configFile: "/etc/trove/trove.conf",
    };

    test("the same sets in another order: no change", () => {
        expect(diffRestrictions(state, { ...state, flavors: ["2", "1"] })).toEqual({ changes: [], replaces: [] });
    });

    test("a flavor added and one removed: an update in place", () => {
        expect(diffRestrictions(state, { ...state, flavors: ["1", "3"] })).toEqual({ changes: ["flavors"], replaces: [] });
        expect(diffRestrictions(state, { ...state, volumeTypes: [] })).toEqual({ changes: ["volumeTypes"], replaces: [] });
    });

    test("a new version id replaces", () => {
        expect(diffRestrictions(state, { ...state, versionId: "v-2" })).toEqual({ changes: ["versionId"], replaces: ["versionId"] });
    });

    test("where and how trove-manage runs, the version's name and the connection: updates in place", () => {
        const ssh = { host: "10.0.0.5", user: "root", privateKey: "KEY" };
        expect(diffRestrictions(state, { ...state, version: "5.7-renamed", command: "/usr/bin/trove-manage", ssh }).changes)
            .toEqual(["version", "command", "ssh"]);
        expect(diffRestrictions(state, { ...state, connection: { ...state.connection, password: "new" } })).toEqual({ changes: ["connection"], replaces: [] });
        expect(diffRestrictions(state, { ...state, configFile: undefined }).changes).toEqual(["configFile"]);
    });
});

describe("validateVersionRestrictionsArgs", () => {
    test("good lists: no problems", () => {
        expect(validateVersionRestrictionsArgs({ flavors: ["1", "6f1c-4e2a", "m1.db"], volumeTypes: ["ssd"] })).toEqual([]);
        expect(validateVersionRestrictionsArgs({ flavors: ["1"] })).toEqual([]);
        expect(validateVersionRestrictionsArgs({ volumeTypes: ["ssd"], flavors: [] })).toEqual([]);
    });

    test("every problem, with its path, the value given and the fix", () => {
        expect(validateVersionRestrictionsArgs({ flavors: ["1", "", "2,3", "m1 db", "1"], volumeTypes: ["ssd", "ssd"] })).toEqual([
            { path: "flavors[1]", message: "must be a Nova flavor id, a non-empty string; got \"\"" },
            { path: "flavors[2]", message: "\"2,3\" contains a comma, which trove-manage reads as a separator; give each flavor as its own item" },
            { path: "flavors[3]", message: "\"m1 db\" contains whitespace; give a Nova flavor id exactly as Nova lists it" },
            { path: "flavors[4]", message: "\"1\" is already flavors[0]; list each flavor once" },
            { path: "volumeTypes[1]", message: "\"ssd\" is already volumeTypes[0]; list each volume type once" },
        ]);
    });

    test("not a string, not a list", () => {
        const problems = validateVersionRestrictionsArgs({ flavors: [7 as unknown as string], volumeTypes: "ssd" as unknown as string[] });
        expect(problems).toEqual([
            { path: "flavors[0]", message: "must be a Nova flavor id, a non-empty string; got 7" },
            { path: "volumeTypes", message: "must be a list of volume type names, got \"ssd\"" },
        ]);
    });

    test("both lists empty: nothing to restrict", () => {
        expect(validateVersionRestrictionsArgs({})).toEqual([{
            path: "",
            message: "flavors and volumeTypes are both empty: nothing to restrict; list the flavor ids or volume type names the version allows, or leave this resource out",
        }]);
        expect(validateVersionRestrictionsArgs({ flavors: [], volumeTypes: [] })).toHaveLength(1);
    });
});

describe("DatastoreVersionRestrictions", () => {
    const connection = pulumi.secret({ authUrl: "http://127.0.0.1:5000/v3", username: "trove", password: "pw", projectName: "service" });

    test("one resource with the lists, the connection and the SSH key secret", async () => {
        new DatastoreVersionRestrictions("r", {
            connection, versionId: "v-1", ...target, flavors: ["1"],
            ssh: { host: "10.0.0.5", user: "root", privateKey: "KEY" }, configFile: "/etc/trove/trove.conf",
        });
        await settle();
        const r = named(mocks.resources, "r");
        expect(r.type).toBe("pulumi-nodejs:dynamic/trove-region:DatastoreVersionRestrictions");
        expect(r.inputs).toMatchObject({ versionId: "v-1", datastore: "mysql", version: "5.7.29", versionNumber: "5.7.29", flavors: ["1"], volumeTypes: [] });
        expect(isSecretInput(r.inputs.connection)).toBe(true);
        expect(isSecretInput(r.inputs.ssh)).toBe(true);
        expect(plain<{ host: string }>(r.inputs.ssh).host).toBe("10.0.0.5");
    });

    test("bad lists throw every problem before anything is registered", () => {
        expect(() => new DatastoreVersionRestrictions("bad", { connection, versionId: "v-1", ...target, flavors: ["a,b"], volumeTypes: ["x y"] }))
            .toThrow(/DatastoreVersionRestrictions bad: 2 invalid settings:\n {2}- flavors\[0\]: "a,b" contains a comma[^\n]*\n {2}- volumeTypes\[0\]: "x y" contains whitespace/);
    });
});
