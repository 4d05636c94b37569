/** `ec2.start`: start standby instances and wait until they run. Starting a running instance changes nothing. */
import { z } from 'zod';
import { instanceGrant, isStepRef } from './grants';
import type { ActionResult } from './context';
import { defineAction } from './define-action';
import { EC2_RETRY, ec2PermissionCheck, knownInstance, waitForInstances } from './ec2-support';
import { inRegion, inSiteRegion, instanceIdList, region, resolvedInstanceIdList } from './params';

export const ec2Start = defineAction({
  name: 'ec2.start',
  params: z.strictObject({ instanceIds: resolvedInstanceIdList, region: region.optional() }),
  config: z.strictObject({ instanceIds: instanceIdList, region: region.optional() }),
  defaults: { timeoutSeconds: 300, retry: EC2_RETRY },
  place: inSiteRegion,
  describe: (p) => `start ${p.instanceIds.join(', ')}${inRegion(p.region)}`,
  grants: (p, { region }) => p.instanceIds.map((id) => instanceGrant('ec2:StartInstances', region, id)),
  namedInstanceIds: (p) => p.instanceIds.filter((id) => !isStepRef(id)),
  dryRunCheck: (p, context) =>
    ec2PermissionCheck(context, 'StartInstances', {
      InstanceIds: p.instanceIds.map((id) => knownInstance(id, context.knownInstanceId)).filter(Boolean),
    }),
  async execute(ctx, p): Promise<ActionResult> {
    const region = p.region ?? ctx.service.secondary.region;
    const changes = await ctx.aws.ec2().startInstances(region, p.instanceIds);
    await waitForInstances(ctx, region, p.instanceIds, 'running');
    const alreadyRunning = changes.filter((change) => change.previousState === 'running').map((change) => change.instanceId);
    return {
      output: { instanceIds: p.instanceIds, instanceId: p.instanceIds[0] },
      ...(alreadyRunning.length > 0 && { note: `${alreadyRunning.join(', ')} already running` }),
    };
  },
});
