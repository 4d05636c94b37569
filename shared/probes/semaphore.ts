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
