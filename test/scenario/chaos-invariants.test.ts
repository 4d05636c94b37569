/**
 * Each chaos invariant, broken on purpose: a deliberately faulty fake (or a disabled guard) is
 * swapped into the simulated functions, chaos reports the invariant, the shrinker cuts the schedule
 * down, and the shrunk scenario file replays the violation (and passes without the fake).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withAdapters, type AppDeps } from '../../shared/app/deps';
import type { ServiceState } from '../../shared/domain/types';
import { parseSchedule, runChecked, writeScenarioFile, type RunOptions } from '../../sim/chaos/chaos';
import { CHAOS_CONFIGS } from '../../sim/chaos/configs';
import type { ScenarioDocument } from '../../sim/chaos/generate';
import { INVARIANTS, type InvariantName } from '../../sim/chaos/invariants';
import { shrinkSchedule } from '../../sim/chaos/shrink';
import { loadScenarioFile } from '../../sim/scenario';
import { forgetElasticIpGrant } from './scenario-kit';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
jest.setTimeout(300_000);

const OUT = mkdtempSync(join(tmpdir(), 'switchback-chaos-'));

/** An outage of web's primary, plus noise the shrinker should throw away. */
function schedule(name: string, config: string, events: Array<Record<string, unknown>>, duration = '6m'): ScenarioDocument {
  return {
    name,
    config: CHAOS_CONFIGS[config],
    seed: 7,
    duration,
    events: [
      ...events,
      { at: '15s', invoke: { function: 'status', payload: {} } },
      { at: '25s', alarm: { name: 'unrelated-alarm', state: 'OK' } },
    ],
    faults: [{ api: 'sns.Publish', latencyMs: 1000, times: 1, after: 50 }],
  };
}

const withStore = (change: (store: AppDeps['store']) => Partial<AppDeps['store']>) => (deps: AppDeps) => ({
  ...deps,
  store: { ...deps.store, ...change(deps.store) },
});

const withPolicy = (change: (policy: AppDeps['config']['services'][number]['policy']) => object) => (deps: AppDeps) => ({
  ...deps,
  config: {
    ...deps.config,
    services: deps.config.services.map((service) => ({ ...service, policy: { ...service.policy, ...change(service.policy) } })),
  },
});

async function breakShrinkReplay(document: ScenarioDocument, options: RunOptions, invariant: InvariantName) {
  const first = await runChecked(parseSchedule(document), options);
  const violation = first.violations.find((candidate) => candidate.invariant === invariant);
  expect(violation).toBeDefined();
  const shrunk = await shrinkSchedule(document, violation!, options, { maxRuns: 5 });
  const file = writeScenarioFile(OUT, shrunk.document, shrunk.violation);
  const units = (doc: ScenarioDocument) => doc.events.length + doc.faults.length;
  expect(units(shrunk.document)).toBeLessThan(units(document));
  const replay = await runChecked(loadScenarioFile(file), options);
  expect(replay.violations.map((candidate) => candidate.invariant)).toContain(invariant);
  const honest = await runChecked(loadScenarioFile(file));
  expect(honest.violations.map((candidate) => candidate.invariant)).not.toContain(invariant);
  return { violation: violation!, shrunk };
}

const OUTAGE = [
  { at: '20s', site: 'web/primary', health: 'down' },
  { at: '150s', site: 'web/primary', health: 'up' },
];

type SendSms = AppDeps['aws']['sns']['sendSms'];

/** A faulty SNS adapter: `fake` wraps the real sendSms. */
function withSendSms(fake: (send: SendSms) => SendSms): (deps: AppDeps) => AppDeps {
  return (deps) => ({ ...deps, aws: withAdapters(deps.aws, { sns: (sns) => ({ ...sns, sendSms: fake(sns.sendSms.bind(sns)) }) }) });
}

describe('chaos invariants, each broken on purpose', () => {
  test('one-active-run: a store that loses the active run while FAILING_OVER', async () => {
    const sabotage = withStore((store) => ({
      saveState: (next: ServiceState, expected: number) => {
        const { activeRun, ...rest } = next;
        const lose = next.state === 'FAILING_OVER' && activeRun?.notifications.started !== undefined;
        return store.saveState(lose ? rest : next, expected);
      },
    }));
    const { violation } = await breakShrinkReplay(schedule('lose-run', 'warm-standby', OUTAGE), { sabotage }, INVARIANTS.oneActiveRun);
    expect(violation.message).toMatch(/FAILING_OVER with no active run|was still running/);
  });

  test('no-dns-to-failed-site: a prober that calls every secondary healthy', async () => {
    const sabotage = (deps: AppDeps): AppDeps => ({
      ...deps,
      prober: {
        ...deps.prober,
        probe: async (spec) => ({ ...(await deps.prober.probe(spec)), ok: true }),
        probeAll: async (specs) =>
          (await deps.prober.probeAll(specs)).map((result, index) => (index % 2 === 1 ? { ...result, ok: true } : result)),
      },
    });
    const events = [{ at: '10s', site: 'web/secondary', health: 'down' }, ...OUTAGE];
    const { violation } = await breakShrinkReplay(
      schedule('blind-prober', 'warm-standby', events),
      { sabotage },
      INVARIANTS.dnsToFailedSite,
    );
    expect(violation.message).toMatch(/switched to the secondary .* which failed all \d+ probes/);
  });

  test('run-deadline: a Lambda service that drops every orchestrator invocation', async () => {
    const sabotage = (deps: AppDeps): AppDeps => ({
      ...deps,
      aws: withAdapters(deps.aws, { lambda: (lambda) => ({ ...lambda, invokeAsync: async () => ({ statusCode: 202 }) }) }),
    });
    const events = [{ at: '20s', site: 'shop/primary', health: 'down' }];
    const document = { ...schedule('lost-orchestrator', 'flag', events, '16m') };
    const { violation } = await breakShrinkReplay(document, { sabotage }, INVARIANTS.runDeadline);
    expect(violation.message).toMatch(/was still running; bound \d+s|stayed FAILING_OVER/);
  });

  test('stage-texts: an SNS adapter that sends every text twice', async () => {
    const sabotage = withSendSms((send) => async (phone, text, options) => (await send(phone, text, options), send(phone, text, options)));
    const { violation } = await breakShrinkReplay(schedule('double-text', 'warm-standby', OUTAGE), { sabotage }, INVARIANTS.stageTexts);
    expect(violation.message).toMatch(/reached \+1555•••0100 2 times for 1 stage/);
  });

  test('stage-texts: an SNS adapter that says it sent "now on SECONDARY" but never did', async () => {
    const sabotage = withSendSms(
      (send) => async (phone, text, options) => (/now on SECONDARY/.test(text) ? { messageId: 'lost' } : send(phone, text, options)),
    );
    const { violation } = await breakShrinkReplay(schedule('lost-text', 'warm-standby', OUTAGE), { sabotage }, INVARIANTS.stageTexts);
    expect(violation.message).toMatch(
      /stage succeeded of failover run .* was never texted \(the notifier reported it sent; SNS never got it\)/,
    );
  });

  test('anti-flap: the cooldown and cap guards disabled', async () => {
    const sabotage = withPolicy(() => ({ guard: { cooldownSeconds: 0, maxFailoversPer24h: 100 } }));
    const events = [...OUTAGE, { at: '270s', site: 'web/primary', health: 'down' }, { at: '400s', site: 'web/primary', health: 'up' }];
    const { violation } = await breakShrinkReplay(schedule('no-cooldown', 'warm-standby', events, '8m'), { sabotage }, INVARIANTS.antiFlap);
    expect(violation.message).toMatch(/started \d+s after the last transition \(cooldown 180s\)/);
  });

  test('alarm-handled: a dedupe table that calls every delivery a duplicate', async () => {
    const sabotage = withStore(() => ({ claimDedup: async () => false }));
    const events = [{ at: '30s', alarm: { name: 'api-5xx-high', state: 'ALARM' } }];
    const { violation } = await breakShrinkReplay(
      schedule('eager-dedupe', 'cold-launch', events, '3m'),
      { sabotage },
      INVARIANTS.alarmHandled,
    );
    expect(violation.message).toBe('api-5xx-high ALARM dropped as a duplicate of a delivery that was never handled');
  });

  test('item-size: a store that writes the reason 420 KB long', async () => {
    const sabotage = withStore((store) => ({
      saveState: (next: ServiceState, expected: number) =>
        store.saveState(next.state === 'FAILING_OVER' ? { ...next, lastReason: 'x'.repeat(420_000) } : next, expected),
    }));
    const { violation } = await breakShrinkReplay(schedule('fat-item', 'warm-standby', OUTAGE, '4m'), { sabotage }, INVARIANTS.itemSize);
    expect(violation.message).toMatch(/item SVC#web STATE is \d+ bytes \(DynamoDB's limit is 409600\)/);
  });

  test('liveness: a hold-down that never ends', async () => {
    const sabotage = withPolicy((policy) => ({ failback: { ...policy.failback, holdDownSeconds: 100_000 } }));
    const { violation } = await breakShrinkReplay(
      schedule('endless-holddown', 'warm-standby', OUTAGE, '11m'),
      { sabotage },
      INVARIANTS.liveness,
    );
    expect(violation.message).toMatch(/yet web is SECONDARY with DNS answering \["198.51.100.20"\]/);
  });

  test('anti-flap (drills never count): a store that forgets which transition was a drill', async () => {
    // Without cooldownSinceEpochMs and the transition's trigger, the guard counts the drill's failback.
    const sabotage = withStore((store) => ({
      saveState: (next: ServiceState, expected: number) => {
        const { cooldownSinceEpochMs: _forgotten, ...rest } = next;
        const lastTransition = next.lastTransition && { ...next.lastTransition, trigger: undefined };
        return store.saveState({ ...rest, ...(lastTransition ? { lastTransition } : {}) }, expected);
      },
    }));
    const events = [
      { at: '10s', invoke: { function: 'drill', payload: { service: 'web', mode: 'live', holdSeconds: 30 } } },
      { at: '150s', site: 'web/primary', health: 'down' },
      { at: '330s', site: 'web/primary', health: 'up' },
    ];
    const { violation } = await breakShrinkReplay(
      schedule('drill-counts', 'warm-standby', events, '8m'),
      { sabotage },
      INVARIANTS.antiFlap,
    );
    expect(violation.message).toMatch(
      /a drill's transition held back an automatic failover: primary failed .*failover waits for cooldown: \d+s left/,
    );
  });

  test("iam-allowed: the orchestrator's generated policy without its Elastic IP grant", async () => {
    const { violation } = await breakShrinkReplay(
      schedule('no-eip-grant', 'warm-standby', OUTAGE, '4m'),
      { adjustRoles: forgetElasticIpGrant },
      INVARIANTS.iamAllowed,
    );
    expect(violation.message).toMatch(
      /switchback-sim-orchestrator-us-west-2 was denied ec2:AssociateAddress on arn:aws:ec2:us-west-2:123456789012:elastic-ip\/eipalloc-0abc1234/,
    );
  });
});
