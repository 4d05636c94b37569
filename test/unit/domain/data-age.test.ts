import fc from 'fast-check';
import { dataAgeNote } from '../../../shared/domain/data-age';
import { runMessage } from '../../../shared/domain/messages';
import { finishRun } from '../../../shared/domain/state-machine';
import { plannedRun } from '../../support/planned-run';
import type { Run, StepRecord } from '../../../shared/domain/types';
import { exampleService, T0 } from './fixtures';

const web = exampleService();

function dbStep(output: StepRecord['output'], status: StepRecord['status'] = 'succeeded'): StepRecord {
  return { id: 'db', action: 'rds.failoverGlobalCluster', status, attempts: 1, ...(output && { output }) };
}

function runWith(steps: StepRecord[], kind: Run['kind'] = 'failover'): Run {
  const base = plannedRun({ id: 'r1', service: web, kind, trigger: 'auto', reason: 'primary down', nowEpochMs: T0 });
  return { ...base, status: 'succeeded', endedAtEpochMs: T0 + 94_000, steps: [...steps, ...base.steps] };
}

describe('data age of a finished run', () => {
  it('is the largest lag of the database steps that moved a writer; 0 everywhere is "no data lost"', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3600 }), { minLength: 1, maxLength: 4 }), (ages) => {
        const note = dataAgeNote({
          steps: ages.map((age) => dbStep({ mode: age === 0 ? 'switchover' : 'failover', dataAgeSeconds: age })),
        });
        const max = Math.max(...ages);
        expect(note).toBe(max === 0 ? 'no data lost' : `data up to ${max}s old`);
      }),
    );
  });

  it('says "unknown" when a failover with data loss had no lag reading, and nothing without database steps', () => {
    expect(dataAgeNote({ steps: [dbStep({ mode: 'failover' }), dbStep({ mode: 'switchover', dataAgeSeconds: 0 })] })).toBe(
      'data age unknown',
    );
    expect(dataAgeNote({ steps: [dbStep({ mode: 'none' })] })).toBeUndefined();
    expect(dataAgeNote({ steps: [dbStep({ mode: 'failover', dataAgeSeconds: 9 }, 'failed')] })).toBeUndefined();
    expect(dataAgeNote({ steps: [] })).toBeUndefined();
  });

  it('goes into the success SMS and the transition reason', () => {
    const run = runWith([dbStep({ mode: 'failover', dataAgeSeconds: 4 })]);
    expect(runMessage('succeeded', run)).toBe('[switchback] web: now on SECONDARY (took 94s; data up to 4s old)');
    const state = { service: 'web', state: 'FAILING_OVER', version: 3, sinceEpochMs: T0, activeRun: run, failoverHistoryEpochMs: [] };
    const finished = finishRun(state as never, run, T0 + 94_000);
    expect(finished.reason).toBe('failover succeeded in 94s: now on SECONDARY; data up to 4s old');
    const back = runWith([dbStep({ mode: 'switchover', dataAgeSeconds: 0 })], 'failback');
    expect(runMessage('succeeded', back)).toBe('[switchback] web: back on PRIMARY (took 94s; no data lost)');
  });
});
