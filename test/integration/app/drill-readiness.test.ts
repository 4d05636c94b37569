/**
 * Readiness beyond permissions, found by the dry-run on a quiet day instead of during an outage:
 * the AMI a launch step boots exists in the secondary region (and is not older than
 * `maxImageAgeDays`); for `health-check-flag`, the PRIMARY failover record is guarded by a health
 * check that follows the flag alarm (name and region) and keeps the last status without data; a read
 * replica a step promotes lags no more than `guard.maxDataAgeSeconds` (RPO).
 */
import { dryRun } from '../../../shared/app/drill';
import type { SwitchbackConfig } from '../../../shared/config/types';
import { createStore } from '../../../shared/store';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { createWorld, type World } from '../../../sim/world';
import { simAppDeps } from '../../support/sim-app-deps';
import { webServiceConfig } from '../../support/drill-kit';
import { ManualClock, T0 } from '../engine/engine-kit';

const AMI = 'ami-0abc1234def567890';
const DAY_MS = 86_400_000;

function launchConfig(launch: Record<string, unknown> = {}) {
  return webServiceConfig([{ id: 'launch', 'ec2.launchFromAmi': { imageId: AMI, instanceType: 't4g.small', ...launch } }]);
}

describe('drill dry-run: readiness', () => {
  let dynamo: EmbeddedDynamo;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    await dynamo.createTable('drill-readiness');
  });
  afterAll(() => dynamo.close());

  /** `before` shapes the world before seeding (seeding keeps what exists), `after` changes what seeding made. */
  async function checksOf(config: SwitchbackConfig, before: (world: World) => void, after?: (world: World) => void) {
    const clock = new ManualClock(T0);
    const world = createWorld({ now: () => clock.now(), onAsyncInvoke: () => undefined });
    before(world);
    world.seed(config);
    after?.(world);
    const store = createStore({ client: dynamo.client, tableName: 'drill-readiness', now: () => clock.now() });
    const report = await dryRun(simAppDeps({ config, world, store, clock }), config.services[0], false);
    return { report, mutating: world.callLog().filter((call) => call.mutating) };
  }

  describe('the AMI of a launch step', () => {
    test('exists in the secondary region: passes, with its age', async () => {
      const { report, mutating } = await checksOf(launchConfig(), (world) =>
        world.ec2.addImage('us-west-2', AMI, { creationEpochMs: T0 - 3 * DAY_MS }),
      );
      expect(report.checks.find((check) => check.check === `image ${AMI}`)).toEqual({
        check: `image ${AMI}`,
        ok: true,
        detail: `${AMI} is available in us-west-2, created 3 days ago`,
      });
      expect(mutating).toEqual([]);
    });

    test('only in another region (AMIs are regional): fails, saying so', async () => {
      const { report } = await checksOf(
        launchConfig(),
        (world) => world.ec2.addImage('us-east-1', AMI),
        (world) => world.ec2.removeImage('us-west-2', AMI),
      );
      expect(report.checks.find((check) => check.check === `image ${AMI}`)).toEqual({
        check: `image ${AMI}`,
        ok: false,
        detail: `${AMI} does not exist in us-west-2 (AMIs are regional: copy it there with CopyImage): the launch would fail with InvalidAMIID.NotFound`,
      });
      expect(report.passed).toBe(false);
    });

    test('older than maxImageAgeDays: fails, naming both ages', async () => {
      const { report } = await checksOf(launchConfig({ maxImageAgeDays: 30 }), (world) =>
        world.ec2.addImage('us-west-2', AMI, { creationEpochMs: T0 - 45 * DAY_MS }),
      );
      expect(report.checks.find((check) => check.check === `image ${AMI}`)).toEqual({
        check: `image ${AMI}`,
        ok: false,
        detail: `${AMI} was created 45 days ago, more than maxImageAgeDays 30: the standby would boot old software; bake a new AMI`,
      });
    });
  });

  describe('health-check-flag: the flag alarm and the health check agree', () => {
    const flagConfig = () => webServiceConfig([], { strategy: 'health-check-flag' });
    const ALARM = 'switchback-sim-web-failover-flag';
    /** The PRIMARY failover record as someone left it (seeding keeps what exists). */
    const putPrimaryRecord = (world: World, healthCheckId?: string) => {
      world.route53.createHostedZone({ id: 'Z0123456789ABC', name: 'example.com' });
      world.route53.putRecord('Z0123456789ABC', {
        Name: 'app.example.com',
        Type: 'A',
        SetIdentifier: 'web-primary',
        Failover: 'PRIMARY',
        TTL: 60,
        ResourceRecords: [{ Value: '203.0.113.10' }],
        ...(healthCheckId && { HealthCheckId: healthCheckId }),
      });
    };
    const flagCheck = (report: { checks: Array<{ check: string; ok: boolean; detail: string }> }) =>
      report.checks.find((check) => check.check === 'dns flag health check');

    test('as deployed: the PRIMARY record is guarded by a health check on the flag alarm in the control region', async () => {
      const { report, mutating } = await checksOf(flagConfig(), () => undefined);
      expect(flagCheck(report)).toEqual({
        check: 'dns flag health check',
        ok: true,
        detail: expect.stringMatching(
          new RegExp(
            `^app\\.example\\.com A web-primary is guarded by health check \\S+, which follows the flag alarm ${ALARM} in us-west-2 \\(no data: LastKnownStatus\\)$`,
          ),
        ),
      });
      expect(mutating).toEqual([]);
    });

    test('a health check on another alarm fails the check, naming both alarms', async () => {
      const { report } = await checksOf(flagConfig(), (world) => {
        const other = world.route53.createHealthCheck('someone-else', {
          Type: 'CLOUDWATCH_METRIC',
          AlarmIdentifier: { Region: 'us-east-1', Name: 'web-5xx-high' },
          InsufficientDataHealthStatus: 'LastKnownStatus',
        });
        putPrimaryRecord(world, other);
      });
      expect(flagCheck(report)).toEqual({
        check: 'dns flag health check',
        ok: false,
        detail: expect.stringMatching(
          new RegExp(
            `health check \\S+ follows the alarm web-5xx-high in us-east-1, not the flag alarm ${ALARM} in us-west-2: switching the flag would not move traffic`,
          ),
        ),
      });
    });

    test('a PRIMARY record without a health check fails the check', async () => {
      const { report } = await checksOf(flagConfig(), (world) => {
        putPrimaryRecord(world);
      });
      expect(flagCheck(report)).toEqual({
        check: 'dns flag health check',
        ok: false,
        detail: 'app.example.com A web-primary has no health check: Route 53 answers PRIMARY whatever the flag says',
      });
    });
  });

  describe('the read replica a step promotes is fresh enough (guard.maxDataAgeSeconds)', () => {
    const replicaConfig = (maxDataAgeSeconds?: number) => {
      const config = webServiceConfig([{ 'rds.promoteReadReplica': { dbInstanceIdentifier: 'app-replica' } }]);
      if (maxDataAgeSeconds !== undefined) config.services[0].policy.guard.maxDataAgeSeconds = maxDataAgeSeconds;
      return config;
    };
    const replicaCheck = (report: { checks: Array<{ check: string; ok: boolean; detail: string }> }) =>
      report.checks.find((check) => check.check === 'read replica app-replica');

    /** Ten minutes of the replica replicating (one ReplicaLag datapoint a minute), lagging `seconds` at the end. */
    const replicating = (seconds: number) => (world: World) => {
      world.rds.addDbInstance({ region: 'us-east-1', dbInstanceIdentifier: 'app-replica-source' });
      world.rds.addDbInstance({
        region: 'us-west-2',
        dbInstanceIdentifier: 'app-replica',
        replicaOf: 'arn:aws:rds:us-east-1:123456789012:db:app-replica-source',
        replicaSinceEpochMs: T0 - 10 * 60_000,
        replicaLagSeconds: seconds,
      });
    };

    test('lagging within the RPO: passes, with the lag', async () => {
      const { report } = await checksOf(replicaConfig(300), replicating(12));
      expect(replicaCheck(report)).toEqual({
        check: 'read replica app-replica',
        ok: true,
        detail: 'app-replica available, replica of arn:aws:rds:us-east-1:123456789012:db:app-replica-source; lag 12s (ReplicaLag)',
      });
    });

    test('lagging more than the RPO: fails, naming both', async () => {
      const { report } = await checksOf(replicaConfig(300), replicating(900));
      expect(replicaCheck(report)).toEqual({
        check: 'read replica app-replica',
        ok: false,
        detail: 'app-replica lags 900s, more than guard.maxDataAgeSeconds 300s: promoting it now would lose more data than allowed',
      });
    });

    test('replication not active (ReplicaLag -1): fails', async () => {
      const { report } = await checksOf(replicaConfig(300), replicating(-1));
      expect(replicaCheck(report)).toEqual({
        check: 'read replica app-replica',
        ok: false,
        detail: 'app-replica reports ReplicaLag -1: replication is not active',
      });
    });

    test('without maxDataAgeSeconds the lag is not judged (as before)', async () => {
      const { report } = await checksOf(replicaConfig(), replicating(900));
      expect(replicaCheck(report)?.ok).toBe(true);
    });
  });
});
