/**
 * The dry-run's zone check: a volume attaches only within its own Availability Zone, so a standby
 * launched into a subnet of another zone would fail at AttachVolume in the middle of an outage.
 * The drill finds that on a quiet day, naming both zones.
 */
import { dryRun } from '../../../shared/app/drill';
import { createStore } from '../../../shared/store';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { createWorld } from '../../../sim/world';
import { simAppDeps } from '../../support/sim-app-deps';
import { webServiceConfig } from '../../support/drill-kit';
import { ManualClock, T0 } from '../engine/engine-kit';

const VOLUME = 'vol-0abc1234def567890';
const SUBNET = 'subnet-0abc1234';

function configWith(attachTo: string) {
  return webServiceConfig([
    { id: 'launch', 'ec2.launchFromAmi': { imageId: 'ami-0abc1234def567890', instanceType: 't4g.small', subnetId: SUBNET } },
    { 'ec2.attachVolume': { volumeId: VOLUME, instanceId: attachTo, device: '/dev/sdf' } },
  ]);
}

describe('drill dry-run: volume and instance zones', () => {
  let dynamo: EmbeddedDynamo;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    await dynamo.createTable('drill-zones');
  });
  afterAll(() => dynamo.close());

  async function zoneCheck(attachTo: string, zones: { subnet: string; volume: string }) {
    const config = configWith(attachTo);
    const clock = new ManualClock(T0);
    const world = createWorld({ now: () => clock.now(), onAsyncInvoke: () => undefined });
    // Where the resources really are (seeding keeps what exists).
    world.ec2.addSubnet({ region: 'us-west-2', subnetId: SUBNET, availabilityZone: zones.subnet });
    world.ec2.addVolume({ region: 'us-west-2', volumeId: VOLUME, availabilityZone: zones.volume });
    world.seed(config);
    const store = createStore({ client: dynamo.client, tableName: 'drill-zones', now: () => clock.now() });
    const deps = simAppDeps({ config, world, store, clock });
    const report = await dryRun(deps, config.services[0], false);
    return {
      check: report.checks.find((item) => item.check === `zone of ${VOLUME}`),
      mutating: world.callLog().filter((call) => call.mutating),
    };
  }

  test('a launch subnet in another zone than the volume fails the check, naming both zones', async () => {
    const { check, mutating } = await zoneCheck('${steps.launch.instanceId}', { subnet: 'us-west-2b', volume: 'us-west-2a' });
    expect(check).toEqual({
      check: `zone of ${VOLUME}`,
      ok: false,
      detail: `${VOLUME} is in us-west-2a but the instance launch launches into ${SUBNET} is in us-west-2b: AttachVolume works only within one Availability Zone`,
    });
    expect(mutating).toEqual([]);
  });

  test('the same zone passes', async () => {
    const { check } = await zoneCheck('${steps.launch.instanceId}', { subnet: 'us-west-2a', volume: 'us-west-2a' });
    expect(check).toEqual({
      check: `zone of ${VOLUME}`,
      ok: true,
      detail: `${VOLUME} and the instance launch launches into ${SUBNET} are both in us-west-2a`,
    });
  });
});
