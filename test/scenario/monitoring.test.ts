/**
 * Issue 15: texts that are true, failback that is not silently vetoed, a controller that pages
 * when it is itself broken. Each scenario runs the real handlers on the simulated world.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runScenario } from '../../sim/runner';
import { checkExpectations } from '../../sim/expect';
import { runSuite, SCENARIOS, smsTexts, suiteScenario, transitions, variant } from './scenario-kit';

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

describe('a controller that pages when it is itself broken', () => {
  test('a crash-looping run is resumed by the watchdog and texted once, naming the run and the step', async () => {
    const result = await runSuite('crash-loop');
    expect(result.timeline.filter((entry) => entry.kind === 'fault')).toHaveLength(6);
    expect(result.summary.services.web).toMatchObject({ finalState: 'SECONDARY', failovers: 1 });
    const crashTexts = smsTexts(result).filter((text) => text.includes('keeps crashing'));
    expect(crashTexts).toEqual([
      expect.stringMatching(
        /^\[switchback\] web: run keeps crashing, a human must look: failover run \S+ resumed 3 times by the watchdog, at route53\.switch$/,
      ),
    ]);
    const metrics = result.summary.metrics['us-west-2'];
    expect(metrics.RunResumes).toBe(6);
    // Every round made its decisions: the heartbeat kept counting (a round every 10 s for 12 minutes).
    expect(metrics.ProbeRoundsCompleted).toBeGreaterThan(60);
    expect(metrics.DecisionErrors ?? 0).toBe(0);
  });

  test('a run that crashes once is resumed once and texts nothing about crashing', async () => {
    const result = await runSuite('crash-during-run');
    expect(smsTexts(result).filter((text) => text.includes('keeps crashing'))).toEqual([]);
    expect(result.summary.metrics['us-west-2'].RunResumes).toBe(1);
  });

  test('a malformed alarm event is counted as AlarmEventsRejected', async () => {
    const result = await runSuite('malformed-alarm');
    expect(result.summary.metrics['us-west-2']).toMatchObject({ AlarmEventsRejected: 2 });
  });

  test('texts that fail are counted as NotificationFailures, one per text', async () => {
    const result = await runSuite('sms-failing');
    const failed = result.timeline.filter((entry) => entry.kind === 'sms' && entry.ok === false).length;
    expect(failed).toBeGreaterThan(0);
    expect(result.summary.metrics['us-west-2'].NotificationFailures).toBe(failed);
  });
});

describe('the control region can fail too', () => {
  test('control region dark for ten minutes: each probe-only location texts once through SNS in its own region, and once when it is back', async () => {
    const result = await runSuite('control-region-dark');
    const controlTexts = result.summary.sms.filter((message) => message.text.includes('control region'));
    // Each location texts once when the control region has been dark for 180 s, and once when it is
    // back: at 13 m if the controller's round of 13 m ran before that location's, else a round
    // later (rounds of one instant run in the order the scenario seed picks).
    for (const region of ['eu-west-1', 'ap-southeast-2']) {
      const texts = controlTexts.filter((message) => message.region === region).map(({ t, text }) => ({ t, text }));
      expect(texts).toEqual([
        {
          t: 360,
          text: `[switchback] control region us-west-2 unreachable: automatic failover is OFF (its table unreachable for 180s, seen from ${region})`,
        },
        {
          t: expect.any(Number),
          text: `[switchback] control region us-west-2 reachable again: automatic failover is back ON (its controller is running, seen from ${region})`,
        },
      ]);
      expect([780, 840]).toContain(texts[1].t);
    }
    // Nothing else was texted, nothing moved, and the probe locations' own SNS answered (the control region's did not).
    expect(result.summary.sms).toHaveLength(4);
    expect(result.summary.services.web).toMatchObject({ finalState: 'PRIMARY', failovers: 0 });
    expect(checkExpectations(suiteScenario('control-region-dark').expect!, result)).toEqual([]);
  });

  test('a control region dark for two minutes texts nothing', async () => {
    const result = await runScenario(
      variant('control-region-dark', {
        events: [
          { at: '3m', region: 'us-west-2', dark: true },
          { at: '5m', region: 'us-west-2', dark: false },
        ],
      }),
    );
    expect(result.summary.accessDenied).toEqual([]);
    expect(result.summary.sms).toEqual([]);
  });

  test('a probe-only region going dark is no control-region text; the controller counts it as LocationStale', async () => {
    const dark = await runScenario(
      variant('control-region-dark', {
        events: [
          { at: '3m', region: 'eu-west-1', dark: true },
          { at: '10m', region: 'eu-west-1', dark: false },
        ],
      }),
    );
    // The same run without the outage: what is counted before every location has reported once
    // (the controller's first round may come before the others' first heartbeat; that is stale too).
    const calm = await runScenario(variant('control-region-dark', { events: [] }));
    expect(dark.summary.accessDenied).toEqual([]);
    expect(dark.summary.sms).toEqual([]);
    // eu-west-1 last reported at 2m (its chain's link that starts the minute): stale (150 s) from 4.5m
    // until it reports again at 10m. The controller counts it once a minute, on its link that starts
    // the minute: 5m to 9m, and 10m when eu-west-1's report lands after it. Against the calm run,
    // whose first round may count one more (the serial scheduler's seed decides): 4 to 7 more.
    const extra = (dark.summary.metrics['us-west-2'].LocationStale ?? 0) - (calm.summary.metrics['us-west-2'].LocationStale ?? 0);
    expect(extra).toBeGreaterThanOrEqual(4);
    expect(extra).toBeLessThanOrEqual(7);
    // The other probe location kept watching and saw the controller fine.
    expect(dark.summary.metrics['ap-southeast-2'].ProbeRoundsCompleted).toBeGreaterThan(0);
  });

  test('a failback check that cannot be invoked holds the failback and is counted as HookFailures', async () => {
    const web = parse(readFileSync(join(SCENARIOS, 'configs', 'web.yml'), 'utf8')) as { services: Array<Record<string, unknown>> };
    web.services[0].failback = { check: { functionName: 'web-failback-check-that-does-not-exist' } };
    const result = await runScenario(variant('clean-failover', { config: web }));
    expect(result.summary.accessDenied).toEqual([]);
    expect(result.summary.services.web).toMatchObject({ finalState: 'SECONDARY', failovers: 1, failbacks: 0 });
    expect(result.summary.metrics['us-west-2'].HookFailures).toBeGreaterThan(0);
  });
});
