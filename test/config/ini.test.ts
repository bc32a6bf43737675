import { iniValue, renderIni } from "../../components/config/ini";

describe("renderIni", () => {
    test("sections in order, unset options and empty sections left out, oslo value forms", () => {
        expect(renderIni([
            { name: "DEFAULT", options: [["a", "x"], ["unset", undefined], ["flag", true], ["off", false], ["n", 10], ["list", ["sg-1", "sg-2"]]] },
            { name: "empty", options: [["nothing", undefined]] },
            { name: "mysql", options: [["docker_image", "r:4000/trove-datastores/mysql"]] },
        ])).toBe([
            "[DEFAULT]", "a = x", "flag = True", "off = False", "n = 10", "list = sg-1,sg-2", "",
            "[mysql]", "docker_image = r:4000/trove-datastores/mysql", "",
        ].join("\n"));
    });

    test("nothing to render renders nothing", () => {
        expect(renderIni([{ name: "x", options: [] }])).toBe("");
    });

    test("a value cannot smuggle in a new line", () => {
        expect(() => iniValue("a\n[DEFAULT]")).toThrow(/cannot span lines/);
    });
});
