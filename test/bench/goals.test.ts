// bench/goals.ts: issue 17's goal lines end in PASS, FAIL or NOT MEASURED, and a figure that was not
// measured (or is not a number) never passes.
import { atMost, goalLine, limitGoal, minRatioGoal, ratioGoal } from "../../bench/goals";

describe("atMost", () => {
    it("is value <= limit, false for what is not a finite number", () => {
        expect(atMost(0.1, 0.1)).toBe(true);
        expect(atMost(0.1000001, 0.1)).toBe(false);
        expect(atMost(Number.NaN, 1)).toBe(false);
        expect(atMost(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toBe(false);
    });
});

describe("goalLine", () => {
    it("prints id, goal, value and target and ends in FAIL or PASS", () => {
        expect(goalLine({ id: "1a", goal: "no-change preview / CLI way", value: 0.21, target: "<= 0.10", pass: false }))
            .toBe(`goal 1a  ${"no-change preview / CLI way".padEnd(44)}   0.21  (target <= 0.10)  FAIL`);
        expect(goalLine({ id: "3b", goal: "up from empty / CLI way", value: 0.4, target: "<= 0.50", pass: true })).toMatch(/^goal 3b  up from empty \/ CLI way +0\.40  \(target <= 0\.50\)  PASS$/);
    });

    it("ends a figure not measured in NOT MEASURED, with its reason", () => {
        const line = goalLine({ id: "2a", goal: "preview, 30 versions / 3 versions", target: "<= 2.00", note: "needs the 30-version stack" });
        expect(line).toMatch(/ -  \(target <= 2\.00\)  NOT MEASURED  \[needs the 30-version stack\]$/);
        expect(line).not.toMatch(/PASS|FAIL/);
    });

    it("never passes a value that is not a number, whatever it was told", () => {
        expect(goalLine({ id: "1b", goal: "x", value: Number.NaN, target: "<= 1.20", pass: true })).toMatch(/FAIL$/);
    });
});

describe("ratioGoal and limitGoal", () => {
    it("measures numerator / denominator against the limit and shows the figures", () => {
        expect(goalLine(ratioGoal("1a", "no-change preview / CLI way", 7.3, 32.1, 0.1))).toMatch(/ 0\.23  \(target <= 0\.10\)  FAIL  \[7\.30 \/ 32\.10\]$/);
        expect(goalLine(ratioGoal("3a", "up from empty / critical-path floor", 11.5, 10, 1.15))).toMatch(/ 1\.15  \(target <= 1\.15\)  PASS/);
        expect(goalLine(ratioGoal("3a", "up from empty / critical-path floor", 11.6, 10, 1.15))).toMatch(/FAIL/);
    });

    it("is NOT MEASURED when a figure is missing, not a number, or the denominator is not positive", () => {
        for (const [n, d] of [[undefined, 1], [1, undefined], [Number.NaN, 1], [1, 0], [1, -2]] as const) {
            expect(goalLine(ratioGoal("2b", "g", n, d, 2, "why"))).toMatch(/NOT MEASURED  \[why\]$/);
        }
    });

    it("checks a ratio against a minimum (a throughput against the CLI's), NOT MEASURED without both figures", () => {
        expect(goalLine(minRatioGoal("4a", "upload throughput / CLI's", 180, 200, 0.9))).toMatch(/ 0\.90  \(target >= 0\.90\)  PASS  \[180\.00 \/ 200\.00\]$/);
        expect(goalLine(minRatioGoal("4a", "upload throughput / CLI's", 179, 200, 0.9))).toMatch(/FAIL/);
        expect(goalLine(minRatioGoal("4a", "upload throughput / CLI's", 500, 0, 0.9, "no CLI run"))).toMatch(/NOT MEASURED  \[no CLI run\]$/);
        expect(goalLine(minRatioGoal("4a", "upload throughput / CLI's", Number.NaN, 1, 0.9))).toMatch(/NOT MEASURED/);
    });

    it("checks an absolute figure against its limit", () => {
        expect(goalLine(limitGoal("5a", "unit suite, seconds", 29.9, 30, "s"))).toMatch(/ 29\.90  \(target <= 30 s\)  PASS$/);
        expect(goalLine(limitGoal("5a", "unit suite, seconds", 31, 30, "s"))).toMatch(/FAIL$/);
        expect(goalLine(limitGoal("5b", "npm start, seconds", undefined, 60, "s", "not run"))).toMatch(/NOT MEASURED  \[not run\]$/);
    });
});
