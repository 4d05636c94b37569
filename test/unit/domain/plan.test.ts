import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfigFile, parseConfig } from '../../../shared/config/load';
import { StepRefError } from '../../../shared/domain/errors';
import { buildPlan } from '../../../shared/domain/build-plan';
import { formatPlan, newRun, resolveStepRefs } from '../../../shared/domain/plan';
import type { StepRecord } from '../../../shared/domain/types';
import { EXAMPLE_FILE, T0 } from './fixtures';

const web = loadConfigFile(EXAMPLE_FILE).services[0];
const ROUTE53_RETRY = { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 5000 };

/** The example file with the first service changed by `edit` (raw YAML shape). */
function serviceFrom(edit: (service: Record<string, any>) => void) {
  const raw = parse(readFileSync(EXAMPLE_FILE, 'utf8'));
  edit(raw.services[0]);
  return parseConfig(raw).services[0];
}

describe('buildPlan (example config)', () => {
  it('failover: the secondary prepare steps, then the DNS switch and the wait for INSYNC', () => {
    const plan = buildPlan(web, 'failover');
    expect(plan.map((step) => [step.id, step.timeoutMs, step.onFailure, step.retry.maxAttempts])).toEqual([
      ['ec2.start#1', 300_000, 'abort', 4],
      ['ec2.associateAddress#1', 120_000, 'abort', 4],
      ['http.waitHealthy#1', 300_000, 'abort', 1],
      ['route53.switch#1', 60_000, 'abort', 8],
      ['route53.waitInSync#1', 330_000, 'continue', 8],
    ]);
    expect(plan.map((step) => step.description)).toEqual([
      'start i-0abc1234def567890 in us-west-2',
      'associate eipalloc-0abc1234 with i-0abc1234def567890 in us-west-2',
      'wait up to 300s for the secondary to pass its probe (http://198.51.100.20/health)',
      'point app.example.com A at 198.51.100.20',
      'wait up to 300s for the DNS change to be INSYNC',
    ]);
    expect(plan[0].params).toEqual({ instanceIds: ['i-0abc1234def567890'], region: 'us-west-2' });
    expect(plan[2].params).toEqual({ timeoutSeconds: 300, intervalSeconds: 5, site: 'secondary' });
    expect(plan[3].params).toEqual({
      site: 'secondary',
      target: ['198.51.100.20'],
      strategy: 'record-swap',
      hostedZoneId: 'Z0123456789ABC',
      recordName: 'app.example.com',
      type: 'A',
      ttl: 30,
    });
    expect(plan[3].retry).toEqual(ROUTE53_RETRY);
    expect(plan[4].params).toEqual({ switchStepId: 'route53.switch#1', inSyncTimeoutSeconds: 300 });
  });

  it('failback: DNS back to the primary, wait, then the secondary cleanup that never fails the run', () => {
    const plan = buildPlan(web, 'failback');
    expect(plan.map((step) => [step.id, step.description, step.onFailure])).toEqual([
      ['route53.switch#1', 'point app.example.com A at 203.0.113.10', 'abort'],
      ['route53.waitInSync#1', 'wait up to 300s for the DNS change to be INSYNC', 'continue'],
      ['ec2.stop#1', 'stop i-0abc1234def567890 in us-west-2', 'continue'],
    ]);
    expect(plan[0].params).toMatchObject({ site: 'primary', target: ['203.0.113.10'] });
  });

  it('health-check-flag: the wait watches the flag alarm instead of a Route 53 change', () => {
    const service = serviceFrom((s) => (s.dns.strategy = 'health-check-flag'));
    expect(buildPlan(service, 'failover').map((step) => step.action)).toEqual([
      'ec2.start',
      'ec2.associateAddress',
      'http.waitHealthy',
      'route53.switch',
      'route53.waitInSync',
    ]);
    expect(buildPlan(service, 'failover')[3].description).toBe(
      'flag the primary down (health-check metric) so Route 53 answers app.example.com with the secondary',
    );
    expect(buildPlan(service, 'failback')[0].description).toBe(
      'clear the primary-down flag so Route 53 answers app.example.com with the primary',
    );
  });

  it('every action gets its default timeout, a site region for EC2, and user overrides win', () => {
    const service = serviceFrom((s) => {
      s.dns.inSyncTimeoutSeconds = 120;
      s.secondary.prepare = [
        { id: 'launch', 'ec2.launchFromAmi': { imageId: 'ami-0abc12345', instanceType: 't3.large' } },
        { 'ec2.attachVolume': { volumeId: 'vol-0abc12345', instanceId: '${steps.launch.instanceId}', device: '/dev/sdf' } },
        { 'ec2.associateAddress': { allocationId: 'eipalloc-0abc1234', instanceId: '${steps.launch.instanceId}', region: 'us-east-2' } },
        { 'lambda.invoke': { functionName: 'warm-caches' } },
        { notify: { message: 'standby is up' }, onFailure: 'abort' },
        { 'http.waitHealthy': { timeoutSeconds: 90 } },
        { 'ec2.start': { instanceIds: ['i-0abc1234def567891'] }, timeoutSeconds: 45, retry: { maxAttempts: 2 } },
        { 'ec2.start': { instanceIds: ['i-0abc1234def567892', 'i-0abc1234def567893'] } },
      ];
    });
    const plan = buildPlan(service, 'failover');
    expect(plan.map((step) => [step.id, step.timeoutMs, step.onFailure])).toEqual([
      ['launch', 600_000, 'abort'],
      ['ec2.attachVolume#1', 120_000, 'abort'],
      ['ec2.associateAddress#1', 120_000, 'abort'],
      ['lambda.invoke#1', 60_000, 'abort'],
      ['notify#1', 30_000, 'continue'],
      ['http.waitHealthy#1', 90_000, 'abort'],
      ['ec2.start#1', 45_000, 'abort'],
      ['ec2.start#2', 300_000, 'abort'],
      ['route53.switch#1', 60_000, 'abort'],
      ['route53.waitInSync#1', 150_000, 'continue'],
    ]);
    expect(plan[0].params.region).toBe('us-west-2');
    expect(plan[2].params.region).toBe('us-east-2');
    expect(plan[3].params.region).toBeUndefined();
    expect(plan[6].retry).toEqual({ maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 8000 });
    expect(plan.map((step) => step.description).slice(0, 8)).toEqual([
      'launch a t3.large from ami-0abc12345 in us-west-2',
      'attach vol-0abc12345 to ${steps.launch.instanceId} as /dev/sdf in us-west-2',
      'associate eipalloc-0abc1234 with ${steps.launch.instanceId} in us-east-2',
      'invoke Lambda warm-caches',
      'text on-call: "standby is up"',
      'wait up to 90s for the secondary to pass its probe (http://198.51.100.20/health)',
      'start i-0abc1234def567891 in us-west-2',
      'start i-0abc1234def567892, i-0abc1234def567893 in us-west-2',
    ]);
    expect(new Set(plan.map((step) => step.id)).size).toBe(plan.length);
  });

  it('keeps ids unique across sides and rewrites references to a renamed step', () => {
    const service = serviceFrom((s) => {
      s.primary.prepare = [{ id: 'boot', 'ec2.start': { instanceIds: ['i-0aaa1234def567890'] } }];
      s.secondary.cleanup = [
        { id: 'boot', 'ec2.launchFromAmi': { imageId: 'ami-0abc12345', instanceType: 't3.micro' } },
        { 'ec2.stop': { instanceIds: ['${steps.boot.instanceId}'] } },
      ];
    });
    const plan = buildPlan(service, 'failback');
    expect(plan.map((step) => step.id)).toEqual(['boot', 'route53.switch#1', 'route53.waitInSync#1', 'boot#2', 'ec2.stop#1']);
    expect(plan[0].params.region).toBe('us-east-1'); // the primary's region
    expect(plan[4].params.instanceIds).toEqual(['${steps.boot#2.instanceId}']);
  });

  it('describes CNAME and alias switches', () => {
    const cname = serviceFrom((s) => {
      s.dns.type = 'CNAME';
      s.primary.target = 'primary.example.net';
      s.secondary.target = 'standby.example.net';
    });
    expect(buildPlan(cname, 'failover').find((step) => step.action === 'route53.switch')?.description).toBe(
      'point app.example.com CNAME at standby.example.net',
    );
    const alias = serviceFrom((s) => {
      s.dns.type = 'alias';
      s.primary.target = { alias: { dnsName: 'primary-lb.us-east-1.elb.amazonaws.com', hostedZoneId: 'Z35SXDOTRQ7X7K' } };
      s.secondary.target = { alias: { dnsName: 'standby-lb.us-west-2.elb.amazonaws.com', hostedZoneId: 'Z1H1FL5HABSF5' } };
    });
    expect(buildPlan(alias, 'failback')[0].description).toBe('point app.example.com alias at primary-lb.us-east-1.elb.amazonaws.com');
  });
});

describe('formatPlan', () => {
  it('numbers the steps with id, timeout, attempts and failure policy', () => {
    const plan = buildPlan(web, 'failback');
    expect(formatPlan(plan)).toBe(
      [
        '  1. point app.example.com A at 203.0.113.10  [route53.switch#1; timeout 60s; up to 8 attempts]',
        '  2. wait up to 300s for the DNS change to be INSYNC  [route53.waitInSync#1; timeout 330s; up to 8 attempts; on failure continue]',
        '  3. stop i-0abc1234def567890 in us-west-2  [ec2.stop#1; timeout 300s; up to 4 attempts; on failure continue]',
      ].join('\n'),
    );
  });

  it('with service and kind, starts with a header; an empty plan says so', () => {
    const lines = formatPlan(web, 'failover', buildPlan(web, 'failover')).split('\n');
    expect(lines[0]).toBe('failover plan for web (app.example.com):');
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatch(/^ {2}1\. start i-0abc1234def567890 in us-west-2 {2}\[ec2\.start#1; timeout 300s; up to 4 attempts\]$/);
    expect(formatPlan([])).toBe('  (no steps)');
  });
});

describe('resolveStepRefs', () => {
  const steps: StepRecord[] = [
    {
      id: 'launch',
      action: 'ec2.launchFromAmi',
      status: 'succeeded',
      attempts: 1,
      output: { instanceId: 'i-0123456789abcdef0', instanceIds: ['i-1', 'i-2'], count: 2 },
    },
    { id: 'route53.switch#1', action: 'route53.switch', status: 'succeeded', attempts: 1, output: { changeId: 'C123' } },
    { id: 'later', action: 'ec2.start', status: 'pending', attempts: 0 },
  ];

  it('replaces whole-string references with the output value and interpolates inside strings, deeply', () => {
    const params = {
      instanceId: '${steps.launch.instanceId}',
      instanceIds: ['${steps.launch.instanceId}', 'i-fixed'],
      all: '${steps.launch.instanceIds}',
      count: '${steps.launch.count}',
      note: 'launched ${steps.launch.instanceId} (change ${steps.route53.switch#1.changeId}, ${steps.launch.instanceIds})',
      nested: { deep: [{ id: '${steps.launch.instanceId}' }] },
      untouched: 42,
    };
    expect(resolveStepRefs(params, steps)).toEqual({
      instanceId: 'i-0123456789abcdef0',
      instanceIds: ['i-0123456789abcdef0', 'i-fixed'],
      all: ['i-1', 'i-2'],
      count: 2,
      note: 'launched i-0123456789abcdef0 (change C123, i-1,i-2)',
      nested: { deep: [{ id: 'i-0123456789abcdef0' }] },
      untouched: 42,
    });
    expect(params.instanceId).toBe('${steps.launch.instanceId}'); // not mutated
  });

  it('throws StepRefError naming the missing reference', () => {
    expect(() => resolveStepRefs({ a: '${steps.nope.instanceId}' }, steps)).toThrow(
      new StepRefError('${steps.nope.instanceId}', 'no step "nope" in this run'),
    );
    expect(() => resolveStepRefs({ a: 'x ${steps.later.instanceId}' }, steps)).toThrow(
      'step reference ${steps.later.instanceId}: step "later" (pending) has no output "instanceId"',
    );
    try {
      resolveStepRefs({ a: '${steps.launch.volumeId}' }, steps);
      throw new Error('expected a StepRefError');
    } catch (error) {
      expect(error).toBeInstanceOf(StepRefError);
      expect((error as StepRefError).ref).toBe('${steps.launch.volumeId}');
    }
  });
});

describe('cleanup and the failover outputs', () => {
  it("failover: the primary's cleanup runs after the DNS wait and never fails the run", () => {
    const service = serviceFrom((raw) => {
      raw.primary.cleanup = [{ notify: { message: 'primary out of service' } }];
    });
    const plan = buildPlan(service, 'failover');
    expect(plan.map((step) => `${step.id} ${step.onFailure}`).slice(-3)).toEqual([
      'route53.switch#1 abort',
      'route53.waitInSync#1 continue',
      'notify#1 continue',
    ]);
  });

  it('${failover.<id>.<key>} resolves from the outputs of the failover run being undone', () => {
    const failover = { runId: 'r1', steps: { launch: { instanceId: 'i-0123456789abcdef0', instanceIds: ['i-1', 'i-2'] } } };
    expect(
      resolveStepRefs({ instanceIds: ['${failover.launch.instanceId}'], note: 'stop ${failover.launch.instanceIds}' }, [], failover),
    ).toEqual({
      instanceIds: ['i-0123456789abcdef0'],
      note: 'stop i-1,i-2',
    });
    expect(() => resolveStepRefs({ a: '${failover.launch.instanceId}' }, [])).toThrow(
      'step reference ${failover.launch.instanceId}: this run does not undo a failover run (only a failback can use its outputs)',
    );
    expect(() => resolveStepRefs({ a: '${failover.other.instanceId}' }, [], failover)).toThrow(
      'step reference ${failover.other.instanceId}: the failover run r1 has no output of a step "other"',
    );
  });

  it('a failback run carries the failover outputs it was started with', () => {
    const failover = { runId: 'r1', steps: { launch: { instanceId: 'i-0123456789abcdef0' } } };
    const base = { id: 'r2', service: web, trigger: 'auto' as const, reason: 'test', nowEpochMs: T0, failover };
    expect(newRun({ ...base, kind: 'failback', plan: buildPlan(web, 'failback') }).failover).toEqual(failover);
    expect(newRun({ ...base, kind: 'failover', plan: buildPlan(web, 'failover') }).failover).toBeUndefined();
  });
});

describe('newRun', () => {
  it('starts running with the plan it is given and one pending record per step', () => {
    const plan = buildPlan(web, 'failover');
    const run = newRun({
      id: 'r1',
      service: web,
      kind: 'failover',
      trigger: 'drill',
      reason: 'drill by bob',
      nowEpochMs: T0,
      plan,
      drill: { holdSeconds: 60 },
    });
    expect(run).toMatchObject({
      id: 'r1',
      service: 'web',
      kind: 'failover',
      trigger: 'drill',
      reason: 'drill by bob',
      status: 'running',
      startedAtEpochMs: T0,
      notifications: {},
      drill: { holdSeconds: 60 },
    });
    expect(run.plan).toBe(plan);
    expect(run.steps).toEqual(run.plan.map((step) => ({ id: step.id, action: step.action, status: 'pending', attempts: 0 })));
    const failback = { id: 'r2', service: web, kind: 'failback' as const, trigger: 'auto' as const, reason: 'x', nowEpochMs: T0 };
    expect('drill' in newRun({ ...failback, plan: buildPlan(web, 'failback') })).toBe(false);
  });
});
