/** A counting semaphore: at most `limit` holders at once, waiters served first come, first served. */
export interface Semaphore {
  /** Resolves with a release function once a slot is free; call it exactly once (extra calls are ignored). */
  acquire(): Promise<() => void>;
  /** Holders right now. */
  active(): number;
  /** Callers waiting for a slot. */
  waiting(): number;
}

export function createSemaphore(limit: number): Semaphore {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
  let held = 0;
  const queue: Array<() => void> = [];

  function grant(): () => void {
    held++;
    let released = false;
    return function release() {
      if (released) return;
      released = true;
      held--;
      const next = queue.shift();
      if (next) next();
    };
  }

  return {
    acquire() {
      if (held < limit) return Promise.resolve(grant());
      return new Promise((resolve) => queue.push(() => resolve(grant())));
    },
    active: () => held,
    waiting: () => queue.length,
  };
}

/** Run `work` for every item, at most `limit` at once, started in order (one semaphore per call). */
export async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const semaphore = createSemaphore(limit);
  await Promise.all(
    items.map(async (item) => {
      const release = await semaphore.acquire();
      try {
        await work(item);
      } finally {
        release();
      }
    }),
  );
}
