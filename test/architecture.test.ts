// The layout is the architecture: the folders of components/ import each other without a loop, so
// each concern can be read (and changed) with only the ones below it in mind.
import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "..", "components");

/** Folder -> the other folders its files import. */
function folderImports(): Map<string, Set<string>> {
    const graph = new Map<string, Set<string>>();
    for (const folder of fs.readdirSync(root).filter((f) => fs.statSync(path.join(root, f)).isDirectory())) {
        const deps = new Set<string>();
        for (const file of fs.readdirSync(path.join(root, folder)).filter((f) => f.endsWith(".ts"))) {
            const text = fs.readFileSync(path.join(root, folder, file), "utf8");
            for (const m of text.matchAll(/from "\.\.\/([a-z-]+)\//g)) if (m[1] !== folder) deps.add(m[1]);
        }
        graph.set(folder, deps);
    }
    return graph;
}

/** A loop through the graph, if there is one, as the folders on it. */
function findLoop(graph: Map<string, Set<string>>): string[] | undefined {
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (node: string): string[] | undefined => {
        if (state.get(node) === "done") return undefined;
        if (state.get(node) === "open") return [...stack.slice(stack.indexOf(node)), node];
        state.set(node, "open");
        stack.push(node);
        for (const next of graph.get(node) ?? []) {
            const loop = visit(next);
            if (loop) return loop;
        }
        stack.pop();
        state.set(node, "done");
        return undefined;
    };
    for (const node of graph.keys()) {
        const loop = visit(node);
        if (loop) return loop;
    }
    return undefined;
}

test("the folders of components/ import each other without a loop", () => {
    const graph = folderImports();
    expect(graph.get("registry")).not.toContain("datastores");
    expect(graph.get("datastores")).not.toContain("registry");
    expect(findLoop(graph)).toBeUndefined();
});

test("the loop finder finds a loop", () => {
    expect(findLoop(new Map([["a", new Set(["b"])], ["b", new Set(["a"])]]))).toEqual(["a", "b", "a"]);
});

test("common/ and model/ are the bottom: they import no concern", () => {
    const graph = folderImports();
    expect([...graph.get("common")!]).toEqual([]);
    expect([...graph.get("model")!].filter((d) => d !== "common")).toEqual([]);
});
