/**
 * Every client factory, for entry points that use all services (orchestrator, drill, the CLI and
 * the embedded world). Importing this module loads every SDK client, EC2 included: the small
 * `probe` and `alarm` functions must pick the factories they need from the adapter modules instead.
 */
import type { AwsClientFactories } from './clients';
import { cloudWatchClientFactory } from './cloudwatch';
import { ec2ClientFactory } from './ec2';
import { eventBridgeClientFactory } from './eventbridge';
import { lambdaClientFactory } from './lambda';
import { route53ClientFactory } from './route53';
import { snsClientFactory } from './sns';
import { rdsClientFactory } from './rds';
import { autoScalingClientFactory } from './autoscaling';
import { ecsClientFactory } from './ecs';
import { iamClientFactory } from './iam';
import { sqsClientFactory } from './sqs';

export const ALL_AWS_CLIENT_FACTORIES: Required<AwsClientFactories> = {
  route53: route53ClientFactory,
  ec2: ec2ClientFactory,
  sns: snsClientFactory,
  cloudWatch: cloudWatchClientFactory,
  lambda: lambdaClientFactory,
  eventBridge: eventBridgeClientFactory,
  rds: rdsClientFactory,
  autoScaling: autoScalingClientFactory,
  ecs: ecsClientFactory,
  iam: iamClientFactory,
  sqs: sqsClientFactory,
};
