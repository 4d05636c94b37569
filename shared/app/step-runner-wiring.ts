/**
 * What a function that executes runbook steps carries (`FUNCTION_AWS_ADAPTERS`): the orchestrator as
 * it is, the drill with IAM and EventBridge added for its checks. Only those two import this module,
 * so only their bundles hold the EC2, Route 53 and step clients.
 */
import { cloudWatchKit } from '../aws/cloudwatch';
import { ec2Kit } from '../aws/ec2';
import { lambdaKit } from '../aws/lambda';
import { route53Kit } from '../aws/route53';
import { snsKit } from '../aws/sns';
import { createStepAdapters, STEP_CLIENT_FACTORIES } from '../aws/step-adapters';
import { createProber } from '../probes';
import type { LambdaWiring } from './lambda-handler';

export const STEP_RUNNER_WIRING = {
  sns: snsKit,
  cloudWatch: cloudWatchKit,
  lambda: lambdaKit,
  ec2: ec2Kit,
  route53: route53Kit,
  steps: { factories: STEP_CLIENT_FACTORIES, adapters: createStepAdapters },
  prober: createProber,
} satisfies LambdaWiring;
