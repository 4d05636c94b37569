/**
 * EC2 steps. Each is safe to run twice: StartInstances/StopInstances on an instance already in the
 * wanted state changes nothing; RunInstances carries a ClientToken derived from run id + step id,
 * so a re-executed launch returns the instance the first execution created; attach and associate
 * look before they act (and refuse to steal a volume or an address unless the config says so).
 */
import { createHash } from 'node:crypto';
import type { PollOptions } from '../../aws/ec2';
import { StepTimeoutError } from '../errors';
import {
  optionalBoolean,
  optionalString,
  optionalStringList,
  optionalStringMap,
  regionOf,
  requireString,
  requireStringList,
} from './params';
import type { ActionContext, ActionResult } from './types';

/** EC2 ClientToken: at most 64 ASCII characters. */
export const CLIENT_TOKEN_MAX_CHARS = 64;

/** sha256(runId + stepId) as hex, cut to 64 characters: the same run and step always launch the same instance. */
export function clientTokenFor(runId: string, stepId: string): string {
  return createHash('sha256').update(`${runId}\n${stepId}`).digest('hex').slice(0, CLIENT_TOKEN_MAX_CHARS);
}

function pollOptions(ctx: ActionContext): PollOptions {
  return { deadlineEpochMs: ctx.deadlineEpochMs, sleep: (ms) => ctx.sleep(ms), now: () => ctx.clock.now() };
}

async function waitFor(ctx: ActionContext, region: string, instanceIds: string[], target: 'running' | 'stopped'): Promise<void> {
  const waited = await ctx.aws.ec2().waitForState(region, instanceIds, target, pollOptions(ctx));
  if (!waited.reached) {
    const seen = Object.entries(waited.states)
      .map(([id, state]) => `${id} ${state}`)
      .join(', ');
    throw new StepTimeoutError(
      `${ctx.step.action}: ${instanceIds.join(', ')} not ${target} within ${Math.round(ctx.step.timeoutMs / 1000)}s (${seen})`,
      {
        context: { step: ctx.step.id, states: waited.states },
      },
    );
  }
}

export async function startInstances(ctx: ActionContext): Promise<ActionResult> {
  const region = regionOf(ctx);
  const instanceIds = requireStringList(ctx, 'instanceIds');
  const changes = await ctx.aws.ec2().startInstances(region, instanceIds);
  await waitFor(ctx, region, instanceIds, 'running');
  const alreadyRunning = changes.filter((change) => change.previousState === 'running').map((change) => change.instanceId);
  return {
    output: { instanceIds, instanceId: instanceIds[0] },
    ...(alreadyRunning.length > 0 && { note: `${alreadyRunning.join(', ')} already running` }),
  };
}

export async function stopInstances(ctx: ActionContext): Promise<ActionResult> {
  const region = regionOf(ctx);
  const instanceIds = requireStringList(ctx, 'instanceIds');
  const changes = await ctx.aws.ec2().stopInstances(region, instanceIds);
  await waitFor(ctx, region, instanceIds, 'stopped');
  const alreadyStopped = changes.filter((change) => change.previousState === 'stopped').map((change) => change.instanceId);
  return {
    output: { instanceIds, instanceId: instanceIds[0] },
    ...(alreadyStopped.length > 0 && { note: `${alreadyStopped.join(', ')} already stopped` }),
  };
}

export async function launchFromAmi(ctx: ActionContext): Promise<ActionResult> {
  const region = regionOf(ctx);
  const ec2 = ctx.aws.ec2();
  const clientToken = clientTokenFor(ctx.run.id, ctx.step.id);
  const instanceId = await ec2.runInstance(region, {
    imageId: requireString(ctx, 'imageId'),
    instanceType: requireString(ctx, 'instanceType'),
    subnetId: optionalString(ctx, 'subnetId'),
    securityGroupIds: optionalStringList(ctx, 'securityGroupIds'),
    keyName: optionalString(ctx, 'keyName'),
    iamInstanceProfile: optionalString(ctx, 'iamInstanceProfile'),
    userData: optionalString(ctx, 'userData'),
    tags: { Name: `${ctx.service.name}-${ctx.step.id}`, ...optionalStringMap(ctx, 'tags') },
    clientToken,
    runId: ctx.run.id,
  });
  await waitFor(ctx, region, [instanceId], 'running');
  const [summary] = await ec2.describeInstances(region, [instanceId]);
  return {
    output: {
      instanceId,
      instanceIds: [instanceId],
      ...(summary?.privateIpAddress && { privateIpAddress: summary.privateIpAddress }),
      ...(summary?.publicIpAddress && { publicIpAddress: summary.publicIpAddress }),
    },
    note: `launched ${instanceId} (client token ${clientToken.slice(0, 12)}…)`,
  };
}

export async function attachVolume(ctx: ActionContext): Promise<ActionResult> {
  const region = regionOf(ctx);
  const input = {
    volumeId: requireString(ctx, 'volumeId'),
    instanceId: requireString(ctx, 'instanceId'),
    device: requireString(ctx, 'device'),
    force: optionalBoolean(ctx, 'force', false),
  };
  const result = await ctx.aws.ec2().attachVolume(region, input, pollOptions(ctx));
  return {
    output: {
      volumeId: input.volumeId,
      instanceId: input.instanceId,
      device: input.device,
      ...(result.detachedFromInstanceId && { detachedFromInstanceId: result.detachedFromInstanceId }),
    },
    ...(result.note && { note: result.note }),
  };
}

export async function associateAddress(ctx: ActionContext): Promise<ActionResult> {
  const region = regionOf(ctx);
  const allocationId = requireString(ctx, 'allocationId');
  const instanceId = requireString(ctx, 'instanceId');
  const result = await ctx.aws.ec2().associateAddress(region, {
    allocationId,
    instanceId,
    // Moving an address that is in use elsewhere must be asked for explicitly in the config.
    allowReassociation: optionalBoolean(ctx, 'allowReassociation', false),
  });
  return {
    output: {
      allocationId,
      instanceId,
      ...(result.associationId && { associationId: result.associationId }),
      ...(result.publicIp && { publicIp: result.publicIp }),
    },
    ...(result.note && { note: result.note }),
  };
}
