/**
 * EC2 Auto Scaling in memory: groups whose instances come InService over time.
 *
 * - UpdateAutoScalingGroup sets MinSize / MaxSize / DesiredCapacity; a desired capacity outside
 *   [min, max] is a ValidationError, an unknown group too:
 *   https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_UpdateAutoScalingGroup.html
 * - A launched instance is `Pending` (launch, boot, health-check grace) before `InService`; a scale-in
 *   instance is `Terminating` and then gone:
 *   https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-lifecycle.html
 *   Launches of one scaling activity go out together; the world staggers them by a few seconds.
 * - DescribeAutoScalingGroups supports no resource-level permissions.
 *
 * A `stuck` fault on UpdateAutoScalingGroup: the sizes change but the new instances never leave
 * Pending (no capacity in the zones, a broken launch template).
 */
import type { AutoScalingGroupNamesType, UpdateAutoScalingGroupType } from '@aws-sdk/client-auto-scaling';
import { SwitchbackError } from '../../shared/errors';
import type { WorldContext } from './context';
import { type ServiceModel, unsupportedOperation } from './model';

export interface AutoScalingTimings {
  /** Launch → InService (boot + health-check grace). */
  inServiceMs: number;
  /** Between two launches of one activity. */
  staggerMs: number;
  /** Terminating → gone. */
  terminateMs: number;
}

export const DEFAULT_AUTO_SCALING_TIMINGS: AutoScalingTimings = { inServiceMs: 90_000, staggerMs: 5_000, terminateMs: 30_000 };

export interface AutoScalingGroupWorldView {
  region: string;
  name: string;
  arn: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  instances: Array<{ instanceId: string; lifecycleState: string }>;
}

export interface AutoScalingWorld {
  addGroup(input: { region: string; name: string; minSize?: number; maxSize: number; desiredCapacity?: number }): void;
  group(region: string, name: string): AutoScalingGroupWorldView | undefined;
  groups(): AutoScalingGroupWorldView[];
  /** An operator deleted the group (DeleteAutoScalingGroup with ForceDelete). */
  deleteGroup(region: string, name: string): void;
}

interface GroupInstance {
  instanceId: string;
  /** When it becomes InService (Infinity: never). */
  inServiceAtEpochMs: number;
  /** When a scale-in started terminating it. */
  terminatingSinceEpochMs?: number;
}

interface Group {
  region: string;
  name: string;
  arn: string;
  minSize: number;
  maxSize: number;
  desired: number;
  instances: GroupInstance[];
}

export function createAutoScalingModel(
  ctx: WorldContext,
  timings: AutoScalingTimings = DEFAULT_AUTO_SCALING_TIMINGS,
): { model: ServiceModel; world: AutoScalingWorld } {
  const groups = new Map<string, Group>();
  const key = (region: string, name: string) => `${region}|${name}`;
  const fail = (code: string, message: string) => ctx.error('autoScaling', code, message);

  function settle(group: Group): void {
    const now = ctx.now();
    group.instances = group.instances.filter(
      (instance) => instance.terminatingSinceEpochMs === undefined || now < instance.terminatingSinceEpochMs + timings.terminateMs,
    );
  }

  function lifecycle(instance: GroupInstance): string {
    if (instance.terminatingSinceEpochMs !== undefined) return 'Terminating';
    return ctx.now() >= instance.inServiceAtEpochMs ? 'InService' : 'Pending';
  }

  /** Launch or terminate until the live instances match the desired capacity (one scaling activity). */
  function scale(group: Group, stuck: boolean): void {
    settle(group);
    const now = ctx.now();
    const live = group.instances.filter((instance) => instance.terminatingSinceEpochMs === undefined);
    for (let index = 0; index < group.desired - live.length; index++) {
      group.instances.push({
        instanceId: `i-${ctx.nextHex('asg-instance', 17)}`,
        inServiceAtEpochMs: stuck ? Number.POSITIVE_INFINITY : now + timings.inServiceMs + index * timings.staggerMs,
      });
    }
    // Scale-in terminates the newest (still pending) instances first.
    const surplus = live.length - group.desired;
    if (surplus > 0)
      for (const instance of [...live].sort((a, b) => b.inServiceAtEpochMs - a.inServiceAtEpochMs).slice(0, surplus))
        instance.terminatingSinceEpochMs = now;
  }

  function findGroup(region: string, name: unknown): Group {
    const group = typeof name === 'string' ? groups.get(key(region, name)) : undefined;
    if (!group) throw fail('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup ${String(name)} not found`);
    settle(group);
    return group;
  }

  function describeGroup(group: Group) {
    return {
      AutoScalingGroupName: group.name,
      AutoScalingGroupARN: group.arn,
      MinSize: group.minSize,
      MaxSize: group.maxSize,
      DesiredCapacity: group.desired,
      Instances: group.instances.map((instance) => ({
        InstanceId: instance.instanceId,
        LifecycleState: lifecycle(instance),
        HealthStatus: 'Healthy',
        ProtectedFromScaleIn: false,
      })),
    };
  }

  function update(input: UpdateAutoScalingGroupType, region: string, stuck: boolean) {
    const group = findGroup(region, input.AutoScalingGroupName);
    const minSize = input.MinSize ?? group.minSize;
    const maxSize = input.MaxSize ?? group.maxSize;
    const desired = input.DesiredCapacity ?? Math.min(Math.max(group.desired, minSize), maxSize);
    if (minSize > maxSize) throw fail('ValidationError', `Max bound, ${maxSize}, must be greater than or equal to min bound, ${minSize}`);
    if (desired < minSize || desired > maxSize)
      throw fail(
        'ValidationError',
        `Desired capacity:${desired} must be between the specified min size:${minSize} and max size:${maxSize}`,
      );
    const changed = desired !== group.desired;
    group.minSize = minSize;
    group.maxSize = maxSize;
    group.desired = desired;
    if (changed || stuck) scale(group, stuck);
    return {};
  }

  const view = (group: Group): AutoScalingGroupWorldView => {
    settle(group);
    return {
      region: group.region,
      name: group.name,
      arn: group.arn,
      minSize: group.minSize,
      maxSize: group.maxSize,
      desiredCapacity: group.desired,
      instances: group.instances.map((instance) => ({ instanceId: instance.instanceId, lifecycleState: lifecycle(instance) })),
    };
  };

  const world: AutoScalingWorld = {
    addGroup(input) {
      if (groups.has(key(input.region, input.name))) return;
      const minSize = input.minSize ?? 0;
      const desired = input.desiredCapacity ?? minSize;
      if (!(minSize <= desired && desired <= input.maxSize))
        throw new SwitchbackError(`world.autoScaling.addGroup: ${input.name} needs min ≤ desired ≤ max`);
      const group: Group = {
        region: input.region,
        name: input.name,
        arn: `arn:aws:autoscaling:${input.region}:${ctx.accountId}:autoScalingGroup:${ctx.nextUuid('asg')}:autoScalingGroupName/${input.name}`,
        minSize,
        maxSize: input.maxSize,
        desired,
        instances: [],
      };
      // Instances that exist already are in service.
      for (let index = 0; index < desired; index++)
        group.instances.push({ instanceId: `i-${ctx.nextHex('asg-instance', 17)}`, inServiceAtEpochMs: ctx.now() });
      groups.set(key(input.region, input.name), group);
    },
    group: (region, name) => {
      const group = groups.get(key(region, name));
      return group && view(group);
    },
    groups: () => [...groups.values()].map(view),
    deleteGroup: (region, name) => {
      groups.delete(key(region, name));
    },
  };

  const model: ServiceModel = {
    handle(operation, input, call) {
      switch (operation) {
        case 'DescribeAutoScalingGroups': {
          const names = (input as AutoScalingGroupNamesType).AutoScalingGroupNames;
          const found = [...groups.values()].filter(
            (group) => group.region === call.region && (names === undefined || names.length === 0 || names.includes(group.name)),
          );
          for (const group of found) settle(group);
          return { AutoScalingGroups: found.map(describeGroup) };
        }
        case 'UpdateAutoScalingGroup':
          return update(input as UpdateAutoScalingGroupType, call.region, call.stuck);
        default:
          throw unsupportedOperation(ctx, 'autoScaling', operation);
      }
    },
  };

  return { model, world };
}
