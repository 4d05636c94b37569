/** `http.waitHealthy`: probe the site traffic is about to move to until it passes, or give up at the step's deadline. */
import { StepTimeoutError } from '../errors';
import { requirePositiveNumber } from './params';
import type { ActionContext, ActionResult } from './types';

export async function waitHealthy(ctx: ActionContext): Promise<ActionResult> {
  const role =
    ctx.params.site === 'primary'
      ? 'primary'
      : ctx.params.site === 'secondary'
        ? 'secondary'
        : ctx.run.kind === 'failover'
          ? 'secondary'
          : 'primary';
  const spec = ctx.service[role].probe;
  const intervalMs = requirePositiveNumber(ctx, 'intervalSeconds', 5) * 1000;
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
}
