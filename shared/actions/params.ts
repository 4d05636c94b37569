/**
 * Zod building blocks for step params: AWS identifiers, `${steps.<id>.<key>}` references and the
 * region a step acts in. The config schema uses the same blocks, so messages read the same everywhere.
 *
 * Written with zod's mini build (functional checks, `z.optional(x)`), like every step action's schema:
 * the orchestrator and the drill validate step params at run time, and mini keeps classic zod (~80 KB
 * of JS that V8 compiles at every cold start) out of their bundles. The classic config schema composes
 * these blocks with the functional forms (`z.optional(region)`), which take any zod schema.
 */
import * as z from '../app/event-schema';

const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export const region = z.string().check(z.regex(AWS_REGION, { error: (issue) => `${JSON.stringify(issue.input)} is not an AWS region` }));

export const nonEmpty = z.string({ error: 'must be a string' }).check(z.minLength(1, 'must not be empty'));

export const positiveInt = (max: number) =>
  z
    .number({ error: 'must be a number' })
    .check(z.int('must be a whole number'), z.gte(1, `must be between 1 and ${max}`), z.lte(max, `must be between 1 and ${max}`));

/**
 * `${steps.<id>.<key>}`: an output of an earlier step of the same run; `${failover.<id>.<key>}` (in a
 * failback run): an output of the failover run it undoes. Resolved by the engine before the step runs.
 */
const STEP_REF_SOURCE = '\\$\\{(?:steps|failover)\\.[A-Za-z0-9_-]+\\.[A-Za-z]+\\}';

/** An identifier matching `pattern`, or a step reference standing for one. */
export const stepRefOr = (pattern: RegExp, example: string) =>
  z.string().check(z.regex(new RegExp(`^(${pattern.source}|${STEP_REF_SOURCE})$`), `must look like ${example}`));

/** An EC2 instance id or a step reference (e.g. `${steps.launch.instanceId}`). */
export const instanceId = z
  .string()
  .check(
    z.regex(
      new RegExp(`^(i-[0-9a-f]{8,17}|${STEP_REF_SOURCE})$`),
      'must be an instance id like i-0abc1234def567890 or ${steps.<id>.instanceId}',
    ),
  );

/** A list of instance ids (or references), as `switchback.yml` gives it. */
export const instanceIdList = z.array(instanceId).check(z.minLength(1));

/**
 * The same list once references are resolved: a reference to a list output (`${steps.launch.instanceIds}`)
 * is a list inside the list, and a hook may answer a comma-joined string; both are flattened.
 */
export const resolvedInstanceIdList = z.pipe(
  // What classic zod's `z.preprocess` builds (mini has no such helper): a transform piped into the list.
  z.transform((value: unknown) => {
    const list: unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value.flat(Infinity) : [];
    if (!Array.isArray(value) && typeof value !== 'string') return value;
    return list.flatMap((item) => (typeof item === 'string' ? item.split(',').map((id) => id.trim()) : [item]));
  }),
  instanceIdList,
);

/** The site a step acts for; the plan fills it in (`place`), never the config. */
export const siteRole = z.enum(['primary', 'secondary']);

/** `in <region>` for plan lines of steps that carry a region. */
export function inRegion(value: string | undefined): string {
  return value ? ` in ${value}` : '';
}

/** The region a step acts in: its own `region` (set by `place` when the plan was made), else the secondary's. */
export function stepRegion(params: { region?: string }, ctx: { service: { secondary: { region: string } } }): string {
  return params.region ?? ctx.service.secondary.region;
}

/** EC2 steps act in their own `region`, else their site's. */
export function inSiteRegion<P extends { region?: string }>(params: P, placement: { region: string }): P {
  return params.region === undefined ? { ...params, region: placement.region } : params;
}
