/**
 * The probe chain as `sls deploy` sets it up (serverless/deployment.ts), in the embedded world: in
 * every probe location a standard queue with a dead-letter queue, mapped to that location's `probe`
 * function (batch size 1), and the chain's lease in the table of the location's own region.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppDeps } from '../shared/app/deps';
import type { AwsClients } from '../shared/aws/clients';
import { createChainQueue } from '../shared/aws/sqs';
import type { SwitchbackConfig } from '../shared/config/types';
import { createProbeChainStore } from '../shared/store/probe-chain';
import { PROBE_CHAIN_QUEUE } from '../serverless/deployment';
import { probeChainDeadLetterQueueName, probeChainQueueName } from '../serverless/naming';
import type { World } from './world';

/** Create each location's queue and map it to the location's probe function. */
export function deployProbeChains(
  world: World,
  config: SwitchbackConfig,
  options: {
    stage: string;
    probeTimeoutSeconds: number;
    /** The location's probe function, invoked synchronously by the mapping; throws on a function error. */
    invokeProbe(location: string, event: unknown): Promise<unknown>;
  },
): void {
  for (const location of config.probeLocations) {
    const deadLetterQueueArn = world.sqs.createQueue(location, probeChainDeadLetterQueueName(options.stage));
    const queueArn = world.sqs.createQueue(location, probeChainQueueName(options.stage), {
      visibilityTimeoutSeconds: PROBE_CHAIN_QUEUE.visibilityTimeoutPerFunctionTimeout * options.probeTimeoutSeconds,
      maxReceiveCount: PROBE_CHAIN_QUEUE.maxReceiveCount,
      deadLetterQueueArn,
    });
    world.sqs.mapToFunction(queueArn, (event) => options.invokeProbe(location, event));
  }
}

/** The chain a location's probe function is built with: the lease in the location's own table, the queue in its region. */
export function probeChainDeps(options: {
  clients: AwsClients;
  client: DynamoDBDocumentClient;
  tableName: string;
  location: string;
  stage: string;
}): NonNullable<AppDeps['chain']> {
  return {
    store: createProbeChainStore({ client: options.client, tableName: options.tableName }),
    queue: createChainQueue(options.clients, { region: options.location, queueName: probeChainQueueName(options.stage) }),
  };
}
