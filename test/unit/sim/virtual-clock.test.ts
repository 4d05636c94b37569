import fc from 'fast-check';
import { seededRandom } from '../../../sim/random';
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

  describe('serial (seeded interleaving)', () => {
    /** Five tasks that wake at the same instants and do a little real I/O each turn. */
    async function interleaving(seed: number, firstTask?: string): Promise<string[]> {
      const clock = new VirtualClock(0, { serial: { random: seededRandom(seed) } });
      const log: string[] = [];
      let running = 0;
      for (const name of ['a', 'b', 'c', 'd', 'e']) {
        const first = name === firstTask;
        clock.start(
          name,
          async () => {
            for (let turn = 0; turn < 3; turn++) {
              await clock.sleep(1_000, { first });
              running += 1;
              log.push(`${name}${turn}@${clock.now()}${running > 1 ? ' overlapping' : ''}`);
              await new Promise((resolve) => setImmediate(resolve));
              running -= 1;
            }
          },
          { first },
        );
      }
      await clock.runUntil(10_000);
      return log;
    }

    it('the same seed gives the same order; one task at a time; ties follow time', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
          const log = await interleaving(seed);
          expect(await interleaving(seed)).toEqual(log);
          expect(log).toHaveLength(15);
          expect(log.filter((line) => line.includes('overlapping'))).toEqual([]);
          const times = log.map((line) => Number(line.split('@')[1]));
          expect([...times].sort((x, y) => x - y)).toEqual(times);
        }),
        { numRuns: 20 },
      );
    });

    it('other seeds explore other orders of the tasks due at one instant', async () => {
      const orders = new Set<string>();
      for (let seed = 1; seed <= 8; seed++) orders.add((await interleaving(seed)).slice(0, 5).join(' '));
      expect(orders.size).toBeGreaterThan(1);
    });

    it('`first` timers of one instant go in the order they were set, whatever the seed (scenario events in file order)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
          const clock = new VirtualClock(0, { serial: { random: seededRandom(seed) } });
          const log: string[] = [];
          for (const name of ['p', 'q', 'r'])
            clock.start(`round ${name}`, async () => {
              await clock.sleep(10_000);
            });
          for (const name of ['e1', 'e2', 'e3', 'e4'])
            clock.start(
              name,
              async () => {
                await clock.sleep(10_000, { first: true });
                log.push(name);
              },
              { first: true },
            );
          await clock.runUntil(20_000);
          expect(log).toEqual(['e1', 'e2', 'e3', 'e4']);
        }),
        { numRuns: 20 },
      );
    });

    it('a `first` timer goes before every other timer of its instant, whatever the seed', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
          const log = await interleaving(seed, 'd');
          for (const at of [1_000, 2_000, 3_000]) expect(log.find((line) => line.endsWith(`@${at}`))).toMatch(/^d/);
        }),
        { numRuns: 20 },
      );
    });
  });
});
