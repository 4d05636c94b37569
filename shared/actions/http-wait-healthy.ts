/** `http.waitHealthy`: probe the site traffic is about to move to until it passes, or give up at the step's deadline. */
import * as z from '../app/event-schema';
import { StepTimeoutError } from '../engine/errors';
import type { ActionResult } from './context';
import { defineAction } from './define-action';
import { positiveInt, siteRole } from './params';

const configParams = z.strictObject({
  timeoutSeconds: z._default(positiveInt(3600), 300),
  intervalSeconds: z._default(positiveInt(60), 5),
});

export const httpWaitHealthy = defineAction({
  name: 'http.waitHealthy',
  // `site` is filled in by the plan: the site of the list that holds the step.
  params: z.extend(configParams, { site: z.optional(siteRole) }),
  config: configParams,
  // The step polls on its own until its timeout: one attempt.
  defaults: { timeoutSeconds: (p) => p.timeoutSeconds, retry: { maxAttempts: 1, baseDelayMs: 1_000, maxDelayMs: 1_000 } },
  place: (p, { role }) => ({ ...p, site: role }),
  describe(p, service) {
    const site = p.site === 'primary' ? service.primary : service.secondary;
    const probe = site.probe.type === 'tcp' ? `tcp ${site.probe.host}:${site.probe.port}` : site.probe.url;
    return `wait up to ${p.timeoutSeconds}s for the ${String(p.site)} to pass its probe (${probe})`;
  },
  // Probes are plain HTTP/TCP from the function: no AWS permission.
  grants: () => [],
  async execute(ctx, p): Promise<ActionResult> {
    const role = p.site ?? (ctx.run.kind === 'failover' ? 'secondary' : 'primary');
    const spec = ctx.service[role].probe;
    const intervalMs = p.intervalSeconds * 1000;
    const where = spec.type === 'tcp' ? `tcp ${spec.host}:${spec.port}` : spec.url;
    const startedAtEpochMs = ctx.clock.now();
    for (let probes = 1; ; probes += 1) {
      const result = await ctx.prober.probe(spec);
      if (result.ok) {
        const waitedSeconds = Math.round((ctx.clock.now() - startedAtEpochMs) / 1000);
        return {
          output: { healthy: true, probes, latencyMs: result.latencyMs },
          note: probes === 1 ? `${role} healthy at the first probe` : `${role} healthy after ${probes} probes (${waitedSeconds}s)`,
        };
      }
      if (ctx.clock.now() + intervalMs > ctx.deadlineEpochMs) {
        throw new StepTimeoutError(
          `the ${role} (${where}) did not pass its probe within ${Math.round(ctx.step.timeoutMs / 1000)}s: ${result.cause ?? 'probe failed'} (${probes} probes)`,
          { context: { step: ctx.step.id, cause: result.cause, probes } },
        );
      }
      await ctx.sleep(intervalMs);
    }
  },
});
