/**
 * The fixed-seed chaos batch of `npm test`: 50 runs of seed 1 over the built-in configs, in two
 * halves (chaos-batch-first/second.test.ts) so jest runs them on both cores. `npm run chaos` runs
 * thousands.
 */
import { builtInConfigs, runChaos } from '../../sim/chaos/chaos';
import { describeViolation } from '../../sim/chaos/check';

export const BATCH_SEED = 1;
export const BATCH_RUNS = 50;

export function chaosBatchTest(half: 0 | 1): void {
  const runs = BATCH_RUNS / 2;
  const from = half * runs;
  test(`runs ${from}–${from + runs - 1} of the fixed-seed batch (seed ${BATCH_SEED}) hold every invariant`, async () => {
    const report = await runChaos({ runs, seed: BATCH_SEED, from, shrink: false });
    const found = report.results.flatMap((run) =>
      run.violations.map((violation) => `run ${run.index} ${run.config} seed ${run.seed}: ${describeViolation(violation)}`),
    );
    expect(found).toEqual([]);
    expect(report.results.map((run) => run.index)).toEqual(Array.from({ length: runs }, (_, k) => from + k));
    expect(new Set(report.results.map((run) => run.config)).size).toBe(builtInConfigs().length);
  });
}
