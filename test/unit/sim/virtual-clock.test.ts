import { VirtualClock } from '../../../sim/virtual-clock';

describe('VirtualClock', () => {
  it('skips idle time and fires timers in order across tasks', async () => {
    const clock = new VirtualClock(1_000_000);
    const log: string[] = [];
    clock.start('a', async () => {
      await clock.sleep(5_000);
      log.push(`a@${clock.now() - 1_000_000}`);
      await clock.sleep(10_000);
      log.push(`a@${clock.now() - 1_000_000}`);
    });
    clock.start('b', async () => {
      await clock.sleep(7_000);
      log.push(`b@${clock.now() - 1_000_000}`);
    });
    const realStart = Date.now();
    await clock.runUntil(1_000_000 + 3_600_000);
    expect(log).toEqual(['a@5000', 'b@7000', 'a@15000']);
    expect(clock.now()).toBe(1_000_000 + 3_600_000);
    expect(Date.now() - realStart).toBeLessThan(2_000);
  });

  it('does not advance while a task is doing real I/O', async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.start('io', async () => {
      await new Promise((resolve) => setTimeout(resolve, 30)); // real work, not a virtual sleep
      seen.push(clock.now());
      await clock.sleep(1_000);
      seen.push(clock.now());
    });
    clock.start('ticker', async () => {
      await clock.sleep(10);
      seen.push(clock.now());
    });
    await clock.runUntil(5_000);
    // The ticker's 10 ms could not fire before the I/O finished at virtual time 0.
    expect(seen).toEqual([0, 10, 1_000]);
  });

  it('tasks spawned from tasks are tracked too', async () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    clock.start('parent', async () => {
      await clock.sleep(100);
      clock.start('child', async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await clock.sleep(50);
        seen.push(`child@${clock.now()}`);
      });
      await clock.sleep(60);
      seen.push(`parent@${clock.now()}`);
    });
    await clock.runUntil(1_000);
    expect(seen).toEqual(['child@150', 'parent@160']);
  });

  it('records task failures', async () => {
    const clock = new VirtualClock(0);
    clock.start('boom', async () => {
      await clock.sleep(1);
      throw new Error('kaput');
    });
    await clock.runUntil(10);
    expect(clock.failuresSoFar().map((f) => f.task)).toEqual(['boom']);
  });
});
