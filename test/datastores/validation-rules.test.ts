import { parameterBody, parseValidationRules, splitByLoadPath } from "../../components/datastores/validation-rules";
import { diffRules } from "../../components/datastores/datastore-parameters";

const doc = JSON.stringify({
    "configuration-parameters": [
        { name: "max_connections", restart_required: false, min: 1, max: 100000, type: "integer" },
        { name: "character_set_server", restart_required: false, type: "string" },
        { name: "autocommit", restart_required: false, type: "boolean" },
        { name: "long_query_time", restart_required: false, min: 0, type: "float" },
        { name: "innodb_log_file_size", restart_required: true, min: 1, type: "integer" },
    ],
});

describe("validation-rules.json", () => {
    test("parses every entry", () => {
        const rules = parseValidationRules(doc);
        expect(rules).toHaveLength(5);
        expect(rules[0]).toEqual({ name: "max_connections", type: "integer", restartRequired: false, min: 1, max: 100000 });
    });

    test("integer and string go over REST; boolean and float need trove-manage", () => {
        const { rest, troveManage } = splitByLoadPath(parseValidationRules(doc));
        expect(rest.map((r) => r.name)).toEqual(["max_connections", "character_set_server", "innodb_log_file_size"]);
        expect(troveManage.map((r) => r.name)).toEqual(["autocommit", "long_query_time"]);
    });

    test("REST bodies: restart_required as 0/1, both bounds for integers", () => {
        const rules = parseValidationRules(doc);
        expect(parameterBody(rules[0])).toEqual({ "configuration-parameter": { name: "max_connections", data_type: "integer", restart_required: 0, min_size: 1, max_size: 100000 } });
        expect(parameterBody(rules[4])["configuration-parameter"]).toMatchObject({ restart_required: 1, min_size: 1, max_size: Number.MAX_SAFE_INTEGER });
        expect(parameterBody(rules[1])).toEqual({ "configuration-parameter": { name: "character_set_server", data_type: "string", restart_required: 0 } });
    });

    test.each([
        ["not JSON", "{", /is not JSON/],
        ["no list", "{}", /no "configuration-parameters" list/],
        ["no name", JSON.stringify({ "configuration-parameters": [{ type: "integer" }] }), /\[0\] has no name/],
        ["bad type", JSON.stringify({ "configuration-parameters": [{ name: "x", type: "list" }] }), /has type "list"/],
        ["twice", JSON.stringify({ "configuration-parameters": [{ name: "x", type: "string" }, { name: "x", type: "string" }] }), /declared twice/],
    ])("%s is refused", (_label, text, message) => {
        expect(() => parseValidationRules(text, "rules.json")).toThrow(message);
    });

    test("diffRules finds what to add, change and remove", () => {
        const [a, b, , , e] = parseValidationRules(doc);
        expect(diffRules([a, b], [{ ...a, max: 5000 }, e])).toEqual({ added: [e], changed: [{ ...a, max: 5000 }], removed: ["character_set_server"] });
    });
});
