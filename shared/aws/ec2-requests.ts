/**
 * The EC2 requests the runbook sends, built in one place so the drill's DryRun sends exactly the
 * request the orchestrator will (the generated policy scopes RunInstances by the run tag: a DryRun
 * without it would be denied where the real launch is allowed). Pure; the SDK types are erased.
 */
import type { _InstanceType, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import { RUN_TAG_KEY } from '../actions/grants';

export interface RunInstanceInput {
  imageId: string;
  instanceType: string;
  subnetId?: string;
  securityGroupIds?: string[];
  keyName?: string;
  /** Instance profile name, or its ARN. */
  iamInstanceProfile?: string;
  /** Plain text; base64-encoded here (SDK v3 does not encode it). */
  userData?: string;
  tags?: Record<string, string>;
  /** Idempotency token (≤ 64 ASCII chars), derived by the engine from run id + step id. */
  clientToken: string;
  /** Value of the `switchback:run` tag. */
  runId: string;
}

/** The tags a launched instance carries: the step's, and `switchback:run = <run id>` (later steps are scoped by it). */
export function launchedInstanceTags(input: Pick<RunInstanceInput, 'tags' | 'runId'>): Record<string, string> {
  return { ...input.tags, [RUN_TAG_KEY]: input.runId };
}

/** RunInstances as the adapter sends it: one instance, tagged at launch. */
export function runInstancesRequest(input: RunInstanceInput): RunInstancesCommandInput {
  const profile = input.iamInstanceProfile;
  return {
    ImageId: input.imageId,
    InstanceType: input.instanceType as _InstanceType,
    MinCount: 1,
    MaxCount: 1,
    ClientToken: input.clientToken,
    ...(input.subnetId && { SubnetId: input.subnetId }),
    ...(input.securityGroupIds && input.securityGroupIds.length > 0 && { SecurityGroupIds: input.securityGroupIds }),
    ...(input.keyName && { KeyName: input.keyName }),
    ...(profile && { IamInstanceProfile: profile.startsWith('arn:') ? { Arn: profile } : { Name: profile } }),
    ...(input.userData !== undefined && { UserData: Buffer.from(input.userData, 'utf8').toString('base64') }),
    TagSpecifications: [
      { ResourceType: 'instance', Tags: Object.entries(launchedInstanceTags(input)).map(([Key, Value]) => ({ Key, Value })) },
    ],
  };
}
