/**
 * The embedded AWS world (see ./world.ts): `createWorld(options)` and the types of its surface.
 */
export { createWorld, WORLD_CREDENTIALS, WORLD_ENDPOINT } from './world';
export type { AwsWorldOptions, CallerIdentity, CallLogEntry, World, WorldFaults, WorldOptions } from './world';
export { assumedRoleArn, decodeAuthorizationMessage } from './iam';
export type { AuthorizationRequest, DenialRecord, IamWorld, PolicyDocument } from './iam';
export { FLAG_ALARM, failoverSetIdentifier, flagAlarmName, flagDimensions, flagHealthCheckReference } from '../../shared/aws/flag';
export { SIM_STAGE } from './seed';
export { createAwsError } from './aws-error';
export { InvalidFaultError, STUCK_APIS } from './faults';
export type { FaultSpec } from './faults';
export type { ChangeStatusValue, ChangeView, HealthCheckView, HealthStatus, Route53World } from './route53';
export type { AddInstanceInput, AddressView, AttachmentStateName, Ec2World, InstanceStateName, InstanceView, VolumeView } from './ec2';
export type { PublishedMessage, SnsWorld } from './sns';
export type {
  AlarmMetric,
  AlarmSpec,
  AlarmStateValue,
  AlarmView,
  CloudWatchWorld,
  ComparisonOperator,
  DatapointView,
  TreatMissingData,
} from './cloudwatch';
export type { BusDelivery, EventBridgeWorld, RuleTargetView, RuleView } from './eventbridge';
export { PayloadBytes } from './lambda';
export type { InvocationRecord, LambdaHandler, LambdaWorld } from './lambda';
export { createSimAwsAdapters } from './adapters';
