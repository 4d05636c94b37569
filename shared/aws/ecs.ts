/**
 * ECS adapter: read a service's desired and running counts, set its desired count.
 * - UpdateService with only `desiredCount` changes the number of tasks and starts no new deployment:
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
 * - DescribeServices answers unknown services in `failures` (reason `MISSING`), not with an error:
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html
 *
 * Importing this module loads @aws-sdk/client-ecs: only functions that run steps (orchestrator,
 * drill) import it.
 */
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { sdkClientFactory, type AwsClients } from './clients';
import { callAws } from './errors';

export const ecsClientFactory = sdkClientFactory(ECSClient);

export interface EcsServiceView {
  serviceArn: string;
  /** `ACTIVE`, `DRAINING` or `INACTIVE`. */
  status: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
}

export interface EcsAdapter {
  /** `undefined` when the cluster has no such service (DescribeServices `failures`: MISSING). */
  describeService(region: string, cluster: string, service: string): Promise<EcsServiceView | undefined>;
  updateDesiredCount(region: string, cluster: string, service: string, desiredCount: number): Promise<void>;
}

export function createEcsAdapter(clients: Pick<AwsClients, 'ecs'>): EcsAdapter {
  return {
    async describeService(region, cluster, service) {
      const response = await callAws('ecs:DescribeServices', `${cluster}/${service} in ${region}`, () =>
        clients.ecs(region).send(new DescribeServicesCommand({ cluster, services: [service] })),
      );
      const found = response.services?.[0];
      if (!found) return undefined;
      return {
        serviceArn: found.serviceArn ?? '',
        status: found.status ?? 'unknown',
        desiredCount: found.desiredCount ?? 0,
        runningCount: found.runningCount ?? 0,
        pendingCount: found.pendingCount ?? 0,
      };
    },
    async updateDesiredCount(region, cluster, service, desiredCount) {
      await callAws('ecs:UpdateService', `${cluster}/${service} in ${region}`, () =>
        clients.ecs(region).send(new UpdateServiceCommand({ cluster, service, desiredCount })),
      );
    },
  };
}
