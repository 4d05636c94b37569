/**
 * `ecs.setDesiredCount`: set an ECS service's desired task count (UpdateService with only
 * `desiredCount`, which starts no new deployment) and wait until as many tasks run. Setting an
 * absolute count is idempotent.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
 */
import * as z from '../app/event-schema';
import { refusal } from '../aws/errors';
import type { ActionResult } from './context';
import { defineAction } from './define-action';
import { FLEET_RETRY, waitUntil } from './fleet-support';
import { arn, literal } from './grants';
import { inRegion, inSiteRegion, region, stepRegion } from './params';

const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** A cluster given as a name or an ARN → its name. */
function clusterNameOf(cluster: string): string {
  return cluster.replace(/^arn:aws[a-z-]*:ecs:[^:]+:\d{12}:cluster\//, '');
}

export const ecsSetDesiredCount = defineAction({
  name: 'ecs.setDesiredCount',
  params: z.strictObject({
    cluster: z
      .string({ error: 'must be a string' })
      .check(
        z.regex(
          /^([A-Za-z0-9_-]{1,255}|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255})$/,
          'must be a cluster name or ARN',
        ),
      ),
    service: z.string({ error: 'must be a string' }).check(z.regex(ECS_NAME, 'must be a service name (letters, digits, "-", "_")')),
    desiredCount: z
      .number({ error: 'must be a number' })
      .check(z.int('must be a whole number'), z.gte(0, 'must be ≥ 0'), z.lte(5_000, 'must be ≤ 5000')),
    waitSteady: z._default(z.boolean(), true),
    region: z.optional(region),
  }),
  defaults: { timeoutSeconds: 600, retry: FLEET_RETRY },
  place: inSiteRegion,
  describe: (p) =>
    `set ECS service ${clusterNameOf(p.cluster)}/${p.service} to ${p.desiredCount} tasks${inRegion(p.region)}${p.waitSteady ? `, wait for ${p.desiredCount} running` : ''}`,
  // UpdateService and DescribeServices are authorized on the service (`service/<cluster>/<name>`).
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
  grants: (p, { region: where }) => {
    const resource = arn('ecs', where, `service/${literal(clusterNameOf(p.cluster))}/${literal(p.service)}`);
    return [
      { action: 'ecs:UpdateService', resource },
      { action: 'ecs:DescribeServices', resource },
    ];
  },
  dryRunGrants: (p, { region: where }) => [
    { action: 'ecs:DescribeServices', resource: arn('ecs', where, `service/${literal(clusterNameOf(p.cluster))}/${literal(p.service)}`) },
  ],
  dryRunCheck: (p, context) => ({
    check: `ECS service ${clusterNameOf(p.cluster)}/${p.service}`,
    run: async () => {
      if (!context.aws.steps) return { ok: false, detail: 'this function was built without the ECS client' };
      const where = p.region ?? context.region;
      const found = await context.aws.steps.ecs().describeService(where, p.cluster, p.service);
      if (!found) return { ok: false, detail: `${p.service} not found in cluster ${clusterNameOf(p.cluster)} (${where})` };
      if (found.status !== 'ACTIVE') return { ok: false, detail: `${p.service} is ${found.status}` };
      return {
        ok: true,
        detail: `${p.service} ACTIVE: ${found.runningCount} running of ${found.desiredCount} desired; the step sets ${p.desiredCount}`,
      };
    },
  }),
  async execute(ctx, p): Promise<ActionResult> {
    const where = stepRegion(p, ctx);
    const ecs = ctx.aws.ecs();
    const before = await ecs.describeService(where, p.cluster, p.service);
    if (!before)
      throw refusal(
        'ecs:DescribeServices',
        `${clusterNameOf(p.cluster)}/${p.service} in ${where}`,
        'ServiceNotFoundException',
        `no service ${p.service} in cluster ${clusterNameOf(p.cluster)}`,
      );
    const unchanged = before.desiredCount === p.desiredCount;
    if (!unchanged) await ecs.updateDesiredCount(where, p.cluster, p.service, p.desiredCount);
    const name = `${clusterNameOf(p.cluster)}/${p.service}`;
    if (!p.waitSteady)
      return {
        output: { service: p.service, desiredCount: p.desiredCount },
        note: `${name}: desired ${before.desiredCount} → ${p.desiredCount}`,
      };
    const { value: running, waitedMs } = await waitUntil(
      ctx,
      async () => {
        const now = await ecs.describeService(where, p.cluster, p.service);
        const runningCount = now?.runningCount ?? 0;
        return {
          done: runningCount === p.desiredCount && (now?.pendingCount ?? 0) === 0,
          value: runningCount,
          seen: `${runningCount} running, ${now?.pendingCount ?? 0} pending of ${now?.desiredCount ?? '?'} desired`,
        };
      },
      `${p.desiredCount} running tasks in ${name}`,
    );
    return {
      output: { service: p.service, desiredCount: p.desiredCount, runningCount: running },
      note: `${name}: desired ${before.desiredCount} → ${p.desiredCount}, ${running} running after ${Math.round(waitedMs / 1000)}s${unchanged ? ' (count already set)' : ''}`,
    };
  },
});
