/**
 * `autoscaling.setCapacity`: size an Auto Scaling group (pilot light → full size before traffic
 * moves; back to the pilot light in a cleanup) with UpdateAutoScalingGroup, then wait until
 * `desiredCapacity` instances are InService. Setting absolute sizes is idempotent: a retried or
 * resumed step sets the same sizes (or finds them set) and waits.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_UpdateAutoScalingGroup.html
 */
import * as z from '../app/event-schema';
import { refusal } from '../aws/errors';
import type { ActionResult } from './context';
import { defineAction } from './define-action';
import { FLEET_RETRY, waitUntil } from './fleet-support';
import { arn, literal } from './grants';
import { inRegion, inSiteRegion, region, stepRegion } from './params';

const size = z
  .number({ error: 'must be a number' })
  .check(z.int('must be a whole number'), z.gte(0, 'must be ≥ 0'), z.lte(10_000, 'must be ≤ 10000'));

export const autoscalingSetCapacity = defineAction({
  name: 'autoscaling.setCapacity',
  params: z
    .strictObject({
      autoScalingGroupName: z
        .string({ error: 'must be a string' })
        .check(z.regex(/^[^:*?]{1,255}$/, 'must be an Auto Scaling group name (1-255 characters, no ":", "*" or "?")')),
      minSize: size,
      desiredCapacity: size,
      maxSize: size,
      waitInService: z._default(z.boolean(), true),
      region: z.optional(region),
    })
    .check(
      z.refine((p) => p.minSize <= p.desiredCapacity && p.desiredCapacity <= p.maxSize, {
        error: 'minSize ≤ desiredCapacity ≤ maxSize must hold',
        path: ['desiredCapacity'],
      }),
    ),
  // Instances boot and pass health checks: minutes, not seconds.
  defaults: { timeoutSeconds: 900, retry: FLEET_RETRY },
  place: inSiteRegion,
  describe: (p) =>
    `scale Auto Scaling group ${p.autoScalingGroupName} to ${p.desiredCapacity} (min ${p.minSize}, max ${p.maxSize})${inRegion(p.region)}${
      p.waitInService ? `, wait for ${p.desiredCapacity} InService` : ''
    }`,
  // The group's ARN carries an id no config names: `autoScalingGroup:*:autoScalingGroupName/<name>`.
  // DescribeAutoScalingGroups has no resource type ("*", WILDCARD_RESOURCE_ACTIONS).
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html
  grants: (p, { region: where }) => [
    {
      action: 'autoscaling:UpdateAutoScalingGroup',
      resource: arn('autoscaling', where, `autoScalingGroup:*:autoScalingGroupName/${literal(p.autoScalingGroupName)}`),
    },
    { action: 'autoscaling:DescribeAutoScalingGroups', resource: '*' },
  ],
  dryRunGrants: () => [{ action: 'autoscaling:DescribeAutoScalingGroups', resource: '*' }],
  dryRunCheck: (p, context) => ({
    check: `Auto Scaling group ${p.autoScalingGroupName}`,
    run: async () => {
      if (!context.aws.steps) return { ok: false, detail: 'this function was built without the Auto Scaling client' };
      const group = await context.aws.steps.autoScaling().describeGroup(p.region ?? context.region, p.autoScalingGroupName);
      if (!group) return { ok: false, detail: `${p.autoScalingGroupName} not found in ${p.region ?? context.region}` };
      const inService = group.instances.filter((instance) => instance.lifecycleState === 'InService').length;
      return {
        ok: true,
        detail: `${p.autoScalingGroupName} exists: ${inService} InService, desired ${group.desiredCapacity} (min ${group.minSize}, max ${group.maxSize}); the step sets ${p.desiredCapacity}`,
      };
    },
  }),
  async execute(ctx, p): Promise<ActionResult> {
    const where = stepRegion(p, ctx);
    const autoScaling = ctx.aws.autoScaling();
    const before = await autoScaling.describeGroup(where, p.autoScalingGroupName);
    if (!before)
      throw refusal(
        'autoscaling:DescribeAutoScalingGroups',
        `${p.autoScalingGroupName} in ${where}`,
        'ValidationError',
        `no Auto Scaling group ${p.autoScalingGroupName} in ${where}`,
      );
    const sizes = { minSize: p.minSize, desiredCapacity: p.desiredCapacity, maxSize: p.maxSize };
    const unchanged = before.minSize === p.minSize && before.maxSize === p.maxSize && before.desiredCapacity === p.desiredCapacity;
    if (!unchanged) await autoScaling.updateGroup(where, p.autoScalingGroupName, sizes);
    const from = `${before.desiredCapacity}`;
    if (!p.waitInService)
      return {
        output: { autoScalingGroupName: p.autoScalingGroupName, desiredCapacity: p.desiredCapacity },
        note: `desired ${from} → ${p.desiredCapacity}`,
      };
    const { value: inService, waitedMs } = await waitUntil(
      ctx,
      async () => {
        const group = await autoScaling.describeGroup(where, p.autoScalingGroupName);
        const states = new Map<string, number>();
        for (const instance of group?.instances ?? []) states.set(instance.lifecycleState, (states.get(instance.lifecycleState) ?? 0) + 1);
        const count = states.get('InService') ?? 0;
        const seen = [...states.entries()].map(([state, n]) => `${n} ${state}`).join(', ') || 'no instances';
        return { done: count === p.desiredCapacity, value: count, seen };
      },
      `${p.desiredCapacity} InService in ${p.autoScalingGroupName}`,
    );
    return {
      output: { autoScalingGroupName: p.autoScalingGroupName, desiredCapacity: p.desiredCapacity, inService },
      note: `${p.autoScalingGroupName}: desired ${from} → ${p.desiredCapacity}, ${inService} InService after ${Math.round(waitedMs / 1000)}s${unchanged ? ' (sizes already set)' : ''}`,
    };
  },
});
