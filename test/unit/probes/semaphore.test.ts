import { createSemaphore, forEachBounded } from '../../../shared/probes/semaphore';

describe('createSemaphore', () => {
  it('grants up to the limit, then serves waiters in order', async () => {
    const semaphore = createSemaphore(2);
    const first = await semaphore.acquire();
    const second = await semaphore.acquire();
    const order: number[] = [];
    const third = semaphore.acquire().then((release) => (order.push(3), release));
    const fourth = semaphore.acquire().then((release) => (order.push(4), release));
    await Promise.resolve();
    expect([semaphore.active(), semaphore.waiting()]).toEqual([2, 2]);
    expect(order).toEqual([]);

    first();
    first(); // a second release of the same slot is ignored
    const releaseThird = await third;
    expect(order).toEqual([3]);
    expect([semaphore.active(), semaphore.waiting()]).toEqual([2, 1]);

    second();
    const releaseFourth = await fourth;
    expect(order).toEqual([3, 4]);
    releaseThird();
    releaseFourth();
    expect([semaphore.active(), semaphore.waiting()]).toEqual([0, 0]);
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => createSemaphore(0)).toThrow(RangeError);
    expect(() => createSemaphore(1.5)).toThrow(RangeError);
  });
});

describe('forEachBounded', () => {
  it('runs every item, at most `limit` at once, starting them in order', async () => {
    const started: number[] = [];
    let running = 0;
    let most = 0;
    await forEachBounded([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      started.push(item);
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, item % 3));
      running--;
    });
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('frees the slot of an item that throws, and rejects with its error', async () => {
    const done: number[] = [];
    const work = forEachBounded([1, 2, 3], 1, async (item) => {
      if (item === 1) throw new Error('boom');
      done.push(item);
    });
    await expect(work).rejects.toThrow('boom');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(done).toEqual([2, 3]);
  });
});
