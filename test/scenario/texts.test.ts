/**
 * Texts never delay traffic: stage texts go out alongside the steps, every recipient at once, each
 * with a short budget; their outcome is journalled on the run and never blocks it.
 */
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { readFileSync } from 'node:fs';
import { runScenario, type SimulationResult } from '../../sim/runner';
import { parseScenario } from '../../sim/scenario';
import { SCENARIOS } from './scenario-kit';

const SUITE = join(SCENARIOS, 'suite');

/** clean-failover on the suite's config with three numbers and a topic; `faults` as given. */
function threeNumbers(faults: unknown[]) {
  const config = parseDocument(readFileSync(join(SUITE, '..', 'configs', 'web.yml'), 'utf8')).toJS() as Record<string, unknown>;
  config.notify = {
    sms: ['+15555550100', '+15555550111', '+15555550122'],
    topicArn: 'arn:aws:sns:us-west-2:123456789012:oncall',
  };
  return parseScenario(
    {
      name: 'texts-timing-out',
      config,
      duration: '5m',
      events: [{ at: '1m', site: 'web/primary', health: 'down' }],
      faults,
    },
    SUITE,
  );
}

function dnsSwitchedAt(result: SimulationResult): number {
  const change = result.timeline.find((entry) => entry.kind === 'dns' && entry.service === 'web');
  if (!change) throw new Error('DNS never changed');
  return change.t;
}

describe('texts never delay traffic', () => {
  test('SNS timing out for every number: DNS switches within 1 s of the same outage with healthy SNS', async () => {
    const healthy = await runScenario(threeNumbers([]));
    const timingOut = await runScenario(threeNumbers([{ api: 'sns.Publish', error: 'TimeoutError', latencyMs: 5000, times: 'always' }]));
    expect(healthy.summary.runs[0].status).toBe('succeeded');
    expect(timingOut.summary.runs[0].status).toBe('succeeded');
    expect(Math.abs(dnsSwitchedAt(timingOut) - dnsSwitchedAt(healthy))).toBeLessThanOrEqual(1);
    // The failures are journalled on the run, not lost.
    expect(timingOut.summary.runs[0].notificationFailures).toEqual(expect.arrayContaining(['started', 'succeeded']));
    expect(timingOut.summary.errors).toEqual([]);
  });
});
