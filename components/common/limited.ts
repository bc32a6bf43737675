// Runs independent API calls a few at a time: one after another, a datastore version's hundred-odd
// parameter loads each wait a full round trip; all at once, they would flood a controller that
// serves every other client too.

/**
 * Calls `work` for every item, at most `limit` at a time, and resolves when all are done. After the
 * first failure no new item starts; the calls in flight are waited for, then the first error is
 * thrown (so nothing still runs when the caller reports it).
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`forEachLimited: limit ${limit} is not a whole number >= 1`);
    let next = 0;
    let failure: { error: unknown } | undefined;
    const lane = async (): Promise<void> => {
        while (failure === undefined && next < items.length) {
            const item = items[next++];
            try {
                await work(item);
            } catch (error) {
                failure ??= { error };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
    if (failure !== undefined) throw failure.error;
}
