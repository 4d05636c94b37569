/**
 * Time as a dependency. Everything that waits or reads the time takes a Clock, so the
 * embedded world can run an outage in virtual time and tests never sleep for real.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolve after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
  /**
   * Run `work` alongside the caller (a text sent while the steps go on). A simulated clock that only
   * advances when everything waits must know about every concurrent chain; real clocks just run it.
   */
  concurrently?<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/** `clock.concurrently` when the clock has it, else just `work()`. */
export function runConcurrently<T>(clock: Clock, name: string, work: () => Promise<T>): Promise<T> {
  return clock.concurrently ? clock.concurrently(name, work) : work();
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** A duration in seconds, rounded to a tenth: how status, drill reports and the simulator report durations. */
export function roundedSeconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
