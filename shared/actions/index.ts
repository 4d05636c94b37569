/**
 * The step action registry: every action a runbook can run, one module each. Adding an action means
 * adding its module (see `define-action.ts` for the shape), its tests, and one line here.
 */
import { approval } from './approval';
import { autoscalingSetCapacity } from './autoscaling-set-capacity';
import { ec2AssociateAddress } from './ec2-associate-address';
import { ec2AttachVolume } from './ec2-attach-volume';
import { ec2LaunchFromAmi } from './ec2-launch-from-ami';
import { ec2Start } from './ec2-start';
import { ec2Stop } from './ec2-stop';
import { ecsSetDesiredCount } from './ecs-set-desired-count';
import { httpWaitHealthy } from './http-wait-healthy';
import { lambdaInvoke } from './lambda-invoke';
import { notify } from './notify';
import { rdsFailoverGlobalCluster } from './rds-failover-global-cluster';
import { rdsPromoteReadReplica } from './rds-promote-read-replica';
import { rdsSwitchoverGlobalCluster } from './rds-switchover-global-cluster';
import { route53Switch } from './route53-switch';
import { route53WaitInSync } from './route53-wait-in-sync';
import type { StepAction } from './define-action';

/** In the order the README's table and the config's "must name exactly one action" message list them. */
export const STEP_ACTIONS = [
  ec2Start,
  ec2Stop,
  ec2LaunchFromAmi,
  ec2AttachVolume,
  ec2AssociateAddress,
  httpWaitHealthy,
  lambdaInvoke,
  notify,
  approval,
  rdsFailoverGlobalCluster,
  rdsSwitchoverGlobalCluster,
  rdsPromoteReadReplica,
  autoscalingSetCapacity,
  ecsSetDesiredCount,
  route53Switch,
  route53WaitInSync,
] as const;

export type ActionName = (typeof STEP_ACTIONS)[number]['name'];

/** Actions a `prepare`/`cleanup` list may name (the DNS steps are added by the plan itself). */
export const CONFIGURABLE_ACTIONS = STEP_ACTIONS.filter((action) => action.planOnly !== true);

const BY_NAME: ReadonlyMap<string, StepAction> = new Map(STEP_ACTIONS.map((action) => [action.name, action]));

/** The action of a step; undefined for a name no module defines (a journalled run from a newer release). */
export function findAction(name: string): StepAction | undefined {
  return BY_NAME.get(name);
}

export { clientTokenFor } from './ec2-launch-from-ami';
export { userMessage } from './notify';
export type { ActionContext, ActionResult, StepOutput } from './context';
export type { DefinedAction, StepAction, GrantContext, DryRunContext, DryRunCheck, RetryPolicy } from './define-action';
