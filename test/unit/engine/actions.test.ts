/**
 * Step actions against hand-written adapter fakes: what each asks AWS for, what it outputs, and
 * how it reports trouble.
 */
import type { CloudWatchAdapter, PutFlagMetricInput } from '../../../shared/aws/cloudwatch';
import type { Ec2Adapter } from '../../../shared/aws/ec2';
import type { LambdaAdapter } from '../../../shared/aws/lambda';
import type { DnsRecord, Route53Adapter, UpsertRecordInput } from '../../../shared/aws/route53';
import { buildConfig } from '../../support/config-builder';
import { buildPlan } from '../../../shared/domain/build-plan';
import { plannedRun } from '../../support/planned-run';
import type { PlanStep, Run } from '../../../shared/domain/types';
import { clientTokenFor, findAction, userMessage, type ActionContext, type ActionName } from '../../../shared/actions';
import { ec2Start } from '../../../shared/actions/ec2-start';
import { stepAdapters } from '../../../shared/actions/context';
import { StepParamsError, StepTimeoutError } from '../../../shared/engine/errors';
import { gsm7Length, isGsm7 } from '../../../shared/domain/messages';

const T0 = Date.UTC(2026, 0, 1);
const config = buildConfig({
  services: [
    {
      dns: { setIdentifier: 'blue' },
      secondary: {
        prepare: [
          {
            id: 'launch',
            'ec2.launchFromAmi': {
              imageId: 'ami-0abc1234',
              instanceType: 't3.small',
              userData: '#!/bin/sh\necho hi',
              tags: { Team: 'web' },
            },
          },
          { 'ec2.attachVolume': { volumeId: 'vol-0abc1234', instanceId: '${steps.launch.instanceId}', device: '/dev/sdf' } },
          { 'ec2.associateAddress': { allocationId: 'eipalloc-0abc1234', instanceId: '${steps.launch.instanceId}' } },
          { 'http.waitHealthy': { timeoutSeconds: 30, intervalSeconds: 10 } },
        ],
      },
    },
  ],
});
const service = config.services[0];

function plan(kind: 'failover' | 'failback' = 'failover'): PlanStep[] {
  return buildPlan(service, kind);
}

interface Harness {
  ctx: ActionContext;
  params: Record<string, unknown>;
  calls: Array<[string, ...unknown[]]>;
  published: string[];
  dnsPending: number[];
  now: () => number;
}

function harness(
  step: PlanStep,
  params: Record<string, unknown>,
  options: { run?: Run; record?: DnsRecord; probes?: boolean[]; waited?: boolean } = {},
): Harness {
  let now = T0;
  const calls: Harness['calls'] = [];
  const published: string[] = [];
  const dnsPending: number[] = [];
  const probes = [...(options.probes ?? [true])];
  const route53: Route53Adapter = {
    getRecord: async (key) => (calls.push(['getRecord', key]), options.record),
    getHealthCheck: async () => undefined,
    upsertRecord: async (input: UpsertRecordInput) => (calls.push(['upsertRecord', input]), { changeId: 'C123' }),
    getChangeStatus: async () => 'PENDING',
    waitInSync: async (changeId, waitOptions) => {
      calls.push(['waitInSync', changeId, waitOptions.deadlineEpochMs - now, waitOptions.pollMs]);
      now = waitOptions.deadlineEpochMs;
      return { inSync: options.waited ?? true, polls: 3 };
    },
  };
  const ec2 = {
    startInstances: async (region: string, ids: string[]) => (
      calls.push(['startInstances', region, ids]),
      ids.map((instanceId) => ({ instanceId, previousState: 'stopped', currentState: 'pending' }))
    ),
    stopInstances: async (region: string, ids: string[]) => (
      calls.push(['stopInstances', region, ids]),
      ids.map((instanceId) => ({ instanceId, previousState: 'stopped', currentState: 'stopped' }))
    ),
    waitForState: async (region: string, ids: string[], target: string) => (
      calls.push(['waitForState', region, ids, target]),
      { reached: true, polls: 1, states: {} }
    ),
    runInstance: async (region: string, input: unknown) => (calls.push(['runInstance', region, input]), 'i-0fff1234def567890'),
    describeInstances: async () => [{ instanceId: 'i-0fff1234def567890', state: 'running', privateIpAddress: '10.0.0.5', tags: {} }],
    attachVolume: async (region: string, input: unknown) => (calls.push(['attachVolume', region, input]), { outcome: 'attached' as const }),
    associateAddress: async (region: string, input: unknown) => (
      calls.push(['associateAddress', region, input]),
      { outcome: 'associated' as const, associationId: 'eipassoc-1', publicIp: '198.51.100.20' }
    ),
    checkPermission: async () => ({ allowed: true, detail: '' }),
  } as unknown as Ec2Adapter;
  const cloudWatch: CloudWatchAdapter = {
    stage: 'test',
    flagAlarmName: (name) => `switchback-test-${name}-failover-flag`,
    putFlagMetric: async (input: PutFlagMetricInput) => void calls.push(['putFlagMetric', input]),
    putFlagMetrics: async (flags, atEpochMs) => void calls.push(['putFlagMetrics', flags, atEpochMs]),
    describeAlarmStates: async () => [],
    smsMonthToDateSpendUsd: async () => undefined,
    latestMaximum: async () => undefined,
  };
  const lambda: LambdaAdapter = {
    invokeFunction: async (name, payload, invokeOptions) => (calls.push(['invokeFunction', name, payload, invokeOptions]), { ok: true }),
    invokeAsync: async () => ({ statusCode: 202 }),
  };
  const run = options.run ?? plannedRun({ id: 'run-1', service, kind: 'failover', trigger: 'auto', reason: 'test', nowEpochMs: T0 });
  let stored = run;
  const ctx: ActionContext = {
    config,
    service,
    run,
    step,
    deadlineEpochMs: T0 + step.timeoutMs,
    invocationDeadlineEpochMs: T0 + 880_000,
    attempt: 1,
    aws: { route53, ec2: () => ec2, cloudWatch, lambda, ...stepAdapters(undefined) },
    prober: {
      probe: async (spec) => {
        calls.push(['probe', spec.type === 'tcp' ? spec.host : spec.url]);
        const ok = probes.length > 1 ? (probes.shift() as boolean) : probes[0];
        return { ok, latencyMs: 3, checkedAtEpochMs: now, ...(ok ? {} : { cause: 'HTTP 503' }) };
      },
    },
    clock: { now: () => now, sleep: async (ms) => void (now += ms) },
    sleep: async (ms) => void (now += ms),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    publish: async (text) => (published.push(text), { ok: true, delivered: 1 }),
    readRun: async () => stored,
    updateRun: async (change) => (stored = change(stored)),
    reportDnsPending: async (seconds) => void dnsPending.push(seconds),
  };
  return { ctx, params, calls, published, dnsPending, now: () => now };
}

/** Run a step through the registry entry point the engine uses: params validated by the action's own schema. */
async function runAction(name: ActionName, h: Harness) {
  const action = findAction(name);
  if (!action) throw new Error(`no action ${name}`);
  return action.run(h.ctx, h.params);
}

const stepOf = (action: string, kind: 'failover' | 'failback' = 'failover') =>
  plan(kind).find((step) => step.action === action) as PlanStep;

describe('ec2 actions', () => {
  it('launchFromAmi: ClientToken = sha256(run id, step id), tagged, waits for running, outputs id and IPs', async () => {
    const step = stepOf('ec2.launchFromAmi');
    const h = harness(step, step.params);
    const result = await runAction('ec2.launchFromAmi', h);
    const [, region, input] = h.calls.find((call) => call[0] === 'runInstance') as [string, string, Record<string, unknown>];
    expect(region).toBe('us-west-2');
    expect(input).toMatchObject({
      imageId: 'ami-0abc1234',
      instanceType: 't3.small',
      userData: '#!/bin/sh\necho hi',
      clientToken: clientTokenFor('run-1', 'launch'),
      runId: 'run-1',
      tags: { Name: 'web-launch', Team: 'web' },
    });
    expect(h.calls.find((call) => call[0] === 'waitForState')).toEqual(['waitForState', 'us-west-2', ['i-0fff1234def567890'], 'running']);
    expect(result.output).toEqual({
      instanceId: 'i-0fff1234def567890',
      instanceIds: ['i-0fff1234def567890'],
      privateIpAddress: '10.0.0.5',
    });
  });

  it('clientTokenFor is 64 hex characters, stable per run and step, different otherwise', () => {
    const token = clientTokenFor('run-1', 'launch');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(clientTokenFor('run-1', 'launch')).toBe(token);
    expect(clientTokenFor('run-1', 'launch2')).not.toBe(token);
    expect(clientTokenFor('run-2', 'launch')).not.toBe(token);
    expect(clientTokenFor('run-1l', 'aunch')).not.toBe(token);
  });

  it('start fails with a timeout naming the instances when they never reach running', async () => {
    const step = {
      ...stepOf('ec2.launchFromAmi'),
      id: 'start',
      action: 'ec2.start' as const,
      params: { instanceIds: ['i-0abc1234def567890'], region: 'us-west-2' },
      timeoutMs: 300_000,
    };
    const h = harness(step, step.params);
    (h.ctx.aws.ec2() as unknown as { waitForState: unknown }).waitForState = async () => ({
      reached: false,
      polls: 100,
      states: { 'i-0abc1234def567890': 'pending' },
    });
    await expect(runAction('ec2.start', h)).rejects.toThrow(
      new StepTimeoutError('ec2.start: i-0abc1234def567890 not running within 300s (i-0abc1234def567890 pending)'),
    );
  });

  it('attachVolume and associateAddress pass the safety switches from config (off by default)', async () => {
    const attach = stepOf('ec2.attachVolume');
    const h = harness(attach, { ...attach.params, instanceId: 'i-0fff1234def567890' });
    expect((await runAction('ec2.attachVolume', h)).output).toEqual({
      volumeId: 'vol-0abc1234',
      instanceId: 'i-0fff1234def567890',
      device: '/dev/sdf',
    });
    expect(h.calls[0]).toEqual([
      'attachVolume',
      'us-west-2',
      { volumeId: 'vol-0abc1234', instanceId: 'i-0fff1234def567890', device: '/dev/sdf', force: false },
    ]);

    const associate = stepOf('ec2.associateAddress');
    const h2 = harness(associate, { ...associate.params, instanceId: 'i-0fff1234def567890' });
    const result = await runAction('ec2.associateAddress', h2);
    expect(h2.calls[0]).toEqual([
      'associateAddress',
      'us-west-2',
      { allocationId: 'eipalloc-0abc1234', instanceId: 'i-0fff1234def567890', allowReassociation: false },
    ]);
    expect(result.output).toEqual({
      allocationId: 'eipalloc-0abc1234',
      instanceId: 'i-0fff1234def567890',
      associationId: 'eipassoc-1',
      publicIp: '198.51.100.20',
    });
  });

  it('an unresolved reference is a parameter error, not an AWS call', async () => {
    const attach = stepOf('ec2.attachVolume');
    const h = harness(attach, { ...attach.params, instanceId: 42 });
    await expect(runAction('ec2.attachVolume', h)).rejects.toBeInstanceOf(StepParamsError);
    expect(h.calls).toEqual([]);
  });

  it('reads instance lists given as a list, a resolved list reference, one id, or a comma-joined reference', () => {
    const [a, b] = ['i-0abc1234def567890', 'i-0fff1234def567890'];
    const ids = (value: unknown) => ec2Start.parseParams({ instanceIds: value }).instanceIds;
    expect(ids([a, b])).toEqual([a, b]);
    expect(ids([[a, b]])).toEqual([a, b]);
    expect(ids(a)).toEqual([a]);
    expect(ids(`${a}, ${b}`)).toEqual([a, b]);
    expect(() => ids([])).toThrow(StepParamsError);
    expect(() => ids(['i-1'])).toThrow(StepParamsError);
  });
});

describe('route53.switch', () => {
  it('record-swap: UPSERTs the target keeping the record routing fields, outputs the change id', async () => {
    const step = stepOf('route53.switch');
    const h = harness(step, step.params, {
      record: { name: 'app.example.com', type: 'A', ttl: 30, setIdentifier: 'blue', values: ['203.0.113.10'], routing: { Weight: 100 } },
    });
    const result = await runAction('route53.switch', h);
    expect(h.calls[0]).toEqual([
      'getRecord',
      { hostedZoneId: 'Z0123456789ABC', recordName: 'app.example.com', type: 'A', setIdentifier: 'blue' },
    ]);
    // The health gate looks at the target right before the change.
    expect(h.calls[1]).toEqual(['probe', 'http://198.51.100.20/health']);
    expect(h.calls[2]).toEqual([
      'upsertRecord',
      {
        hostedZoneId: 'Z0123456789ABC',
        recordName: 'app.example.com',
        type: 'A',
        setIdentifier: 'blue',
        ttl: 30,
        target: ['198.51.100.20'],
        routing: { Weight: 100 },
        comment: 'switchback failover run-1 (web)',
      },
    ]);
    expect(result).toEqual({
      output: { changed: true, changeId: 'C123', strategy: 'record-swap' },
      note: 'UPSERT app.example.com A → 198.51.100.20 (change C123)',
    });
  });

  it('record-swap: skips when the record already points at the target', async () => {
    const step = stepOf('route53.switch');
    const h = harness(step, step.params, { record: { name: 'app.example.com', type: 'A', values: ['198.51.100.20'], routing: {} } });
    const result = await runAction('route53.switch', h);
    expect(h.calls.map((call) => call[0])).toEqual(['getRecord']);
    expect(result).toEqual({
      output: { changed: false, strategy: 'record-swap' },
      note: 'app.example.com already pointed at the secondary (198.51.100.20); skipped',
    });
  });

  it('health-check-flag: publishes 1 to fail over and 0 to fail back, in the control region, no Route 53 call', async () => {
    for (const [kind, value] of [
      ['failover', 1],
      ['failback', 0],
    ] as const) {
      const step = stepOf('route53.switch', kind);
      const h = harness(step, { ...step.params, strategy: 'health-check-flag' });
      const result = await runAction('route53.switch', h);
      const target = kind === 'failover' ? 'http://198.51.100.20/health' : 'http://203.0.113.10/health';
      expect(h.calls).toEqual([
        ['probe', target],
        ['putFlagMetric', { service: 'web', value, atEpochMs: T0, region: 'us-west-2' }],
      ]);
      expect(result.note).toBe(`flag set to ${value}: switched via data plane (no Route 53 API call)`);
    }
  });
});

describe('route53.switch health gate (dns.requireHealthyTarget)', () => {
  it('a target failing three looks 2 s apart fails the step before any change', async () => {
    const step = stepOf('route53.switch');
    const h = harness(step, step.params, { probes: [false] });
    await expect(runAction('route53.switch', h)).rejects.toThrow(
      'the secondary failed its health check right before the DNS switch: HTTP 503 (3 looks at http://198.51.100.20/health)',
    );
    expect(h.calls.map((call) => call[0])).toEqual(['getRecord', 'probe', 'probe', 'probe']);
    expect(h.now() - T0).toBe(4_000);
  });
});

describe('route53.waitInSync', () => {
  function runWithSwitch(output: Record<string, string | boolean>): Run {
    const run = plannedRun({ id: 'run-1', service, kind: 'failover', trigger: 'auto', reason: 'test', nowEpochMs: T0 });
    return { ...run, steps: run.steps.map((step) => (step.action === 'route53.switch' ? { ...step, status: 'succeeded', output } : step)) };
  }

  it('polls every 2 s up to the configured timeout', async () => {
    const step = stepOf('route53.waitInSync');
    const h = harness(step, step.params, { run: runWithSwitch({ changed: true, changeId: 'C123' }) });
    const result = await runAction('route53.waitInSync', h);
    expect(h.calls).toEqual([['waitInSync', 'C123', 300_000, 2000]]);
    expect(result.output).toEqual({ inSync: true, polls: 3 });
    expect(h.dnsPending).toEqual([]);
  });

  it('not INSYNC by the deadline: reports DNS_PENDING and succeeds with a note', async () => {
    const step = stepOf('route53.waitInSync');
    const h = harness(step, step.params, { run: runWithSwitch({ changed: true, changeId: 'C123' }), waited: false });
    const result = await runAction('route53.waitInSync', h);
    expect(h.dnsPending).toEqual([300]);
    expect(result.output).toEqual({ inSync: false, polls: 3 });
    expect(result.note).toBe('change C123 still PENDING after 300s: DNS_PENDING (the change will still apply)');
  });

  it('nothing to wait for when the switch changed nothing', async () => {
    const step = stepOf('route53.waitInSync');
    const h = harness(step, step.params, { run: runWithSwitch({ changed: false }) });
    expect((await runAction('route53.waitInSync', h)).note).toMatch(/no change to wait for/);
    expect(h.calls).toEqual([]);
  });

  it('refuses to run before the switch succeeded', async () => {
    const step = stepOf('route53.waitInSync');
    const h = harness(step, step.params);
    await expect(runAction('route53.waitInSync', h)).rejects.toBeInstanceOf(StepParamsError);
  });
});

describe('http.waitHealthy', () => {
  it('probes the site traffic moves to, every intervalSeconds, until it passes', async () => {
    const step = stepOf('http.waitHealthy');
    const h = harness(step, step.params, { probes: [false, false, true] });
    const result = await runAction('http.waitHealthy', h);
    expect(h.calls).toEqual([
      ['probe', 'http://198.51.100.20/health'],
      ['probe', 'http://198.51.100.20/health'],
      ['probe', 'http://198.51.100.20/health'],
    ]);
    expect(h.now() - T0).toBe(20_000);
    expect(result.note).toBe('secondary healthy after 3 probes (20s)');
  });

  it('gives up at the step timeout with the last cause', async () => {
    const step = stepOf('http.waitHealthy');
    const h = harness(step, step.params, { probes: [false] });
    await expect(runAction('http.waitHealthy', h)).rejects.toThrow(
      'the secondary (http://198.51.100.20/health) did not pass its probe within 30s: HTTP 503 (4 probes)',
    );
  });

  it('probes the primary on a failback', async () => {
    const step = { ...stepOf('http.waitHealthy'), params: { site: 'primary', timeoutSeconds: 30, intervalSeconds: 10 } };
    const h = harness(step, step.params);
    await runAction('http.waitHealthy', h);
    expect(h.calls).toEqual([['probe', 'http://203.0.113.10/health']]);
  });
});

describe('lambda.invoke and notify', () => {
  it('lambda.invoke sends the run context merged with the configured payload, in the configured region', async () => {
    const step: PlanStep = {
      ...stepOf('http.waitHealthy'),
      id: 'promote',
      action: 'lambda.invoke',
      params: { functionName: 'promote', region: 'us-west-2', payload: { cluster: 'db' } },
    };
    const h = harness(step, step.params);
    const result = await runAction('lambda.invoke', h);
    expect(h.calls).toEqual([
      [
        'invokeFunction',
        'promote',
        {
          service: 'web',
          runId: 'run-1',
          kind: 'failover',
          trigger: 'auto',
          stepId: 'promote',
          cluster: 'db',
          switchback: { service: 'web', runId: 'run-1', step: 'promote', attempt: 1, idempotencyKey: 'run-1/promote' },
        },
        // The call waits what is left of the step's budget, not the client's 5 s default.
        { region: 'us-west-2', timeoutMs: step.timeoutMs },
      ],
    ]);
    expect(result.output).toEqual({ ok: true });
  });

  it('notify sends, and sends again when the step is re-executed after a restart (it was never confirmed)', async () => {
    const step: PlanStep = { ...stepOf('http.waitHealthy'), id: 'tell', action: 'notify', params: { message: 'warming caches — 2 min' } };
    const run = plannedRun({ id: 'run-1', service, kind: 'failover', trigger: 'drill', reason: 'drill', nowEpochMs: T0 });
    const withAttempts = (attempts: number): Run => ({
      ...run,
      steps: [...run.steps, { id: 'tell', action: 'notify', status: 'running', attempts }],
    });
    const first = harness(step, step.params, { run: withAttempts(1) });
    expect((await runAction('notify', first)).output).toEqual({ sent: true, delivered: 1 });
    expect(first.published).toEqual(['[DRILL] [switchback] web: warming caches - 2 min']);
    const again = harness(step, step.params, { run: withAttempts(2) });
    expect((await runAction('notify', again)).output).toEqual({ sent: true, delivered: 1 });
    expect(again.published).toEqual(['[DRILL] [switchback] web: warming caches - 2 min']);
  });

  it('userMessage folds to GSM-7 and cuts to one SMS', () => {
    const text = userMessage('a-very-long-service-name-for-testing-limits', `“${'x'.repeat(150)}”`, false);
    expect(isGsm7(text)).toBe(true);
    expect(gsm7Length(text)).toBe(160);
    expect(text.endsWith('...')).toBe(true);
    expect(userMessage('web', 'hello', false)).toBe('[switchback] web: hello');
  });
});

describe('lambda.invoke budget', () => {
  it('with less than a second of budget left the hook is not invoked (a resumed run after the budget was spent)', async () => {
    const step: PlanStep = { ...stepOf('http.waitHealthy'), id: 'promote', action: 'lambda.invoke', params: { functionName: 'promote' } };
    const run = plannedRun({ id: 'run-1', service, kind: 'failover', trigger: 'auto', reason: 'test', nowEpochMs: T0 });
    const resumed: Run = { ...run, steps: [...run.steps, { id: 'promote', action: 'lambda.invoke', status: 'running', attempts: 2 }] };
    const h = harness(step, step.params, { run: resumed });
    h.ctx.deadlineEpochMs = T0 + 500;
    await expect(runAction('lambda.invoke', h)).rejects.toThrow(
      'no time left to invoke promote (0s of its budget left; an earlier attempt may have run it, so it is not invoked again)',
    );
    expect(h.calls).toEqual([]);
  });
});
