/**
 * Never lost: the `alarm` use case with a store whose write fails once (a throttled table after the
 * duplicate-delivery claim). Lambda retries the failed async invocation; the retry must act, not be
 * answered "duplicate delivery". Real store on dynalite, real SDK clients on the embedded world.
 */
import { alarm } from '../../../functions/alarm';
import { createHandler } from '../../../shared/app/lambda-handler';
import { buildConfig } from '../../support/config-builder';
import { createStore, type Store } from '../../../shared/store';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { createWorld } from '../../../sim/world';
import { simAppDeps } from '../../support/sim-app-deps';
import { ManualClock, T0 } from '../engine/engine-kit';

const config = buildConfig({
  defaults: { trigger: 'alarm' },
  services: [{ dns: { ttl: undefined }, primary: { alarms: ['web-5xx-high'] } }],
});

const ALARM_EVENT = {
  version: '0',
  id: 'delivery-1',
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: '123456789012',
  time: new Date(T0).toISOString(),
  region: 'us-east-1',
  resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx-high'],
  detail: { alarmName: 'web-5xx-high', state: { value: 'ALARM', reason: 'Threshold Crossed', timestamp: new Date(T0).toISOString() } },
};

/** The store, except that `saveState` fails the first time with DynamoDB throttling. */
function failingOnce(store: Store): Store {
  let failed = false;
  return {
    ...store,
    async saveState(...args) {
      if (!failed) {
        failed = true;
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' });
      }
      return store.saveState(...args);
    },
  };
}

describe('alarm deliveries are never lost', () => {
  let dynamo: EmbeddedDynamo;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    await dynamo.createTable('alarm-retry');
  });
  afterAll(() => dynamo.close());

  test('a delivery retried after a DynamoDB failure acts', async () => {
    const clock = new ManualClock(T0 + 5_000);
    const world = createWorld({ now: () => clock.now(), onAsyncInvoke: () => undefined });
    world.seed(config);
    const store = createStore({ client: dynamo.client, tableName: 'alarm-retry', now: () => clock.now() });
    const deps = simAppDeps({ config, world, store: failingOnce(store), clock });
    const handler = createHandler(() => deps, alarm);
    const context = { awsRequestId: 'a-1', functionName: 'alarm', getRemainingTimeInMillis: () => 30_000 };

    // First delivery: the state write is throttled; the invocation fails so that Lambda retries it.
    await expect(handler(structuredClone(ALARM_EVENT), context)).rejects.toThrow(/throughput/);
    expect((await store.getState('web'))?.state ?? 'PRIMARY').toBe('PRIMARY');

    // Lambda's first async retry comes about a minute later, with the same event.
    clock.advance(60_000);
    // Meanwhile the control region's probes saw the secondary healthy.
    const healthy = { status: 'up' as const, consecutive: 5, sinceEpochMs: T0 };
    await store.touchLocation('us-west-2', clock.now());
    await store.putObservation('web', {
      location: 'us-west-2',
      fresh: true,
      primary: healthy,
      secondary: healthy,
      observedAtEpochMs: clock.now(),
    });
    const retried = await handler(structuredClone(ALARM_EVENT), { ...context, awsRequestId: 'a-1' });
    expect(retried).toMatchObject({ ok: true, results: [{ outcome: 'acted', services: ['web'] }] });
    expect((await store.getState('web'))?.state).toBe('FAILING_OVER');
    expect((await store.getState('web'))?.activeRun).toMatchObject({ kind: 'failover', status: 'running' });

    // A later duplicate of the same delivery is answered as one.
    clock.advance(1_000);
    expect(await handler(structuredClone(ALARM_EVENT), context)).toMatchObject({ results: [{ outcome: 'duplicate' }] });
  });
});
