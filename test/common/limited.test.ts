import { forEachLimited } from "../../components/common/limited";

/** A call that ends when the test says so: to watch how many run at once. */
function gate(): { promise: Promise<void>; open: () => void } {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => { open = resolve; });
    return { promise, open };
}

const turns = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await Promise.resolve();
};

describe("forEachLimited", () => {
    it("runs every item once, never more than the limit at a time", async () => {
        let running = 0;
        let peak = 0;
        const seen: number[] = [];
        await forEachLimited(Array.from({ length: 25 }, (_, i) => i), 4, async (i) => {
            running++;
            peak = Math.max(peak, running);
            await turns(i % 3);
            seen.push(i);
            running--;
        });
        expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
        expect(peak).toBe(4);
    });

    it("starts the next item as soon as one lane frees, not per batch", async () => {
        const gates = [gate(), gate(), gate()];
        const started: number[] = [];
        const done = forEachLimited([0, 1, 2], 2, async (i) => {
            started.push(i);
            await gates[i].promise;
        });
        await turns(3);
        expect(started).toEqual([0, 1]);
        gates[1].open();
        await turns(3);
        expect(started).toEqual([0, 1, 2]);
        gates[0].open();
        gates[2].open();
        await done;
    });

    it("after a failure starts nothing new, waits for the calls in flight, then throws the first error", async () => {
        const slow = gate();
        const started: number[] = [];
        let slowFinished = false;
        const done = forEachLimited([0, 1, 2, 3, 4], 2, async (i) => {
            started.push(i);
            if (i === 0) {
                await slow.promise;
                slowFinished = true;
                return;
            }
            throw new Error(`item ${i} failed`);
        });
        let settled = false;
        void done.catch(() => undefined).finally(() => { settled = true; });
        await turns(5);
        expect(started).toEqual([0, 1]);
        expect(settled).toBe(false); // item 0 still runs
        slow.open();
        await expect(done).rejects.toThrow("item 1 failed");
        expect(slowFinished).toBe(true);
        expect(started).toEqual([0, 1]);
    });

    it("does nothing for no items, and refuses a limit that is not a whole number >= 1", async () => {
        await expect(forEachLimited([], 3, async () => { throw new Error("never called"); })).resolves.toBeUndefined();
        for (const limit of [0, -1, 1.5, Number.NaN]) {
            await expect(forEachLimited([1], limit, async () => undefined)).rejects.toThrow(RangeError);
        }
    });
});
