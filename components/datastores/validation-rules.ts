/** One entry of Trove's `templates/<datastore>/validation-rules.json`. */
export interface ParameterRule {
    readonly name: string;
    readonly type: "integer" | "string" | "boolean" | "float";
    readonly restartRequired: boolean;
    readonly min?: number;
    readonly max?: number;
}

/**
 * Trove's management REST API only creates integer and string parameters (with min/max for
 * integers); boolean and float ones load only through `trove-manage db_load_datastore_config_parameters`.
 */
export const REST_TYPES = ["integer", "string"] as const;

/** Parses a validation-rules.json document; throws with the entry that is wrong. */
export function parseValidationRules(text: string, source = "validation-rules.json"): ParameterRule[] {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw new Error(`${source} is not JSON: ${(e as Error).message}`);
    }
    const entries = (doc as { "configuration-parameters"?: unknown })?.["configuration-parameters"];
    if (!Array.isArray(entries)) throw new Error(`${source} has no "configuration-parameters" list`);
    const seen = new Set<string>();
    return entries.map((raw: Record<string, unknown>, i: number) => {
        const at = `${source} configuration-parameters[${i}]`;
        if (typeof raw?.name !== "string" || !raw.name) throw new Error(`${at} has no name`);
        if (seen.has(raw.name)) throw new Error(`${at}: ${raw.name} is declared twice`);
        seen.add(raw.name);
        if (!["integer", "string", "boolean", "float"].includes(raw.type as string)) {
            throw new Error(`${at} (${raw.name}) has type ${JSON.stringify(raw.type)}; Trove knows integer, string, boolean and float`);
        }
        const rule: ParameterRule = {
            name: raw.name,
            type: raw.type as ParameterRule["type"],
            restartRequired: Boolean(raw.restart_required),
            ...(typeof raw.min === "number" ? { min: raw.min } : {}),
            ...(typeof raw.max === "number" ? { max: raw.max } : {}),
        };
        return rule;
    });
}

/** Splits rules by the path that can load them. */
export function splitByLoadPath(rules: readonly ParameterRule[]): { rest: ParameterRule[]; troveManage: ParameterRule[] } {
    const rest = rules.filter((r) => (REST_TYPES as readonly string[]).includes(r.type));
    return { rest, troveManage: rules.filter((r) => !rest.includes(r)) };
}

/** Body of `POST|PUT /mgmt/datastores/versions/{id}/parameters[/{name}]`. */
export function parameterBody(rule: ParameterRule): { "configuration-parameter": Record<string, unknown> } {
    const p: Record<string, unknown> = {
        name: rule.name,
        data_type: rule.type,
        restart_required: rule.restartRequired ? 1 : 0,
    };
    if (rule.type === "integer") {
        // Trove requires both bounds for integers; the rules file sometimes leaves one open.
        p.min_size = rule.min ?? 0;
        p.max_size = rule.max ?? Number.MAX_SAFE_INTEGER;
    }
    return { "configuration-parameter": p };
}
