/**
 * The AWS adapters a simulated function gets, built on clients that talk to the embedded world, for
 * the simulator's stage. The runner gives each function exactly the adapters its deployed bundle
 * carries (`FUNCTION_AWS_ADAPTERS`), so a function reaching for another fails here as it would on
 * AWS; the benchmarks and app-level tests, which play several functions with one deps, get them all.
 */
import { AWS_ADAPTER_NAMES, type AwsAdapterName, type AwsAdapters } from '../../shared/app/deps';
import { createAwsAdapters, type AdapterBuilders } from '../../shared/app/runtime';
import type { AwsClients } from '../../shared/aws/clients';
import { createCloudWatchAdapter } from '../../shared/aws/cloudwatch';
import { createEc2Adapter } from '../../shared/aws/ec2';
import { createEventBridgeAdapter } from '../../shared/aws/eventbridge';
import { createIamAdapter } from '../../shared/aws/iam';
import { createLambdaAdapter } from '../../shared/aws/lambda';
import { createRoute53Adapter } from '../../shared/aws/route53';
import { createSnsAdapter } from '../../shared/aws/sns';
import { createStepAdapters } from '../../shared/aws/step-adapters';
import { SIM_STAGE } from './seed';

export function createSimAwsAdapters(clients: AwsClients, carried: readonly AwsAdapterName[] = AWS_ADAPTER_NAMES): AwsAdapters {
  const deployment = { stage: SIM_STAGE };
  const all: Required<AdapterBuilders> = {
    sns: () => createSnsAdapter(clients),
    cloudWatch: () => createCloudWatchAdapter(clients, deployment),
    lambda: () => createLambdaAdapter(clients),
    route53: () => createRoute53Adapter(clients),
    ec2: () => createEc2Adapter(clients),
    eventBridge: () => createEventBridgeAdapter(clients, deployment),
    iam: () => createIamAdapter(clients),
    steps: createStepAdapters(clients),
  };
  return createAwsAdapters(Object.fromEntries(carried.map((name) => [name, all[name]])));
}
