/**
 * A discrete-event clock for the embedded world: idle time is skipped, so a two-hour outage
 * plays in seconds, while real I/O (DynamoDB, loopback probes) still happens for real.
 *
 * Work runs in tasks (`spawn`). Time advances only when every live task is blocked in
 * `sleep` — i.e. nothing is doing real I/O — and then jumps to the earliest pending timer.
 * Tasks are assumed to be sequential chains (one pending sleep at a time), which holds for
 * the handlers: concurrency inside them is real I/O, never virtual sleeps.
 *
 * `serial` makes the interleaving of tasks deterministic (the FoundationDB/TigerBeetle way): a
 * new task waits for its turn like a timer, and timers fire one at a time, each only after
 * everything the previous one woke has gone idle again. Two tasks therefore never do real I/O at
 * the same time; which of several timers due at the same instant goes first is chosen by
 * `serial.random` (a seeded PRNG: another seed explores another interleaving), or first-come
 * first-served without it. Inside one task, pieces of real I/O started at once (a text's claim and
 * a step's journal write) finish in the order started because the simulator runs them in turns
 * (./io-turns); only the probes of one round, which are gathered before anything is decided, still
 * finish in the OS's order.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../shared/clock';
import { SwitchbackError } from '../shared/errors';

interface Timer {
  atEpochMs: number;
  sequence: number;
  taskId: number | undefined;
  /** Goes before the other timers due at the same instant (see `sleep`). */
  first: boolean;
  resolve: () => void;
}

interface Task {
  id: number;
  name: string;
  sleeping: number;
}

export class StuckSimulationError extends SwitchbackError {
  override readonly name: string = 'StuckSimulationError';
}

export class VirtualClock implements Clock {
  private current: number;
  private readonly timers: Timer[] = [];
  private readonly tasks = new Map<number, Task>();
  private readonly taskContext = new AsyncLocalStorage<Task>();
  private nextTaskId = 1;
  private nextSequence = 0;
  private readonly failures: Array<{ task: string; error: unknown }> = [];

  constructor(
    startEpochMs: number,
    private readonly options: { stuckAfterRealMs?: number; serial?: { random?: () => number } } = {},
  ) {
    this.current = startEpochMs;
  }

  now(): number {
    return this.current;
  }

  /**
   * `first` (serial only): at its instant this timer goes before every timer without it, whatever
   * the seed, and after the `first` timers set before it (a scenario's event at 13 m happens before
   * the probe round of 13 m looks; two events at 10 s happen in file order).
   */
  sleep(ms: number, options: { first?: boolean } = {}): Promise<void> {
    const task = this.taskContext.getStore();
    return new Promise<void>((resolve) => {
      if (task) task.sleeping += 1;
      this.timers.push({
        atEpochMs: this.current + Math.max(0, ms),
        sequence: this.nextSequence++,
        taskId: task?.id,
        first: options.first === true,
        resolve: () => {
          if (task) task.sleeping -= 1;
          resolve();
        },
      });
    });
  }

  /** Run `work` as a tracked task. Its errors are recorded (see `failuresSoFar`) and rethrown to the caller. */
  spawn<T>(name: string, work: () => Promise<T>, options: { first?: boolean } = {}): Promise<T> {
    const task: Task = { id: this.nextTaskId++, name, sleeping: 0 };
    this.tasks.set(task.id, task);
    // Serial: the task starts when the scheduler gives it a turn, like a timer due now.
    const begin = this.options.serial ? () => this.sleep(0, options).then(work) : work;
    return this.taskContext
      .run(task, () => Promise.resolve().then(begin))
      .catch((error: unknown) => {
        this.failures.push({ task: name, error });
        throw error;
      })
      .finally(() => {
        this.tasks.delete(task.id);
      });
  }

  /**
   * `Clock.concurrently`: a concurrent chain of the caller becomes a task of its own, so time waits
   * for it too. The caller counts as waiting (like a sleep) from when it subscribes to the result
   * (`await`, `then`, `Promise.all`) until the chain settles: subscribe only when you wait for it.
   */
  concurrently<T>(name: string, work: () => Promise<T>): Promise<T> {
    const parent = this.taskContext.getStore();
    const task: Task = { id: this.nextTaskId++, name, sleeping: 0 };
    this.tasks.set(task.id, task);
    const child = this.taskContext.run(task, () => Promise.resolve().then(work)).finally(() => this.tasks.delete(task.id));
    if (!parent) return child;
    let settled = false;
    const markSettled = () => {
      settled = true;
    };
    child.then(markSettled, markSettled);
    const waitedOn: Promise<T> = {
      then<A = T, B = never>(
        onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
        onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
      ): Promise<A | B> {
        if (!settled) {
          parent.sleeping += 1;
          const release = () => {
            parent.sleeping -= 1;
          };
          child.then(release, release);
        }
        return child.then(onFulfilled, onRejected);
      },
      catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
        return waitedOn.then(undefined, onRejected);
      },
      finally(onFinally?: (() => void) | null): Promise<T> {
        return waitedOn.then(
          (value) => {
            onFinally?.();
            return value;
          },
          (reason: unknown) => {
            onFinally?.();
            throw reason;
          },
        );
      },
      [Symbol.toStringTag]: 'Promise',
    };
    return waitedOn;
  }

  /** Fire-and-forget variant of `spawn` (errors are only recorded). */
  start(name: string, work: () => Promise<unknown>, options: { first?: boolean } = {}): void {
    this.spawn(name, work, options).catch(() => undefined);
  }

  failuresSoFar(): ReadonlyArray<{ task: string; error: unknown }> {
    return this.failures;
  }

  busyTasks(): string[] {
    return [...this.tasks.values()].filter((task) => task.sleeping === 0).map((task) => task.name);
  }

  /** Advance time until `endEpochMs`, firing timers in order whenever every task is idle. */
  async runUntil(endEpochMs: number): Promise<void> {
    for (;;) {
      await this.quiesce();
      this.timers.sort((a, b) => a.atEpochMs - b.atEpochMs || a.sequence - b.sequence);
      const next = this.timers[0];
      if (!next || next.atEpochMs > endEpochMs) {
        this.current = Math.max(this.current, endEpochMs);
        return;
      }
      this.current = Math.max(this.current, next.atEpochMs);
      if (this.options.serial) {
        // One timer per turn; `first` timers go before the rest in the order they were set (a
        // scenario's events of one instant happen in file order), and ties among the rest of this
        // instant's timers are broken by the seeded PRNG (or FIFO).
        const due = this.timers.filter((timer) => timer.atEpochMs <= this.current);
        const firsts = due.filter((timer) => timer.first);
        const random = this.options.serial.random;
        const pick = firsts.length === 0 && random && due.length > 1 ? Math.min(due.length - 1, Math.floor(random() * due.length)) : 0;
        const [chosen] = this.timers.splice(this.timers.indexOf((firsts.length > 0 ? firsts : due)[pick]), 1);
        chosen.resolve();
        continue;
      }
      const due = this.timers.filter((timer) => timer.atEpochMs <= this.current);
      this.timers.splice(0, due.length);
      for (const timer of due) timer.resolve();
    }
  }

  /** Wait (in real time) until every live task is blocked on a virtual sleep or has finished. */
  private async quiesce(): Promise<void> {
    const stuckAfterRealMs = this.options.stuckAfterRealMs ?? 60_000;
    const startedAt = Date.now();
    let idleChecks = 0;
    // Two consecutive idle observations: a resolved timer's continuation may need a turn to re-block.
    while (idleChecks < 2) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.busyTasks().length === 0) {
        idleChecks += 1;
      } else {
        idleChecks = 0;
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (Date.now() - startedAt > stuckAfterRealMs) {
          throw new StuckSimulationError(
            `simulation stuck: tasks busy for ${stuckAfterRealMs} ms of real time: ${this.busyTasks().join(', ')}`,
          );
        }
      }
    }
  }
}
