import { ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { InputError } from '../../../shared/errors';
import { AwsActionError } from '../../../shared/aws/errors';
import { createRoute53Adapter, normalizeDnsName, recordMatches, toRecordType } from '../../../shared/aws/route53';
import { awsError, createFakeClock, recordingClients } from './aws-test-kit';

const route53Mock = mockClient(Route53Client);
const client = new Route53Client({ region: 'us-east-1' });
const adapter = createRoute53Adapter(recordingClients({ route53: client }));

beforeEach(() => route53Mock.reset());

describe('getRecord', () => {
  it('lists from the record name and type and returns the exact match (trailing dot, case, escapes)', async () => {
    route53Mock.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        { Name: 'App.Example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '203.0.113.10' }, { Value: '203.0.113.11' }] },
        { Name: 'app.example.com.', Type: 'AAAA', TTL: 60, ResourceRecords: [{ Value: '2001:db8::1' }] },
      ],
      IsTruncated: false,
      MaxItems: 10,
    });
    const record = await adapter.getRecord({ hostedZoneId: 'Z0123456789ABC', recordName: 'app.example.com', type: 'A' });
    expect(route53Mock.commandCalls(ListResourceRecordSetsCommand).map((call) => call.args[0].input)).toEqual([
      { HostedZoneId: 'Z0123456789ABC', StartRecordName: 'app.example.com', StartRecordType: 'A', MaxItems: 10 },
    ]);
    expect(record).toEqual({ name: 'app.example.com', type: 'A', ttl: 60, values: ['203.0.113.10', '203.0.113.11'], routing: {} });
  });

  it('returns undefined when the listing starts at a different name (the record does not exist)', async () => {
    route53Mock.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [{ Name: 'apq.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '203.0.113.9' }] }],
    });
    await expect(adapter.getRecord({ hostedZoneId: 'Z1', recordName: 'app.example.com.', type: 'A' })).resolves.toBeUndefined();
  });

  it('matches the set identifier and keeps the routing fields; decodes wildcard escapes', async () => {
    route53Mock.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        {
          Name: '\\052.example.com.',
          Type: 'A',
          SetIdentifier: 'primary',
          Failover: 'PRIMARY',
          HealthCheckId: 'hc-1',
          AliasTarget: {
            DNSName: 'dualstack.lb-1.us-east-1.elb.amazonaws.com.',
            HostedZoneId: 'Z35SXDOTRQ7X7K',
            EvaluateTargetHealth: true,
          },
        },
        {
          Name: '\\052.example.com.',
          Type: 'A',
          SetIdentifier: 'secondary',
          Failover: 'SECONDARY',
          TTL: 30,
          ResourceRecords: [{ Value: '198.51.100.7' }],
        },
      ],
    });
    const record = await adapter.getRecord({ hostedZoneId: 'Z1', recordName: '*.example.com', type: 'A', setIdentifier: 'secondary' });
    expect(route53Mock.commandCalls(ListResourceRecordSetsCommand)[0].args[0].input).toEqual({
      HostedZoneId: 'Z1',
      StartRecordName: '*.example.com',
      StartRecordType: 'A',
      StartRecordIdentifier: 'secondary',
      MaxItems: 10,
    });
    expect(record).toEqual({
      name: '*.example.com',
      type: 'A',
      ttl: 30,
      setIdentifier: 'secondary',
      values: ['198.51.100.7'],
      routing: { Failover: 'SECONDARY' },
    });

    const alias = await adapter.getRecord({ hostedZoneId: 'Z1', recordName: '*.example.com', type: 'A', setIdentifier: 'primary' });
    expect(alias).toEqual({
      name: '*.example.com',
      type: 'A',
      setIdentifier: 'primary',
      alias: { dnsName: 'dualstack.lb-1.us-east-1.elb.amazonaws.com.', hostedZoneId: 'Z35SXDOTRQ7X7K', evaluateTargetHealth: true },
      routing: { Failover: 'PRIMARY', HealthCheckId: 'hc-1' },
    });
  });

  it('does not confuse a weighted record with the plain one', async () => {
    route53Mock.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        { Name: 'app.example.com.', Type: 'A', SetIdentifier: 'w1', Weight: 10, TTL: 60, ResourceRecords: [{ Value: '203.0.113.1' }] },
      ],
    });
    await expect(adapter.getRecord({ hostedZoneId: 'Z1', recordName: 'app.example.com', type: 'A' })).resolves.toBeUndefined();
  });

  it('maps AccessDenied to a fatal AwsActionError naming the record', async () => {
    route53Mock.on(ListResourceRecordSetsCommand).rejects(awsError('AccessDenied', { status: 403, message: 'not allowed' }));
    const failure = adapter.getRecord({ hostedZoneId: 'Z1', recordName: 'app.example.com', type: 'A' });
    await expect(failure).rejects.toBeInstanceOf(AwsActionError);
    await expect(failure).rejects.toMatchObject({
      message: 'route53:ListResourceRecordSets on app.example.com A in Z1 denied (AccessDenied): not allowed',
      kind: 'fatal',
      code: 'AccessDenied',
    });
  });
});

describe('upsertRecord', () => {
  beforeEach(() => {
    route53Mock.on(ChangeResourceRecordSetsCommand).resolves({
      ChangeInfo: { Id: '/change/C2682N5HXP0BZ4', Status: 'PENDING', SubmittedAt: new Date(0) },
    });
  });

  it('UPSERTs A values with the TTL and returns the bare change id', async () => {
    const result = await adapter.upsertRecord({
      hostedZoneId: 'Z1',
      recordName: 'app.example.com',
      type: 'A',
      ttl: 60,
      target: ['198.51.100.7', '198.51.100.8'],
      comment: 'switchback failover run r-1',
    });
    expect(result).toEqual({ changeId: 'C2682N5HXP0BZ4' });
    expect(route53Mock.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input).toEqual({
      HostedZoneId: 'Z1',
      ChangeBatch: {
        Comment: 'switchback failover run r-1',
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'app.example.com',
              Type: 'A',
              TTL: 60,
              ResourceRecords: [{ Value: '198.51.100.7' }, { Value: '198.51.100.8' }],
            },
          },
        ],
      },
    });
  });

  it('UPSERTs a CNAME with one value', async () => {
    await adapter.upsertRecord({
      hostedZoneId: 'Z1',
      recordName: 'www.example.com',
      type: 'CNAME',
      ttl: 30,
      target: 'standby.example.net',
    });
    expect(route53Mock.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input.ChangeBatch).toEqual({
      Changes: [
        {
          Action: 'UPSERT',
          ResourceRecordSet: { Name: 'www.example.com', Type: 'CNAME', TTL: 30, ResourceRecords: [{ Value: 'standby.example.net' }] },
        },
      ],
    });
  });

  it('UPSERTs an alias with SetIdentifier and the kept routing fields, without TTL or ResourceRecords', async () => {
    await adapter.upsertRecord({
      hostedZoneId: 'Z1',
      recordName: 'app.example.com',
      type: 'A',
      ttl: 60,
      setIdentifier: 'primary',
      routing: { Failover: 'PRIMARY', HealthCheckId: 'hc-1' },
      target: {
        alias: { dnsName: 'lb-2.us-west-2.elb.amazonaws.com', hostedZoneId: '/hostedzone/Z1H1FL5HABSF5', evaluateTargetHealth: true },
      },
    });
    expect(route53Mock.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input).toEqual({
      HostedZoneId: 'Z1',
      ChangeBatch: {
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'app.example.com',
              Type: 'A',
              SetIdentifier: 'primary',
              Failover: 'PRIMARY',
              HealthCheckId: 'hc-1',
              AliasTarget: { DNSName: 'lb-2.us-west-2.elb.amazonaws.com', HostedZoneId: 'Z1H1FL5HABSF5', EvaluateTargetHealth: true },
            },
          },
        ],
      },
    });
  });

  it('refuses a target that does not fit the type before calling AWS', async () => {
    await expect(
      adapter.upsertRecord({ hostedZoneId: 'Z1', recordName: 'a.example.com', type: 'CNAME', ttl: 60, target: ['203.0.113.1'] }),
    ).rejects.toBeInstanceOf(InputError);
    await expect(
      adapter.upsertRecord({ hostedZoneId: 'Z1', recordName: 'a.example.com', type: 'A', ttl: 60, target: 'host.example.com' }),
    ).rejects.toThrow('must be a list of addresses');
    await expect(adapter.upsertRecord({ hostedZoneId: 'Z1', recordName: 'a.example.com', type: 'A', ttl: 60, target: [] })).rejects.toThrow(
      'no addresses',
    );
    expect(route53Mock.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  it.each([
    ['Throttling', 'throttle'],
    ['PriorRequestNotComplete', 'throttle'],
    ['InvalidChangeBatch', 'fatal'],
  ])('maps %s to %s', async (code, kind) => {
    route53Mock.on(ChangeResourceRecordSetsCommand).rejects(awsError(code));
    await expect(
      adapter.upsertRecord({ hostedZoneId: 'Z1', recordName: 'a.example.com', type: 'A', ttl: 60, target: ['203.0.113.1'] }),
    ).rejects.toMatchObject({
      code,
      kind,
      action: 'route53:ChangeResourceRecordSets',
      resource: 'a.example.com A in Z1',
    });
  });

  it('maps a 5xx to transient', async () => {
    route53Mock.on(ChangeResourceRecordSetsCommand).rejects(awsError('InternalFailure', { status: 500 }));
    await expect(
      adapter.upsertRecord({ hostedZoneId: 'Z1', recordName: 'a.example.com', type: 'A', ttl: 60, target: ['203.0.113.1'] }),
    ).rejects.toMatchObject({ kind: 'transient' });
  });
});

describe('recordMatches', () => {
  const base = { name: 'app.example.com', type: 'A', ttl: 60, routing: {} };
  it('compares A values as sets', () => {
    expect(recordMatches({ ...base, values: ['203.0.113.2', '203.0.113.1'] }, ['203.0.113.1', '203.0.113.2'])).toBe(true);
    expect(recordMatches({ ...base, values: ['203.0.113.1'] }, ['203.0.113.1', '203.0.113.2'])).toBe(false);
    expect(recordMatches(undefined, ['203.0.113.1'])).toBe(false);
  });
  it('compares CNAME targets without case or trailing dot', () => {
    expect(recordMatches({ ...base, type: 'CNAME', values: ['Standby.Example.net.'] }, 'standby.example.net')).toBe(true);
    expect(recordMatches({ ...base, type: 'CNAME', values: ['primary.example.net'] }, 'standby.example.net')).toBe(false);
  });
  it('compares alias targets (name, zone, evaluateTargetHealth) and never matches values against an alias', () => {
    const alias = { dnsName: 'LB-2.us-west-2.elb.amazonaws.com.', hostedZoneId: 'Z1H1FL5HABSF5', evaluateTargetHealth: true };
    const record = { ...base, ttl: undefined, alias };
    expect(recordMatches(record, { alias: { ...alias, dnsName: 'lb-2.us-west-2.elb.amazonaws.com' } })).toBe(true);
    expect(recordMatches(record, { alias: { ...alias, evaluateTargetHealth: false } })).toBe(false);
    expect(recordMatches(record, ['203.0.113.1'])).toBe(false);
    expect(recordMatches({ ...base, values: ['203.0.113.1'] }, { alias })).toBe(false);
  });
  it('maps config types and normalises names', () => {
    expect(toRecordType('alias')).toBe('A');
    expect(toRecordType('AAAA')).toBe('AAAA');
    expect(normalizeDnsName('\\052.Example.COM.')).toBe('*.example.com');
  });
});

describe('change status', () => {
  it('reads INSYNC / PENDING and accepts a prefixed id', async () => {
    route53Mock.on(GetChangeCommand).resolves({ ChangeInfo: { Id: 'C1', Status: 'INSYNC', SubmittedAt: new Date(0) } });
    await expect(adapter.getChangeStatus('/change/C1')).resolves.toBe('INSYNC');
    expect(route53Mock.commandCalls(GetChangeCommand)[0].args[0].input).toEqual({ Id: 'C1' });
  });

  it('polls GetChange every 2 s until INSYNC', async () => {
    route53Mock
      .on(GetChangeCommand)
      .resolvesOnce({ ChangeInfo: { Id: 'C1', Status: 'PENDING', SubmittedAt: new Date(0) } })
      .resolvesOnce({ ChangeInfo: { Id: 'C1', Status: 'PENDING', SubmittedAt: new Date(0) } })
      .resolves({ ChangeInfo: { Id: 'C1', Status: 'INSYNC', SubmittedAt: new Date(0) } });
    const clock = createFakeClock();
    const result = await adapter.waitInSync('C1', { deadlineEpochMs: clock.now() + 60_000, sleep: clock.sleep, now: clock.now });
    expect(result).toEqual({ inSync: true, polls: 3 });
    expect(clock.sleeps).toEqual([2000, 2000]);
    expect(route53Mock.commandCalls(GetChangeCommand).map((call) => call.args[0].input)).toEqual([
      { Id: 'C1' },
      { Id: 'C1' },
      { Id: 'C1' },
    ]);
  });

  it('returns inSync false at the deadline without sleeping past it', async () => {
    route53Mock.on(GetChangeCommand).resolves({ ChangeInfo: { Id: 'C1', Status: 'PENDING', SubmittedAt: new Date(0) } });
    const clock = createFakeClock();
    const deadline = clock.now() + 5000;
    const result = await adapter.waitInSync('C1', { deadlineEpochMs: deadline, sleep: clock.sleep, now: clock.now });
    // polls at +0, +2 s, +4 s; another 2 s sleep would pass the deadline
    expect(result).toEqual({ inSync: false, polls: 3 });
    expect(clock.sleeps).toEqual([2000, 2000]);
    expect(clock.now()).toBeLessThanOrEqual(deadline);
  });

  it('surfaces a failed poll as an AwsActionError', async () => {
    route53Mock.on(GetChangeCommand).rejects(awsError('Throttling', { message: 'Rate exceeded' }));
    const clock = createFakeClock();
    await expect(
      adapter.waitInSync('C1', { deadlineEpochMs: clock.now() + 10_000, sleep: clock.sleep, now: clock.now }),
    ).rejects.toMatchObject({
      message: 'route53:GetChange on C1 throttled (Throttling): Rate exceeded',
      kind: 'throttle',
    });
  });
});
