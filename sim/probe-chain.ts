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
import { createProbeChainStore, type ProbeChainStore } from '../shared/store/probe-chain';
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

/** What the chains used over a scenario (`simulate --json` summary.probeChain). */
export interface ProbeChainUsage {
  /** Lease writes (a claim per link, a seed per generation) and the schedule's lease reads, per location. */
  lease: Record<string, { writes: number; reads: number }>;
  /** Per `<region>/<queue>`: links sent, deliveries to probe, messages moved to the dead-letter queue. */
  queues: Record<string, { sent: number; delivered: number; deadLettered: number }>;
}

/** The chain a location's probe function is built with: the lease in the location's own table, the queue in its region. */
export function probeChainDeps(options: {
  clients: AwsClients;
  client: DynamoDBDocumentClient;
  tableName: string;
  location: string;
  stage: string;
  /** Gets each location's lease store, to report its usage. */
  onLease?(location: string, store: ProbeChainStore): void;
}): NonNullable<AppDeps['chain']> {
  const store = createProbeChainStore({ client: options.client, tableName: options.tableName });
  options.onLease?.(options.location, store);
  return {
    store,
    queue: createChainQueue(options.clients, { region: options.location, queueName: probeChainQueueName(options.stage) }),
  };
}

export function probeChainUsage(world: World, leases: Map<string, ProbeChainStore>): ProbeChainUsage {
  return {
    lease: Object.fromEntries([...leases].map(([location, store]) => [location, store.stats()])),
    queues: world.sqs.counts(),
  };
}
