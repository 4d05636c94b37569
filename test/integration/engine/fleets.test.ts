/**
 * Fleet steps on the embedded world (real Auto Scaling and ECS SDK clients, the engine, a manual
 * clock): scale a pilot-light group and an ECS service up before traffic moves, wait until they
 * serve, set them back in a cleanup, and fail with what was seen when they never converge.
 */
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { buildConfig } from '../../support/config-builder';
import { createEngineKit, type EngineKit } from './engine-kit';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

function fleetConfig(overrides: { asgTimeoutSeconds?: number } = {}) {
  return buildConfig({
    services: [
      {
        secondary: {
          prepare: [
            {
              id: 'asg',
              'autoscaling.setCapacity': { autoScalingGroupName: 'web-west', minSize: 2, desiredCapacity: 3, maxSize: 6 },
              ...(overrides.asgTimeoutSeconds !== undefined && { timeoutSeconds: overrides.asgTimeoutSeconds }),
            },
            { id: 'tasks', 'ecs.setDesiredCount': { cluster: 'web', service: 'api', desiredCount: 4 } },
          ],
          cleanup: [
            { 'autoscaling.setCapacity': { autoScalingGroupName: 'web-west', minSize: 0, desiredCapacity: 0, maxSize: 6 } },
            { 'ecs.setDesiredCount': { cluster: 'web', service: 'api', desiredCount: 0 } },
          ],
        },
      },
    ],
  });
}

const inService = (kit: EngineKit) =>
  kit.world.autoScaling.group('us-west-2', 'web-west')?.instances.filter((instance) => instance.lifecycleState === 'InService').length;

describe('autoscaling.setCapacity and ecs.setDesiredCount', () => {
  it('scale up and wait until the instances are InService and the tasks run; cleanup sets them back', async () => {
    const kit = await createEngineKit(dynamo, { config: fleetConfig() });
    expect(kit.world.autoScaling.group('us-west-2', 'web-west')).toMatchObject({ desiredCapacity: 0, instances: [] });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(inService(kit)).toBe(3);
    expect(kit.world.ecs.service('us-west-2', 'web', 'api')).toMatchObject({ desiredCount: 4, runningCount: 4, pendingCount: 0 });
    const [asg, tasks] = outcome.run?.steps ?? [];
    // The world's instances take 90 s (+5 s stagger each): the step waited for the third.
    expect((asg.endedAtEpochMs ?? 0) - (asg.startedAtEpochMs ?? 0)).toBeGreaterThanOrEqual(100_000);
    expect(asg.note).toMatch(/^web-west: desired 0 → 3, 3 InService after \d+s$/);
    expect(tasks.note).toMatch(/^web\/api: desired 0 → 4, 4 running after \d+s$/);

    await kit.startRun('failback');
    const back = await kit.execute('orchestrator:2');
    expect(back.run?.status).toBe('succeeded');
    expect(kit.world.autoScaling.group('us-west-2', 'web-west')).toMatchObject({ minSize: 0, desiredCapacity: 0 });
    expect(kit.world.ecs.service('us-west-2', 'web', 'api')).toMatchObject({ desiredCount: 0 });
  });

  it('a step run again finds its sizes set and only waits (no second update)', async () => {
    const kit = await createEngineKit(dynamo, { config: fleetConfig() });
    await kit.startRun('failover');
    // The first invocation hands the run on while the group is still launching.
    const first = await kit.execute('orchestrator:1', { deadlineEpochMs: kit.clock.now() + 40_000 });
    expect(first.status).not.toBe('finished');
    const second = await kit.execute('orchestrator:2');
    expect(second.run?.status).toBe('succeeded');
    expect(kit.world.apiCalls()['autoScaling.UpdateAutoScalingGroup']).toBe(1);
    expect(second.run?.steps[0].note).toMatch(/\(sizes already set\)$/);
    expect(inService(kit)).toBe(3);
  });

  it('instances that never come InService fail the step at its deadline, naming what was seen', async () => {
    const kit = await createEngineKit(dynamo, { config: fleetConfig({ asgTimeoutSeconds: 300 }) });
    kit.world.faults.add({ api: 'autoScaling.UpdateAutoScalingGroup', stuck: true });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('failed');
    expect(outcome.run?.steps[0].error).toBe('autoscaling.setCapacity: 3 InService in web-west not reached within 300s (3 Pending)');
    // Nothing after the failed step ran: no tasks were started.
    expect(kit.world.ecs.service('us-west-2', 'web', 'api')?.desiredCount).toBe(0);
  });

  it('a group that does not exist is refused at once (no retries)', async () => {
    const kit = await createEngineKit(dynamo, { config: fleetConfig() });
    kit.world.autoScaling.deleteGroup('us-west-2', 'web-west');
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('failed');
    expect(outcome.run?.steps[0]).toMatchObject({ attempts: 1 });
    expect(outcome.run?.steps[0].error).toBe(
      'autoscaling:DescribeAutoScalingGroups on web-west in us-west-2 refused (ValidationError): no Auto Scaling group web-west in us-west-2',
    );
  });

  it('throttled or contended updates are retried; a size outside min/max is a config error', async () => {
    const kit = await createEngineKit(dynamo, { config: fleetConfig() });
    kit.world.faults.add({ api: 'autoScaling.UpdateAutoScalingGroup', error: 'ScalingActivityInProgressFault', times: 1 });
    kit.world.faults.add({ api: 'ecs.UpdateService', error: 'ThrottlingException', times: 2 });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(outcome.run?.steps.slice(0, 2).map((step) => step.attempts)).toEqual([2, 3]);
    expect(() =>
      buildConfig({
        services: [
          {
            secondary: {
              prepare: [{ 'autoscaling.setCapacity': { autoScalingGroupName: 'g', minSize: 2, desiredCapacity: 1, maxSize: 4 } }],
            },
          },
        ],
      }),
    ).toThrow(/desiredCapacity: minSize ≤ desiredCapacity ≤ maxSize must hold/);
  });
});
