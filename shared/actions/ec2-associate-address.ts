/**
 * `ec2.associateAddress`: move an Elastic IP to the standby. The adapter looks before it acts: already
 * associated here is success; an address in use elsewhere moves only with `allowReassociation`.
 */
import * as z from '../app/event-schema';
import type { ActionResult } from './context';
import { defineAction, type GrantContext } from './define-action';
import { EC2_RETRY, instanceStepChecks } from './ec2-support';
import { ec2Arn, instanceGrant, type Grant } from './grants';
import { inRegion, inSiteRegion, instanceId, region, stepRegion } from './params';

interface AssociateAddressParams {
  allocationId: string;
  instanceId: string;
  allowReassociation: boolean;
}

// AssociateAddress is authorized on the elastic-ip, the instance AND the instance's network
// interface, whose id no config names (the ENI of a launched instance does not exist yet):
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
function associateAddressGrants(p: AssociateAddressParams, { region }: GrantContext): Grant[] {
  return [
    { action: 'ec2:AssociateAddress', resource: ec2Arn(region, `elastic-ip/${p.allocationId}`) },
    instanceGrant('ec2:AssociateAddress', region, p.instanceId),
    { action: 'ec2:AssociateAddress', resource: ec2Arn(region, 'network-interface/*') },
  ];
}

/** The AssociateAddress request the adapter sends (shared/aws/ec2.ts associateAddress). */
const associateAddressRequest = (p: AssociateAddressParams) => ({
  AllocationId: p.allocationId,
  InstanceId: p.instanceId,
  AllowReassociation: p.allowReassociation,
});

export const ec2AssociateAddress = defineAction({
  name: 'ec2.associateAddress',
  params: z.strictObject({
    allocationId: z.string().check(z.regex(/^eipalloc-[0-9a-f]{8,17}$/, 'must be an allocation id like eipalloc-0abc1234')),
    instanceId,
    allowReassociation: z._default(z.boolean(), false),
    region: z.optional(region),
  }),
  defaults: { timeoutSeconds: 120, retry: EC2_RETRY },
  place: inSiteRegion,
  describe: (p) => `associate ${p.allocationId} with ${p.instanceId}${inRegion(p.region)}`,
  ...instanceStepChecks('AssociateAddress', associateAddressGrants, associateAddressRequest),
  async execute(ctx, p): Promise<ActionResult> {
    const region = stepRegion(p, ctx);
    const result = await ctx.aws.ec2().associateAddress(region, {
      allocationId: p.allocationId,
      instanceId: p.instanceId,
      // Moving an address that is in use elsewhere must be asked for explicitly in the config.
      allowReassociation: p.allowReassociation,
    });
    return {
      output: {
        allocationId: p.allocationId,
        instanceId: p.instanceId,
        ...(result.associationId && { associationId: result.associationId }),
        ...(result.publicIp && { publicIp: result.publicIp }),
      },
      ...(result.note && { note: result.note }),
    };
  },
});
