import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  GetChangeCommand,
  GetHealthCheckStatusCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { classifyAwsError } from '../../../../shared/aws/errors';
import { createRoute53Adapter } from '../../../../shared/aws/route53';
import { createTestWorld, rejectionOf } from './world-test-kit';

const ZONE = 'Z0123456789ABC';

function setup() {
  const kit = createTestWorld();
  kit.world.route53.createHostedZone({ id: ZONE, name: 'example.com' });
  kit.world.route53.putRecord(ZONE, { Name: 'app.example.com', Type: 'A', TTL: 30, ResourceRecords: [{ Value: '203.0.113.10' }] });
  return { ...kit, adapter: createRoute53Adapter(kit.clients) };
}

function upsertA(client: Route53Client, name: string, value: string, action: 'UPSERT' | 'CREATE' | 'DELETE' = 'UPSERT') {
  return client.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: `/hostedzone/${ZONE}`,
      ChangeBatch: {
        Changes: [{ Action: action, ResourceRecordSet: { Name: name, Type: 'A', TTL: 30, ResourceRecords: [{ Value: value }] } }],
      },
    }),
  );
}

describe('Route 53 through the real SDK client', () => {
  it('is the real Route53Client, answering a change PENDING and then INSYNC once the delay has passed', async () => {
    const { world, clients, clock } = setup();
    const client = clients.route53();
    expect(client).toBeInstanceOf(Route53Client);

    const submitted = await upsertA(client, 'app.example.com.', '198.51.100.20');
    expect(submitted.$metadata.httpStatusCode).toBe(200);
    expect(submitted.ChangeInfo).toEqual({
      Id: expect.stringMatching(/^\/change\/C[0-9A-Z]{13}$/),
      Status: 'PENDING',
      SubmittedAt: new Date(clock.now()),
    });
    const id = submitted.ChangeInfo?.Id as string;

    // The control plane shows the new record at once; resolvers still answer the old one.
    expect(world.route53.records(ZONE)[0].ResourceRecords).toEqual([{ Value: '198.51.100.20' }]);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['203.0.113.10']);

    clock.advance(9_999);
    expect((await client.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status).toBe('PENDING');
    expect(world.route53.resolve('APP.example.com.', 'A')).toEqual(['203.0.113.10']);

    clock.advance(1);
    expect((await client.send(new GetChangeCommand({ Id: id.replace('/change/', '') }))).ChangeInfo?.Status).toBe('INSYNC');
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['198.51.100.20']);
    expect(world.route53.resolve('app.example.com')).toEqual(['198.51.100.20']);
  });

  it('runs the adapter unchanged: getRecord, upsertRecord, waitInSync polling every 2 s', async () => {
    const { world, adapter, clock } = setup();
    expect(await adapter.getRecord({ hostedZoneId: ZONE, recordName: 'app.example.com', type: 'A' })).toEqual({
      name: 'app.example.com',
      type: 'A',
      ttl: 30,
      values: ['203.0.113.10'],
      routing: {},
    });
    const { changeId } = await adapter.upsertRecord({
      hostedZoneId: ZONE,
      recordName: 'app.example.com',
      type: 'A',
      ttl: 30,
      target: ['198.51.100.20'],
    });
    const result = await adapter.waitInSync(changeId, { deadlineEpochMs: clock.now() + 60_000, sleep: clock.sleep, now: clock.now });
    expect(result).toEqual({ inSync: true, polls: 6 });
    expect(clock.sleeps).toEqual([2000, 2000, 2000, 2000, 2000]);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['198.51.100.20']);
    expect(world.apiCalls()).toEqual({
      'route53.ListResourceRecordSets': 1,
      'route53.ChangeResourceRecordSets': 1,
      'route53.GetChange': 6,
    });
  });

  it('applies changes in submission order: a later change never overtakes an earlier one', async () => {
    const { world, clients, clock } = setup();
    await upsertA(clients.route53(), 'app.example.com', '198.51.100.1');
    world.route53.setChangeDelayMs(1_000);
    const second = await upsertA(clients.route53(), 'app.example.com', '198.51.100.2');
    clock.advance(5_000);
    expect((await clients.route53().send(new GetChangeCommand({ Id: second.ChangeInfo?.Id }))).ChangeInfo?.Status).toBe('PENDING');
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['203.0.113.10']);
    clock.advance(5_000);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['198.51.100.2']);
    expect(world.route53.changes().map((change) => change.status)).toEqual(['INSYNC', 'INSYNC']);
  });

  it('rejects CREATE of an existing record and DELETE of a missing one with InvalidChangeBatch (fatal), changing nothing', async () => {
    const { world, clients, adapter } = setup();
    const client = clients.route53();

    const exists = await rejectionOf(upsertA(client, 'app.example.com', '198.51.100.20', 'CREATE'));
    expect(exists.name).toBe('InvalidChangeBatch');
    expect(exists.$fault).toBe('client');
    expect(exists.$metadata.httpStatusCode).toBe(400);
    expect(exists.messages).toEqual(["Tried to create resource record set [name='app.example.com.', type='A'] but it already exists"]);
    expect(classifyAwsError(exists)).toBe('fatal');

    const missing = await rejectionOf(upsertA(client, 'nope.example.com', '198.51.100.20', 'DELETE'));
    expect(missing.messages).toEqual(["Tried to delete resource record set [name='nope.example.com.', type='A'] but it was not found"]);

    const wrongValues = await rejectionOf(upsertA(client, 'app.example.com', '198.51.100.99', 'DELETE'));
    expect(wrongValues.messages[0]).toMatch(/values provided do not match the current values/);

    const badAddress = await rejectionOf(upsertA(client, 'app.example.com', 'not-an-ip', 'UPSERT'));
    expect(badAddress.messages).toEqual(['ARRDATAIllegalIPv4Address: Value is not a valid IPv4 address']);

    const outside = await rejectionOf(upsertA(client, 'app.example.org', '198.51.100.20'));
    expect(outside.messages[0]).toMatch(/not permitted in zone example\.com\./);

    // The adapter surfaces it as a non-retryable AwsActionError that names the record.
    const viaAdapter = await rejectionOf(
      adapter.upsertRecord({ hostedZoneId: ZONE, recordName: 'app.example.com', type: 'CNAME', ttl: 30, target: 'elsewhere.example.net' }),
    );
    expect(viaAdapter.kind).toBe('fatal');
    expect(viaAdapter.message).toMatch(
      /route53:ChangeResourceRecordSets on app\.example\.com CNAME in Z0123456789ABC failed \(InvalidChangeBatch\): .*conflicts with other records/,
    );

    expect(world.route53.changes()).toEqual([]);
    expect(world.route53.records(ZONE)).toHaveLength(1);
  });

  it('deletes and recreates within one batch, and refuses an unknown zone with NoSuchHostedZone', async () => {
    const { world, clients, clock } = setup();
    await clients.route53().send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        ChangeBatch: {
          Changes: [
            {
              Action: 'DELETE',
              ResourceRecordSet: { Name: 'app.example.com', Type: 'A', TTL: 30, ResourceRecords: [{ Value: '203.0.113.10' }] },
            },
            {
              Action: 'CREATE',
              ResourceRecordSet: { Name: 'app.example.com', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'lb.example.net' }] },
            },
          ],
        },
      }),
    );
    clock.advance(10_000);
    expect(world.route53.resolve('app.example.com')).toBe('lb.example.net');
    expect(world.route53.resolve('app.example.com', 'A')).toBeUndefined();

    const noZone = await rejectionOf(clients.route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: 'ZNOPE' })));
    expect(noZone.name).toBe('NoSuchHostedZone');
    expect(noZone.$metadata.httpStatusCode).toBe(404);
    expect(classifyAwsError(noZone)).toBe('fatal');
  });

  it('lists in Route 53 order from StartRecordName/Type with MaxItems and Next* markers', async () => {
    const { world, clients } = setup();
    for (const name of ['b.example.com', 'a.example.com', 'z.a.example.com', '*.example.com']) {
      world.route53.putRecord(ZONE, { Name: name, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] });
    }
    world.route53.putRecord(ZONE, { Name: 'a.example.com', Type: 'AAAA', TTL: 60, ResourceRecords: [{ Value: '2001:db8::1' }] });
    const list = (input: Partial<ConstructorParameters<typeof ListResourceRecordSetsCommand>[0]>) =>
      clients.route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE, ...input }));

    const all = await list({});
    expect(all.ResourceRecordSets?.map((set) => `${set.Name} ${set.Type}`)).toEqual([
      '\\052.example.com. A',
      'a.example.com. A',
      'a.example.com. AAAA',
      'z.a.example.com. A',
      'app.example.com. A',
      'b.example.com. A',
    ]);
    expect(all.IsTruncated).toBe(false);

    const page = await list({ StartRecordName: 'a.example.com', StartRecordType: 'AAAA', MaxItems: 2 });
    expect(page.ResourceRecordSets?.map((set) => `${set.Name} ${set.Type}`)).toEqual(['a.example.com. AAAA', 'z.a.example.com. A']);
    expect(page).toMatchObject({ IsTruncated: true, MaxItems: 2, NextRecordName: 'app.example.com.', NextRecordType: 'A' });

    const typeWithoutName = await rejectionOf(list({ StartRecordType: 'A' }));
    expect(typeWithoutName.name).toBe('InvalidInput');
  });

  it('keeps a change PENDING forever after a stuck GetChange fault, and while changes are frozen', async () => {
    const { world, adapter, clock, clients } = setup();
    world.faults.add({ api: 'route53.GetChange', stuck: true });
    const { changeId } = await adapter.upsertRecord({
      hostedZoneId: ZONE,
      recordName: 'app.example.com',
      type: 'A',
      ttl: 30,
      target: ['198.51.100.20'],
    });
    const waited = await adapter.waitInSync(changeId, { deadlineEpochMs: clock.now() + 300_000, sleep: clock.sleep, now: clock.now });
    expect(waited.inSync).toBe(false);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['203.0.113.10']);
    expect(world.route53.changes()[0]).toMatchObject({ status: 'PENDING', stuck: true });

    // A later change is not held back by the stuck one.
    const next = await adapter.upsertRecord({
      hostedZoneId: ZONE,
      recordName: 'app.example.com',
      type: 'A',
      ttl: 30,
      target: ['198.51.100.30'],
    });
    clock.advance(10_000);
    expect(await adapter.getChangeStatus(next.changeId)).toBe('INSYNC');
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['198.51.100.30']);

    world.route53.freezeChanges(true);
    const frozen = await upsertA(clients.route53(), 'app.example.com', '198.51.100.40');
    clock.advance(60_000);
    expect(await adapter.getChangeStatus(frozen.ChangeInfo?.Id as string)).toBe('PENDING');
    world.route53.freezeChanges(false);
    expect(await adapter.getChangeStatus(frozen.ChangeInfo?.Id as string)).toBe('INSYNC');
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['198.51.100.40']);
  });

  it('answers failover records by the PRIMARY health check, through CreateHealthCheck and GetHealthCheckStatus', async () => {
    const { world, clients } = setup();
    const created = await clients.route53().send(
      new CreateHealthCheckCommand({
        CallerReference: 'web-primary',
        HealthCheckConfig: { Type: 'HTTPS', FullyQualifiedDomainName: 'primary.example.com', Port: 443 },
      }),
    );
    const id = created.HealthCheck?.Id as string;
    const again = await clients.route53().send(
      new CreateHealthCheckCommand({
        CallerReference: 'web-primary',
        HealthCheckConfig: { Type: 'HTTPS', FullyQualifiedDomainName: 'primary.example.com', Port: 443 },
      }),
    );
    expect(again.HealthCheck?.Id).toBe(id);
    const conflict = await rejectionOf(
      clients.route53().send(
        new CreateHealthCheckCommand({
          CallerReference: 'web-primary',
          HealthCheckConfig: { Type: 'TCP', IPAddress: '192.0.2.1', Port: 80 },
        }),
      ),
    );
    expect(conflict.name).toBe('HealthCheckAlreadyExists');

    world.route53.putRecord(ZONE, {
      Name: 'web.example.com',
      Type: 'A',
      SetIdentifier: 'p',
      Failover: 'PRIMARY',
      HealthCheckId: id,
      TTL: 30,
      ResourceRecords: [{ Value: '203.0.113.1' }],
    });
    world.route53.putRecord(ZONE, {
      Name: 'web.example.com',
      Type: 'A',
      SetIdentifier: 's',
      Failover: 'SECONDARY',
      TTL: 30,
      ResourceRecords: [{ Value: '198.51.100.1' }],
    });
    expect(world.route53.resolve('web.example.com', 'A')).toEqual(['203.0.113.1']);

    world.route53.setHealthCheckStatus(id, 'Unhealthy');
    expect(world.route53.resolve('web.example.com', 'A')).toEqual(['198.51.100.1']);
    const status = await clients.route53().send(new GetHealthCheckStatusCommand({ HealthCheckId: id }));
    expect(status.HealthCheckObservations?.[0].StatusReport?.Status).toMatch(/^Failure/);
  });
});
