/**
 * Data age: how old the newest data on the new side may be after a database step moved the writer
 * (the replication lag at the switch). Database steps put it in their output (`dataAgeSeconds`:
 * 0 for a switchover, the lag for a failover with data loss allowed; absent when the lag was
 * unknown); the texts of a finished run carry it. Pure.
 */
import type { Run } from './types';

/** `data up to 4s old`, `no data lost`, `data age unknown`, or undefined when no step moved a database. */
export function dataAgeNote(run: Pick<Run, 'steps'>): string | undefined {
  let known: number | undefined;
  let unknown = false;
  for (const step of run.steps) {
    if (step.status !== 'succeeded' || !step.output) continue;
    const mode = step.output.mode;
    if (mode !== 'failover' && mode !== 'switchover') continue;
    const age = step.output.dataAgeSeconds;
    if (typeof age === 'number') known = Math.max(known ?? 0, age);
    else unknown = true;
  }
  if (unknown) return 'data age unknown';
  if (known === undefined) return undefined;
  return known === 0 ? 'no data lost' : `data up to ${known}s old`;
}
