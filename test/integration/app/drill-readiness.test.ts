/**
 * Readiness beyond permissions, found by the dry-run on a quiet day instead of during an outage:
 * the AMI a launch step boots exists in the secondary region (and is not older than
 * `maxImageAgeDays`).
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
});
