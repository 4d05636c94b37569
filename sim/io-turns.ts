/**
 * Real I/O in turns, for determinism on the virtual clock. The serial scheduler already runs one
 * task at a time, but a task may start several pieces of real I/O at once (the "failing over" text
 * claims its DynamoDB item while the first step writes its journal entry), and which one the OS
 * finishes first varies from run to run: a file the IAM evaluator reads for the first time, a
 * busy loopback socket. Work passed to `inTurn` starts only when every earlier one has finished, so
 * pieces of I/O finish in the order they were started and the seed alone decides the timeline.
 *
 * Only real I/O goes in turns, never a virtual sleep: a turn held across a sleep would keep every
 * other task's I/O waiting while the clock waits for that I/O (see VirtualClock).
 */
export type InTurn = <T>(work: () => Promise<T>) => Promise<T>;

export function ioTurns(): InTurn {
  let previous: Promise<unknown> = Promise.resolve();
  return (work) => {
    const turn = previous.then(work);
    previous = turn.catch(() => undefined);
    return turn;
  };
}

/** Outside the virtual clock (a real-time scenario, the demo against the wall clock): no turns. */
export const noTurns: InTurn = (work) => work();
