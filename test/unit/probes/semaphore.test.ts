import { createSemaphore } from '../../../shared/probes/semaphore';

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
