/**
 * `ec2.start` and `ec2.stop` are one shape: ask EC2 to move the instances to a state, wait until they
 * are in it, and note the ones that already were (asking again changes nothing, so a retried or
 * resumed step is safe).
 */
import * as z from '../app/event-schema';
import { instanceGrant, isStepRef } from './grants';
import type { ActionResult } from './context';
import { defineAction, type GrantContext } from './define-action';
import { dryRunGrantsUnlessSimulated, EC2_RETRY, ec2PermissionCheck, waitForInstances } from './ec2-support';
import { inRegion, inSiteRegion, instanceIdList, region, resolvedInstanceIdList, stepRegion } from './params';

export function defineInstanceStateAction(spec: {
  name: 'ec2.start' | 'ec2.stop';
  verb: 'start' | 'stop';
  operation: 'StartInstances' | 'StopInstances';
  state: 'running' | 'stopped';
}) {
  const grants = (p: { instanceIds: string[] }, { region }: GrantContext) =>
    p.instanceIds.map((id) => instanceGrant(`ec2:${spec.operation}`, region, id));
  /** The request the adapter sends (shared/aws/ec2.ts startInstances / stopInstances). */
  const request = (p: { instanceIds: string[] }) => ({ InstanceIds: p.instanceIds });
  return defineAction({
    name: spec.name,
    params: z.strictObject({ instanceIds: resolvedInstanceIdList, region: z.optional(region) }),
    config: z.strictObject({ instanceIds: instanceIdList, region: z.optional(region) }),
    defaults: { timeoutSeconds: 300, retry: EC2_RETRY },
    place: inSiteRegion,
    describe: (p) => `${spec.verb} ${p.instanceIds.join(', ')}${inRegion(p.region)}`,
    grants,
    dryRunGrants: dryRunGrantsUnlessSimulated(grants, request),
    namedInstanceIds: (p) => p.instanceIds.filter((id) => !isStepRef(id)),
    dryRunSimulatesOrchestrator: true,
    dryRunCheck: (p, context) => ec2PermissionCheck(context, spec.operation, request(p)),
    async execute(ctx, p): Promise<ActionResult> {
      const region = stepRegion(p, ctx);
      const ec2 = ctx.aws.ec2();
      const changes =
        spec.verb === 'start' ? await ec2.startInstances(region, p.instanceIds) : await ec2.stopInstances(region, p.instanceIds);
      await waitForInstances(ctx, region, p.instanceIds, spec.state);
      const already = changes.filter((change) => change.previousState === spec.state).map((change) => change.instanceId);
      return {
        output: { instanceIds: p.instanceIds, instanceId: p.instanceIds[0] },
        ...(already.length > 0 && { note: `${already.join(', ')} already ${spec.state}` }),
      };
    },
  });
}
