/** A promoted read replica is one-way: the failback after it waits for approve, and the texts say why. */
import { runSuite, smsTexts } from './scenario-kit';

describe('rds.promoteReadReplica', () => {
  test('failover promotes the replica; the automatic failback waits for approve (texted once, with the reason), then goes', async () => {
    const result = await runSuite('promote-then-approve');
    expect(result.summary.errors).toEqual([]);
    expect(result.summary.apiCalls['rds.PromoteReadReplica']).toBe(1);
    expect(result.summary.runs.map((run) => `${run.kind} ${run.status}`)).toEqual(['failover succeeded', 'failback succeeded']);
    const texts = smsTexts(result);
    const waiting = texts.filter((text) => text.includes('failback waits for your approve'));
    expect(waiting).toEqual([
      '[switchback] app: primary healthy again; failback waits for your approve: one-way: rds.promoteReadReplica app-replica; nothing re-replicates',
    ]);
    // Nothing failed back before the approve at 20 minutes.
    const failback = result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'FAILING_BACK');
    expect(failback?.t).toBeGreaterThanOrEqual(20 * 60);
    expect(result.summary.services.app.finalState).toBe('PRIMARY');
  });
});
