import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { DescribeRegionsCommand, StartInstancesCommand } from '@aws-sdk/client-ec2';
import { classifyAwsError } from '../../../../shared/aws/errors';
import { createEc2Adapter } from '../../../../shared/aws/ec2';
import { withRetry } from '../../../../shared/aws/retry';
import { createRoute53Adapter } from '../../../../shared/aws/route53';
import { createSnsAdapter } from '../../../../shared/aws/sns';
import { createWorld, InvalidFaultError } from '../../../../sim/world';
import { createTestWorld, rejectionOf } from './world-test-kit';

const ZONE = 'Z0123456789ABC';
const STANDBY = 'i-0abc1234def567890';

function setup() {
  const kit = createTestWorld();
  kit.world.route53.createHostedZone({ id: ZONE, name: 'example.com' });
  kit.world.route53.putRecord(ZONE, { Name: 'app.example.com', Type: 'A', TTL: 30, ResourceRecords: [{ Value: '203.0.113.10' }] });
  kit.world.ec2.addInstance({ region: 'us-west-2', instanceId: STANDBY, state: 'stopped' });
  return kit;
}

const upsert = { hostedZoneId: ZONE, recordName: 'app.example.com', type: 'A' as const, ttl: 30, target: ['198.51.100.20'] };

describe('injected faults', () => {
  it('fails the next calls with Throttling (classified throttle), then lets them through; withRetry rides it out', async () => {
    const { world, clients, clock } = setup();
    const route53 = createRoute53Adapter(clients);
    world.faults.add({ api: 'route53.ChangeResourceRecordSets', error: 'Throttling', times: 2 });

    const raw = await rejectionOf(
      clients.route53().send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: ZONE,
          ChangeBatch: {
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: { Name: 'app.example.com', Type: 'A', TTL: 30, ResourceRecords: [{ Value: '198.51.100.20' }] },
              },
            ],
          },
        }),
      ),
    );
    expect(raw).toMatchObject({ name: 'Throttling', $fault: 'client', message: 'Rate exceeded' });
    expect(classifyAwsError(raw)).toBe('throttle');

    const retried: string[] = [];
    const { value, attempts } = await withRetry(
      () => route53.upsertRecord(upsert),
      { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 },
      {
        sleep: clock.sleep,
        random: () => 0.5,
        now: clock.now,
        onRetry: (info) => retried.push(info.kind),
      },
    );
    expect(attempts).toBe(2);
    expect(retried).toEqual(['throttle']);
    expect(value.changeId).toMatch(/^C/);
    expect(world.apiCalls()['route53.ChangeResourceRecordSets']).toBe(3);
    expect(world.callLog().map((entry) => [entry.api, entry.ok, entry.error, entry.injected])).toEqual([
      ['route53.ChangeResourceRecordSets', false, 'Throttling', true],
      ['route53.ChangeResourceRecordSets', false, 'Throttling', true],
      ['route53.ChangeResourceRecordSets', true, undefined, undefined],
    ]);
    expect(world.faults.list()).toEqual([expect.objectContaining({ api: 'route53.ChangeResourceRecordSets', fired: 2 })]);
  });

  it('lets `after` calls succeed first, and keeps failing with times: Infinity until cleared', async () => {
    const { world, clients } = setup();
    const ec2 = createEc2Adapter(clients);
    world.faults.add({ api: 'ec2.StartInstances', error: 'InsufficientInstanceCapacity', after: 1, times: Number.POSITIVE_INFINITY });
    await ec2.startInstances('us-west-2', [STANDBY]);
    for (let i = 0; i < 3; i++) {
      const error = await rejectionOf(clients.ec2('us-west-2').send(new StartInstancesCommand({ InstanceIds: [STANDBY] })));
      expect(error).toMatchObject({ name: 'InsufficientInstanceCapacity', $fault: 'server', $metadata: { httpStatusCode: 500 } });
      expect(classifyAwsError(error)).toBe('transient');
    }
    world.faults.clear();
    await ec2.startInstances('us-west-2', [STANDBY]);
    expect(world.apiCalls()['ec2.StartInstances']).toBe(5);
  });

  it('makes access errors fatal and network errors transient; `after` counts calls another fault failed', async () => {
    const { world, clients } = setup();
    const sns = createSnsAdapter(clients);
    world.faults.add({ api: 'sns.Publish', error: 'AuthorizationError' });
    world.faults.add({ api: 'sns.Publish', error: 'ECONNRESET', after: 1 });
    const denied = await rejectionOf(sns.sendSms('+15555550100', 'x'));
    expect(denied).toMatchObject({ code: 'AuthorizationErrorException', kind: 'fatal' });
    const reset = await rejectionOf(sns.sendSms('+15555550100', 'x'));
    expect(reset).toMatchObject({ code: 'ECONNRESET', kind: 'transient' });
    expect(world.sns.published()).toEqual([]);
  });

  it('adds latency through the injected sleep, then answers normally', async () => {
    const { world, clients, clock } = setup();
    world.faults.add({ api: 'route53.ListResourceRecordSets', latencyMs: 4_000 });
    const startedAt = clock.now();
    const record = await createRoute53Adapter(clients).getRecord({ hostedZoneId: ZONE, recordName: 'app.example.com', type: 'A' });
    expect(record?.values).toEqual(['203.0.113.10']);
    expect(clock.now() - startedAt).toBe(4_000);
    expect(world.callLog()[0]).toMatchObject({ ok: true, injected: true, atEpochMs: startedAt });
  });

  it('refuses malformed faults with a message naming every problem', () => {
    const { world } = setup();
    expect(() => world.faults.add({ api: 'route53.changeRecords', error: 'Throttling' })).toThrow(InvalidFaultError);
    expect(() => world.faults.add({ api: 'sns.Publish', stuck: true })).toThrow(/stuck: only meaningful on/);
    expect(() => world.faults.add({ api: 'sns.Publish' })).toThrow(/give at least one of error, latencyMs, stuck, lost or duplicate/);
    expect(() => world.faults.add({ api: 'sns.Publish', lost: true })).toThrow(/lost and duplicate: only meaningful on sqs.SendMessage/);
    expect(() => world.faults.add({ api: 'sqs.SendMessage', duplicate: true, error: 'Throttling' })).toThrow(
      /lost and duplicate exclude error/,
    );
    expect(() => world.faults.add({ api: 'sns.Publish', error: 'Throttling', times: 0 })).toThrow(/times: must be/);
  });
});

describe('call log', () => {
  it('marks changing calls mutating (even when they fail) and reads and dry runs not', async () => {
    const { world, clients, clock } = setup();
    world.sns.createTopic('arn:aws:sns:us-west-2:123456789012:oncall');
    const ec2 = createEc2Adapter(clients);
    const route53 = createRoute53Adapter(clients);
    await ec2.checkPermission('us-west-2', 'StartInstances', { InstanceIds: [STANDBY] });
    await ec2.describeInstances('us-west-2', [STANDBY]);
    await route53.getRecord({ hostedZoneId: ZONE, recordName: 'app.example.com', type: 'A' });
    clock.advance(1_000);
    await ec2.startInstances('us-west-2', [STANDBY]);
    await rejectionOf(ec2.startInstances('us-west-2', ['i-0000000000000dead']));
    await createSnsAdapter(clients).publishToTopic('arn:aws:sns:us-west-2:123456789012:oncall', 'hello');

    expect(world.callLog()).toEqual([
      {
        api: 'ec2.StartInstances',
        region: 'us-west-2',
        atEpochMs: clock.now() - 1_000,
        mutating: false,
        ok: false,
        error: 'DryRunOperation',
        dryRun: true,
      },
      { api: 'ec2.DescribeInstances', region: 'us-west-2', atEpochMs: clock.now() - 1_000, mutating: false, ok: true },
      { api: 'route53.ListResourceRecordSets', region: 'us-east-1', atEpochMs: clock.now() - 1_000, mutating: false, ok: true },
      { api: 'ec2.StartInstances', region: 'us-west-2', atEpochMs: clock.now(), mutating: true, ok: true },
      {
        api: 'ec2.StartInstances',
        region: 'us-west-2',
        atEpochMs: clock.now(),
        mutating: true,
        ok: false,
        error: 'InvalidInstanceID.NotFound',
      },
      { api: 'sns.Publish', region: 'us-west-2', atEpochMs: clock.now(), mutating: true, ok: true },
    ]);
    expect(world.apiCalls()).toEqual({
      'ec2.StartInstances': 3,
      'ec2.DescribeInstances': 1,
      'route53.ListResourceRecordSets': 1,
      'sns.Publish': 1,
    });
  });

  it('answers an operation the world does not model with a fatal InvalidAction', async () => {
    const { clients } = setup();
    const error = await rejectionOf(clients.ec2('us-west-2').send(new DescribeRegionsCommand({})));
    expect(error.name).toBe('InvalidAction');
    expect(error.message).toMatch(/does not model ec2:DescribeRegions/);
    expect(classifyAwsError(error)).toBe('fatal');
  });
});

describe('createWorld options', () => {
  it('refuses unknown keys and bad delays', () => {
    expect(() => createWorld({ now: () => 0, route53ChangeDelay: 5 } as never)).toThrow(/unknown option "route53ChangeDelay"/);
    expect(() => createWorld({ now: () => 0, ec2TransitionDelayMs: -1 })).toThrow(/ec2TransitionDelayMs must be ≥ 0/);
  });
});
