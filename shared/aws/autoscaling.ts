/**
 * EC2 Auto Scaling adapter: read a group's sizes and instances, set its sizes.
 * - UpdateAutoScalingGroup: "the new settings take effect on any scaling activities after this call
 *   returns"; a desired capacity outside [min, max] is a ValidationError:
 *   https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_UpdateAutoScalingGroup.html
 * - Instances are counted as serving when `LifecycleState` is `InService` (a launched instance is
 *   `Pending` first, and `Pending:Wait` while a lifecycle hook holds it):
 *   https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_Instance.html
 *
 * Importing this module loads @aws-sdk/client-auto-scaling: only functions that run steps
 * (orchestrator, drill) import it.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { sdkClientFactory, type AwsClients } from './clients';
import { callAws } from './errors';

export const autoScalingClientFactory = sdkClientFactory(AutoScalingClient);

export interface AutoScalingGroupView {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  instances: Array<{ instanceId: string; lifecycleState: string; healthStatus: string }>;
}

export interface GroupSizes {
  minSize: number;
  desiredCapacity: number;
  maxSize: number;
}

export interface AutoScalingAdapter {
  /** `undefined` when no group of that name exists in the region. */
  describeGroup(region: string, name: string): Promise<AutoScalingGroupView | undefined>;
  updateGroup(region: string, name: string, sizes: GroupSizes): Promise<void>;
}

export function createAutoScalingAdapter(clients: Pick<AwsClients, 'autoScaling'>): AutoScalingAdapter {
  return {
    async describeGroup(region, name) {
      const response = await callAws('autoscaling:DescribeAutoScalingGroups', `${name} in ${region}`, () =>
        clients.autoScaling(region).send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })),
      );
      const group = response.AutoScalingGroups?.find((candidate) => candidate.AutoScalingGroupName === name);
      if (!group) return undefined;
      return {
        name,
        minSize: group.MinSize ?? 0,
        maxSize: group.MaxSize ?? 0,
        desiredCapacity: group.DesiredCapacity ?? 0,
        instances: (group.Instances ?? []).map((instance) => ({
          instanceId: instance.InstanceId ?? '',
          lifecycleState: instance.LifecycleState ?? 'unknown',
          healthStatus: instance.HealthStatus ?? 'unknown',
        })),
      };
    },
    async updateGroup(region, name, sizes) {
      await callAws('autoscaling:UpdateAutoScalingGroup', `${name} in ${region}`, () =>
        clients.autoScaling(region).send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: name,
            MinSize: sizes.minSize,
            MaxSize: sizes.maxSize,
            DesiredCapacity: sizes.desiredCapacity,
          }),
        ),
      );
    },
  };
}
