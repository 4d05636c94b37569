/**
 * The AWS adapters a simulated function gets, built on clients that talk to the embedded world, for
 * the simulator's stage, from the same kits the deployed functions pass. The runner gives each
 * function exactly the adapters its deployed bundle carries (`FUNCTION_AWS_ADAPTERS`), so a function
 * reaching for another fails here as it would on AWS; the benchmarks and app-level tests, which play
 * several functions with one deps, get them all.
 */
import { AWS_ADAPTER_NAMES, type AwsAdapterName, type AwsAdapters } from '../../shared/app/deps';
import { createAwsAdapters, kitBuilders } from '../../shared/app/runtime';
import type { AwsClients } from '../../shared/aws/clients';
import { cloudWatchKit } from '../../shared/aws/cloudwatch';
import { ec2Kit } from '../../shared/aws/ec2';
import { eventBridgeKit } from '../../shared/aws/eventbridge';
import { iamKit } from '../../shared/aws/iam';
import { lambdaKit } from '../../shared/aws/lambda';
import { route53Kit } from '../../shared/aws/route53';
import { snsKit } from '../../shared/aws/sns';
import { createStepAdapters } from '../../shared/aws/step-adapters';
import { SIM_STAGE } from './seed';

const KITS = {
  sns: snsKit,
  cloudWatch: cloudWatchKit,
  lambda: lambdaKit,
  route53: route53Kit,
  ec2: ec2Kit,
  eventBridge: eventBridgeKit,
  iam: iamKit,
};

export function createSimAwsAdapters(clients: AwsClients, carried: readonly AwsAdapterName[] = AWS_ADAPTER_NAMES): AwsAdapters {
  const kits = Object.fromEntries(carried.flatMap((name) => (name === 'steps' ? [] : [[name, KITS[name]]])));
  return createAwsAdapters({
    ...kitBuilders(clients, kits, { stage: SIM_STAGE }),
    ...(carried.includes('steps') && { steps: createStepAdapters(clients) }),
  });
}
