import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { atomicBuildScript, buildInputHash, digestPath, diskFormatOf, trovestackCommand } from "../../components/guest-image/build-inputs";
import { tempDir } from "../tmp";

function tree(files: Record<string, string>): string {
    const root = tempDir("tree");
    for (const [name, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
        fs.writeFileSync(path.join(root, name), content);
    }
    return root;
}

describe("input hash", () => {
    const base = { command: "build", environment: { A: "1", B: "2" }, paths: [] as string[] };

    test("the same inputs give the same hash; environment order does not matter", () => {
        expect(buildInputHash(base)).toBe(buildInputHash({ ...base, environment: { B: "2", A: "1" } }));
    });

    test.each([
        ["command", { ...base, command: "build --other" }],
        ["an environment value", { ...base, environment: { A: "1", B: "3" } }],
        ["a new environment variable", { ...base, environment: { ...base.environment, C: "" } }],
        ["the Trove ref", { ...base, troveRef: "stable/2024.1" }],
    ])("changing %s changes the hash", (_label, changed) => {
        expect(buildInputHash(changed)).not.toBe(buildInputHash(base));
    });

    test("content changes the digest; location, .git and .pyc do not", () => {
        const a = tree({ "elements/x/install.d/10-x": "echo x", "trovestack": "#!/bin/bash" });
        const b = tree({ "elements/x/install.d/10-x": "echo x", "trovestack": "#!/bin/bash", ".git/HEAD": "ref", "m.pyc": "junk" });
        expect(digestPath(a)).toBe(digestPath(b));
        fs.writeFileSync(path.join(b, "elements/x/install.d/10-x"), "echo y");
        expect(digestPath(a)).not.toBe(digestPath(b));
    });

    test("a file's executable bit changes the digest", () => {
        const a = tree({ "run": "x" });
        const before = digestPath(a);
        fs.chmodSync(path.join(a, "run"), 0o755);
        expect(digestPath(a)).not.toBe(before);
    });

    test("paths are hashed by content", () => {
        const a = tree({ "f": "1" });
        const b = tree({ "f": "1" });
        expect(buildInputHash({ ...base, paths: [a] })).toBe(buildInputHash({ ...base, paths: [b] }));
        fs.writeFileSync(path.join(b, "f"), "2");
        expect(buildInputHash({ ...base, paths: [a] })).not.toBe(buildInputHash({ ...base, paths: [b] }));
    });
});

describe("commands", () => {
    test("trovestack build-image with the seeds' arguments, dev mode off, noble unless jammy is asked for", () => {
        expect(trovestackCommand({ troveDir: "/opt/trove" })).toBe(
            'cd /opt/trove/integration/scripts && ./trovestack build-image ubuntu noble false ubuntu "$GUEST_IMAGE_OUTPUT"');
        expect(trovestackCommand({ troveDir: "/my trove", release: "jammy", devMode: true, guestUsername: "admin" }))
            .toBe(`cd '/my trove/integration/scripts' && ./trovestack build-image ubuntu jammy true admin "$GUEST_IMAGE_OUTPUT"`);
    });

    test("disk format from the extension", () => {
        expect(diskFormatOf("a.qcow2")).toBe("qcow2");
        expect(diskFormatOf("a.raw")).toBe("raw");
        expect(diskFormatOf("a.img")).toBe("raw");
        expect(diskFormatOf("a.vmdk")).toBeUndefined();
    });

    test("the atomic build script: success publishes the file; a failed build leaves nothing", () => {
        const dir = tempDir("build");
        const out = path.join(dir, "images", "guest.qcow2");
        execFileSync("bash", ["-c", atomicBuildScript('echo image > "$GUEST_IMAGE_OUTPUT"', out)]);
        expect(fs.readFileSync(out, "utf8")).toBe("image\n");

        const failed = path.join(dir, "images", "failed.qcow2");
        expect(() => execFileSync("bash", ["-c", atomicBuildScript('echo half > "$GUEST_IMAGE_OUTPUT"; exit 3', failed)], { stdio: "pipe" })).toThrow();
        expect(fs.readdirSync(path.join(dir, "images"))).toEqual(["guest.qcow2"]);

        const empty = path.join(dir, "images", "empty.qcow2");
        expect(() => execFileSync("bash", ["-c", atomicBuildScript("true", empty)], { stdio: "pipe" })).toThrow(/wrote nothing/);
        expect(fs.existsSync(empty)).toBe(false);
    });

    test("an existing output is not rebuilt", () => {
        const dir = tempDir("build");
        const out = path.join(dir, "guest.qcow2");
        fs.writeFileSync(out, "old");
        const log = execFileSync("bash", ["-c", atomicBuildScript('echo new > "$GUEST_IMAGE_OUTPUT"', out)]).toString();
        expect(log).toContain("already built");
        expect(fs.readFileSync(out, "utf8")).toBe("old");
    });
});
