import { execFileSync } from "child_process";
import { shellQuote } from "../../components/common/shell";

/** What `shell -c <text>` prints. */
function run(shell: string, text: string): string {
    return execFileSync(shell, ["-c", text], { encoding: "utf8" });
}

const VALUES: [string, string][] = [
    ["spaces", "a b  c"],
    ["single quotes", "it's 'quoted'"],
    ["double quotes", 'say "hi"'],
    ["a dollar", "$HOME ${PATH} $(id)"],
    ["backticks", "`id` and `uname`"],
    ["newlines", "line 1\nline 2\n"],
    ["an exclamation mark", "!! hi!"],
    ["the empty string", ""],
    ["a backslash", "a\\b\\"],
    ["globs and braces", "* ? [ab] {a,b} ~"],
    ["operators", "a;b&&c||d|e>f<g&"],
    ["an assignment", "X=1"],
    ["a job spec", "%1"],
    ["a comment sign", "#x"],
    ["a leading dash", "-rf"],
    ["tabs and unicode", "\tü \u00a0✓"],
    ["everything", "'\"$`\\!\n *"],
];

/**
 * What one run of `shell` prints for each value: the value as printed back, and (`countWords`) the
 * number of words it made, each followed by a NUL (no value here holds one). One process per shell,
 * not one per value: spawning from a test worker costs far more than the shell's work.
 */
function roundTrips(shell: string, countWords: boolean): { printed: string; words?: string }[] {
    const script = VALUES.map(([, value]) => `printf '%s\\0' ${shellQuote(value)}` +
        (countWords ? `; set -- ${shellQuote(value)}; printf '%s\\0' "$#"` : "")).join("\n");
    // History expansion on, as in an interactive bash: `!` must stay literal all the same.
    const fields = run(shell, (shell === "bash" ? "set -H\n" : "") + script).split("\0");
    const step = countWords ? 2 : 1;
    return VALUES.map((_, i) => ({ printed: fields[i * step], words: countWords ? fields[i * step + 1] : undefined }));
}

describe("shellQuote", () => {
    const bash = roundTrips("bash", true);
    const sh = roundTrips("sh", false);

    test.each(VALUES.map((v, i) => [...v, i] as const))("round trip through bash as one word: %s", (_label, value, i) => {
        expect(bash[i]).toEqual({ printed: value, words: "1" });
    });

    test.each(VALUES.map((v, i) => [...v, i] as const))("round trip through POSIX sh: %s", (_label, value, i) => {
        expect(sh[i].printed).toBe(value);
    });

    test("several values stay several words", () => {
        const words = ["a b", "", "it's", "$x"];
        expect(run("bash", `printf '[%s]' ${words.map(shellQuote).join(" ")}`)).toBe("[a b][][it's][$x]");
    });

    test("plain words stay as they are; the rest goes in single quotes", () => {
        expect(shellQuote("plain-1.2/x")).toBe("plain-1.2/x");
        expect(shellQuote("/opt/trove/integration/scripts")).toBe("/opt/trove/integration/scripts");
        expect(shellQuote("user@host:2222")).toBe("user@host:2222");
        expect(shellQuote("it's")).toBe(`'it'\\''s'`);
        expect(shellQuote("")).toBe("''");
        expect(shellQuote("a b")).toBe("'a b'");
        expect(shellQuote("X=1")).toBe("'X=1'");
    });

    test("a value in the command position is a command, not an assignment", () => {
        expect(() => run("bash", `${shellQuote("X=1")} 2>/dev/null`)).toThrow();
    });

    test("a NUL byte, which no shell word can hold, is refused", () => {
        expect(() => shellQuote("a\0b")).toThrow(/NUL/);
    });
});
