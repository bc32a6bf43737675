// Shell text built from values: the one quoting helper, so every command line the package writes
// (local commands, remote SSH lines, generated scripts) quotes the same way.

/** Characters that mean nothing to a POSIX shell anywhere in a word, so a word of only these needs no quotes. */
const PLAIN_WORD = /^[A-Za-z0-9_./:@+-]+$/;

/**
 * `value` as one word of POSIX `sh` (and bash) text that the shell reads back as exactly `value`,
 * whatever it holds: spaces, quotes, `$`, backticks, `\`, `!`, `*`, newlines, or nothing.
 *
 * A word of only letters, digits and `_ . / : @ + -` is left as it is, so generated commands stay
 * readable (`cd /opt/trove/integration/scripts`). Anything else is wrapped in single quotes, inside
 * which the shell expands, splits and globs nothing (a newline stays a newline; bash's `!` history
 * expansion does not apply either); a `'` in the value, which cannot appear inside single quotes,
 * becomes `'\''`: close the quotes, an escaped quote, reopen. The empty string becomes `''`, an
 * empty argument rather than none. `=`, `%` and `~` are quoted too, so a value in a command's first
 * position is never taken for an assignment, a job or a home directory.
 *
 * For shell text only: the value must not contain a NUL byte, which no shell word can hold.
 */
export function shellQuote(value: string): string {
    if (value.includes("\0")) throw new Error(`a shell word cannot hold a NUL byte: ${JSON.stringify(value)}`);
    return PLAIN_WORD.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
