/**
 * `ec2.attachVolume`: attach a volume (e.g. the data volume of a cold standby). The adapter looks
 * before it acts: already attached here is success, and a volume in use elsewhere is only taken when
 * `force` says so. Volume and instance must be in one Availability Zone.
 */
import * as z from '../app/event-schema';
import type { ActionResult } from './context';
import { defineAction, type GrantContext } from './define-action';
import { EC2_RETRY, instanceStepChecks, pollOptions } from './ec2-support';
import { ec2Arn, instanceGrant, isStepRef, type Grant } from './grants';
import { inRegion, inSiteRegion, instanceId, region, stepRefOr, stepRegion } from './params';

interface AttachVolumeParams {
  volumeId: string;
  instanceId: string;
  device: string;
  force: boolean;
}

function attachVolumeGrants(p: AttachVolumeParams, { region }: GrantContext): Grant[] {
  // No step creates volumes today; a referenced volume id is only known at run time.
  const volume = ec2Arn(region, isStepRef(p.volumeId) ? 'volume/*' : `volume/${p.volumeId}`);
  const grants: Grant[] = [{ action: 'ec2:AttachVolume', resource: volume }, instanceGrant('ec2:AttachVolume', region, p.instanceId)];
  if (p.force) {
    // Force-detach from whichever instance holds the volume: the volume is what limits it.
    grants.push({ action: 'ec2:DetachVolume', resource: volume }, { action: 'ec2:DetachVolume', resource: ec2Arn(region, 'instance/*') });
  }
  return grants;
}

/** The AttachVolume request the adapter sends (shared/aws/ec2.ts attachVolume). */
const attachVolumeRequest = (p: AttachVolumeParams) => ({ VolumeId: p.volumeId, InstanceId: p.instanceId, Device: p.device });

export const ec2AttachVolume = defineAction({
  name: 'ec2.attachVolume',
  params: z.strictObject({
    volumeId: stepRefOr(/vol-[0-9a-f]{8,17}/, 'vol-0abc1234'),
    instanceId,
    device: z.string().check(z.regex(/^\/dev\/[a-z0-9]+$/, 'must be a device name like /dev/sdf')),
    force: z._default(z.boolean(), false),
    region: z.optional(region),
  }),
  defaults: { timeoutSeconds: 120, retry: EC2_RETRY },
  place: inSiteRegion,
  describe: (p) => `attach ${p.volumeId} to ${p.instanceId} as ${p.device}${inRegion(p.region)}`,
  ...instanceStepChecks('AttachVolume', attachVolumeGrants, attachVolumeRequest),
  async execute(ctx, p): Promise<ActionResult> {
    const region = stepRegion(p, ctx);
    const input = { volumeId: p.volumeId, instanceId: p.instanceId, device: p.device, force: p.force };
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
  },
});
