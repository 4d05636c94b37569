/**
 * Issue 15: texts that are true, failback that is not silently vetoed, a controller that pages
 * when it is itself broken. Each scenario runs the real handlers on the simulated world.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runScenario } from '../../sim/runner';
import { runSuite, SCENARIOS, smsTexts, transitions, variant } from './scenario-kit';

// Several simulated minutes with three probe locations each: give a loaded machine room.
jest.setTimeout(240_000);

describe('true texts', () => {
  test('two of three probe locations lose their network: no "failover blocked", no text, no run', async () => {
    const result = await runSuite('two-locations-partitioned');
    expect(result.summary.services.web).toMatchObject({ finalState: 'PRIMARY', failovers: 0 });
    expect(result.summary.runs).toEqual([]);
    expect(smsTexts(result)).toEqual([]);
    // Both partitioned locations really did see everything down.
    const blind = result.timeline.filter(
      (entry) =>
        entry.kind === 'probe' &&
        entry.location !== 'us-west-2' &&
        (entry.primaryDown as string[]).includes('web') &&
        (entry.secondaryDown as string[]).includes('web'),
    );
    expect(new Set(blind.map((entry) => entry.location))).toEqual(new Set(['eu-west-1', 'ap-southeast-2']));
  });

  test('the secondary dying minutes after the primary is not "the controller may be cut off"', async () => {
    const result = await runSuite('secondary-dies-later');
    expect(transitions(result, 'web')).toEqual(['PRIMARY→FAILING_OVER', 'FAILING_OVER→SECONDARY']);
    const texts = smsTexts(result);
    expect(texts.filter((text) => text.includes('cut off'))).toEqual([]);
    expect(texts.filter((text) => text.includes('no action taken'))).toEqual([]);
  });
});

describe('failback liveness', () => {
  test('a minority of locations holding the failback longer than the hold-down is texted once, naming it and why', async () => {
    const result = await runSuite('minority-veto');
    expect(result.summary.services.web).toMatchObject({ finalState: 'SECONDARY', failovers: 1, failbacks: 0 });
    const held = smsTexts(result).filter((text) => text.includes('failback held'));
    expect(held).toEqual([
      expect.stringMatching(/^\[switchback\] web: failback held by a minority: eu-west-1 sees the primary failing \(EHOSTUNREACH\)/),
    ]);
    expect(held[0].length).toBeLessThanOrEqual(160);
    // Not before the majority has seen the primary healthy for the hold-down (300 s after 4m + recovery).
    const at = result.summary.sms.find((message) => message.text.includes('failback held'))?.t ?? 0;
    expect(at).toBeGreaterThanOrEqual(4 * 60 + 300);
  });

  test('detect.failbackQuorum majority: the minority is outvoted and the failback goes after the hold-down', async () => {
    const web = parse(readFileSync(join(SCENARIOS, 'configs', 'web.yml'), 'utf8')) as { defaults: Record<string, unknown> };
    web.defaults.detect = { failbackQuorum: 'majority' };
    const result = await runScenario(variant('minority-veto', { config: web }));
    expect(result.summary.services.web).toMatchObject({ finalState: 'PRIMARY', failovers: 1, failbacks: 1 });
    expect(smsTexts(result).filter((text) => text.includes('failback held'))).toEqual([]);
  });
});
