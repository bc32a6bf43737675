/** A value oslo.config reads: lists become comma-separated, booleans True/False. */
export type IniValue = string | number | boolean | readonly string[];

export interface IniSection {
    readonly name: string;
    /** Options in the order they are rendered; undefined values are left out. */
    readonly options: readonly (readonly [string, IniValue | undefined])[];
}

export function iniValue(value: IniValue): string {
    if (typeof value === "boolean") return value ? "True" : "False";
    if (Array.isArray(value)) return value.join(",");
    const text = String(value);
    if (/[\r\n]/.test(text)) throw new Error(`an ini value cannot span lines: ${JSON.stringify(text)}`);
    return text;
}

/**
 * Renders sections as oslo.config ini text, in the order given. Sections with no options set are
 * left out, so a fragment carries only what this package decides.
 */
export function renderIni(sections: readonly IniSection[]): string {
    const blocks: string[] = [];
    for (const section of sections) {
        const lines = section.options
            .filter((entry): entry is readonly [string, IniValue] => entry[1] !== undefined)
            .map(([key, value]) => `${key} = ${iniValue(value)}`);
        if (lines.length > 0) blocks.push([`[${section.name}]`, ...lines].join("\n"));
    }
    return blocks.length > 0 ? blocks.join("\n\n") + "\n" : "";
}
