/**
 * The `switchback.yml` schema. Field names are a public contract (see README "Configuration").
 * Every object is strict: an unknown key is an error, so a typo never passes silently.
 */
import { isIP } from 'node:net';
import * as z from 'zod';
import { CONFIGURABLE_ACTIONS } from '../actions';
import type { ParamsSchema } from '../actions/define-action';
import { lambdaHookSchema } from '../actions/lambda-invoke';
// The step params' building blocks are zod mini schemas (no methods): composed here with the
// functional forms (`z.optional(region)`, `nonEmpty.check(z.refine(…))`), so each message has one definition.
import { nonEmpty, positiveInt, region } from '../actions/params';
import { DNS_STRATEGIES, DNS_TYPES, FAILBACK_MODES, FAILBACK_QUORUMS, ON_FAILURE, TRIGGER_POLICIES } from './enums';
import { E164_PHONE_NUMBER } from '../phone';

const HOSTNAME = /^(?=.{1,253}\.?$)([a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/i;

export { DNS_STRATEGIES, DNS_TYPES, FAILBACK_MODES, FAILBACK_QUORUMS, ON_FAILURE, TRIGGER_POLICIES };

// ---------------------------------------------------------------------------------------------
// Policy blocks (defaults, overridable per service)

const probeTimingFields = {
  intervalSeconds: positiveInt(60),
  timeoutMs: z.number().int('must be a whole number').min(100, 'must be between 100 and 60000').max(60000, 'must be between 100 and 60000'),
  failureThreshold: positiveInt(100),
  recoveryThreshold: positiveInt(1000),
};
const failbackFields = {
  mode: z.enum(FAILBACK_MODES),
  holdDownSeconds: z.number().int().min(0, 'must be between 0 and 604800').max(604800, 'must be between 0 and 604800'),
};
const guardFields = {
  cooldownSeconds: z.number().int().min(0, 'must be between 0 and 604800').max(604800, 'must be between 0 and 604800'),
  maxFailoversPer24h: positiveInt(100),
  /**
   * Refuse an automatic failover whose database steps would lose more than this many seconds of
   * writes (the replication lag at the switch); a manual failover is still allowed. Default: no limit.
   */
  maxDataAgeSeconds: z.optional(positiveInt(86400)),
};
const detectFields = {
  /** How many probe locations must agree; default: a majority of `probeLocations`. */
  quorum: z.optional(positiveInt(20)),
  /** Alarm events older than this are not acted on (late or replayed deliveries). */
  maxAlarmAgeSeconds: positiveInt(86400),
  /** `any`: one location seeing the primary fail holds the failback (texted once if it outlasts the hold-down); `majority`: a quorum must. */
  failbackQuorum: z.enum(FAILBACK_QUORUMS),
};

const defaultsSchema = z.strictObject({
  probe: z.strictObject(probeTimingFields).partial().default({}),
  trigger: z.enum(TRIGGER_POLICIES).default('probe'),
  failback: z.strictObject(failbackFields).partial().default({}),
  guard: z.strictObject(guardFields).partial().default({}),
  detect: z.strictObject(detectFields).partial().default({}),
  /** A run (failover or failback) that has not ended this long after it started fails, and people are texted. */
  runTimeoutSeconds: z.optional(positiveInt(86400)),
});

export const DEFAULT_POLICY = {
  probe: { intervalSeconds: 10, timeoutMs: 2000, failureThreshold: 3, recoveryThreshold: 5 },
  trigger: 'probe',
  failback: { mode: 'auto', holdDownSeconds: 900 },
  guard: { cooldownSeconds: 1800, maxFailoversPer24h: 3 },
  detect: { maxAlarmAgeSeconds: 600, failbackQuorum: 'any' },
  runTimeoutSeconds: 1800,
} as const;

// ---------------------------------------------------------------------------------------------
// Probes

const expectStatus = z
  .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
  .transform((value) => (Array.isArray(value) ? value : [value]));

const httpProbeSchema = z.strictObject({
  type: z.enum(['http', 'https']),
  url: z.string().url('must be a URL like http://203.0.113.10/health'),
  expectStatus: expectStatus.default([200]),
  bodyContains: z.string().min(1).optional(),
  hostHeader: z.string().regex(HOSTNAME, 'must be a hostname').optional(),
  sni: z.string().regex(HOSTNAME, 'must be a hostname').optional(),
  followRedirects: z.boolean().default(false),
  tlsInsecure: z.boolean().default(false),
  caPem: z.string().optional(),
  timeoutMs: probeTimingFields.timeoutMs.optional(),
});

const tcpProbeSchema = z.strictObject({
  type: z.literal('tcp'),
  host: nonEmpty,
  port: z.number().int().min(1, 'must be between 1 and 65535').max(65535, 'must be between 1 and 65535'),
  timeoutMs: probeTimingFields.timeoutMs.optional(),
});

const probeSpecSchema = z.discriminatedUnion('type', [httpProbeSchema, tcpProbeSchema], {
  error: 'must have type http, https or tcp',
});

// ---------------------------------------------------------------------------------------------
// Runbook steps: `- ec2.start: { instanceIds: [...] }` plus optional id / timeoutSeconds / onFailure / retry.

// Each action's params schema comes from its module in the registry (shared/actions).
const CONFIGURABLE_NAMES: readonly string[] = CONFIGURABLE_ACTIONS.map((action) => action.name);
const actionShape: Record<string, z.ZodOptional<ParamsSchema>> = Object.fromEntries(
  CONFIGURABLE_ACTIONS.map((action) => [action.name, z.optional(action.configSchema)]),
);

/** The actions a step names, with their params (exactly one in a valid step). */
function namedActions(step: object): Array<{ action: (typeof CONFIGURABLE_ACTIONS)[number]; params: Record<string, unknown> }> {
  return CONFIGURABLE_ACTIONS.flatMap((action) => {
    const params: unknown = Object.entries(step).find(([key]) => key === action.name)?.[1];
    return typeof params === 'object' && params !== null ? [{ action, params: { ...params } }] : [];
  });
}

const retrySchema = z.strictObject({
  maxAttempts: z.optional(positiveInt(50)),
  baseDelayMs: z.number().int().min(1).max(60000).optional(),
  maxDelayMs: z.number().int().min(1).max(300000).optional(),
});

const STEP_ID = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be letters, digits, _ or - (at most 40)');

const stepMetaFields = {
  id: STEP_ID.optional(),
  timeoutSeconds: z.optional(positiveInt(3600)),
  // Optional here (default abort, applied below) so a parallel group can refuse one of its own.
  onFailure: z.enum(ON_FAILURE).optional(),
  retry: retrySchema.optional(),
};

const actionStepObject = z.strictObject({ ...stepMetaFields, ...actionShape });
type ActionStepInput = z.output<typeof actionStepObject>;

function requireOneAction(step: ActionStepInput, ctx: z.RefinementCtx): void {
  const actions = namedActions(step).map(({ action }) => action.name);
  if (actions.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        actions.length === 0
          ? `must name exactly one action: ${CONFIGURABLE_NAMES.join(', ')}, or be a parallel group`
          : `names ${actions.length} actions (${actions.join(', ')}); use one list entry per step`,
    });
  }
}

function toStepConfig(step: ActionStepInput) {
  // requireOneAction has checked that there is exactly one.
  const [{ action, params }] = namedActions(step);
  return {
    action: action.name,
    params,
    id: step.id,
    timeoutSeconds: step.timeoutSeconds,
    onFailure: step.onFailure ?? 'abort',
    retry: step.retry,
  };
}

const stepSchema = actionStepObject.superRefine(requireOneAction).transform(toStepConfig);

/**
 * A list entry: one action step, or a parallel group `{ id?, parallel: [steps…] }` whose branches run
 * at once (each its own journalled step; the group fails when a branch with `onFailure: abort` fails).
 * Branches are action steps (no group inside a group); timeouts, retries and `onFailure` are set per branch.
 */
const stepEntrySchema = actionStepObject
  .extend({ parallel: z.array(stepSchema).min(2, 'must list at least 2 steps (one step needs no group)').optional() })
  .superRefine((entry, ctx) => {
    if (entry.parallel === undefined) return requireOneAction(entry, ctx);
    const named = namedActions(entry).map(({ action }) => action.name);
    if (named.length > 0)
      ctx.addIssue({ code: 'custom', message: `a parallel group names no action itself (${named.join(', ')}): make it a branch` });
    for (const key of ['timeoutSeconds', 'onFailure', 'retry'] as const) {
      if (entry[key] !== undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: 'is set per branch of a parallel group, not on the group' });
    }
  })
  .transform((entry) => (entry.parallel === undefined ? toStepConfig(entry) : { group: entry.id, branches: entry.parallel }));

type StepEntry = z.output<typeof stepEntrySchema>;

/**
 * A list as the rest of the code sees it: flat, in order. A parallel group's branches are ordinary
 * steps that carry the group's label (`parallel`: its id, else `parallel#<n>`), so everything that
 * iterates steps (plan, IAM, drill, world seeding) sees every branch. `path` is where the step is in
 * the list as written (`[2]`, or `[1, 'parallel', 0]` for a branch), for messages.
 */
function flattenSteps(entries: StepEntry[]): StepConfig[] {
  let groups = 0;
  return entries.flatMap((entry, index): StepConfig[] => {
    if (!('branches' in entry)) return [{ ...entry, path: [index] }];
    groups += 1;
    const label = entry.group ?? `parallel#${groups}`;
    return entry.branches.map((branch, b) => ({ ...branch, parallel: label, path: [index, 'parallel', b] }));
  });
}

const stepListSchema = z.array(stepEntrySchema).default([]).transform(flattenSteps);

export type StepConfig = z.output<typeof stepSchema> & {
  /** The label of the parallel group the step is a branch of (absent for a step of its own). */
  parallel?: string;
  /** Where the step is in its list as written (for messages); absent on steps built in code. */
  path?: Array<string | number>;
};

// ---------------------------------------------------------------------------------------------
// Sites and services

const aliasTargetSchema = z.strictObject({
  alias: z.strictObject({
    dnsName: z.string().regex(HOSTNAME, 'must be a hostname'),
    hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, 'must be a hosted zone id like Z0123456789ABC'),
    evaluateTargetHealth: z.boolean().default(false),
  }),
});
const targetSchema = z.union([z.array(nonEmpty).min(1, 'must list at least one address'), nonEmpty, aliasTargetSchema], {
  error: 'must be a list of IP addresses, a hostname, or { alias: { dnsName, hostedZoneId } }',
});
export type SiteTarget = z.output<typeof targetSchema>;

/** `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`: an alarm in any region or account. */
export const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):alarm:(.+)$/;
const alarmSchema = z.union(
  [
    nonEmpty.check(
      z.refine(
        (text) => !text.startsWith('arn:') || ALARM_ARN.test(text),
        'must be an alarm name or an ARN like arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx-high',
      ),
    ),
    z.strictObject({ name: nonEmpty, region: z.optional(region) }),
  ],
  { error: 'must be an alarm name, an alarm ARN, or { name, region }' },
);

const siteSchema = z.strictObject({
  region,
  target: targetSchema,
  probe: probeSpecSchema,
  /** CloudWatch alarms that mean "this site is down": a name (in the site's region), a full ARN, or { name, region }. */
  alarms: z.array(alarmSchema).default([]),
  /** Steps run (in order) before traffic is switched TO this site. */
  prepare: stepListSchema,
  /** Steps run after traffic has left this site (e.g. ec2.stop of the standby after failback). */
  cleanup: stepListSchema,
});

const dnsSchema = z.strictObject({
  hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, 'must be a hosted zone id like Z0123456789ABC'),
  recordName: z.string().regex(HOSTNAME, 'must be a DNS name like app.example.com'),
  type: z.enum(DNS_TYPES),
  ttl: z.number().int().min(1, 'must be between 1 and 86400').max(86400, 'must be between 1 and 86400').default(60),
  setIdentifier: z.string().min(1).max(128).optional(),
  strategy: z.enum(DNS_STRATEGIES).default('record-swap'),
  /** How long to wait for the change to reach INSYNC before telling people DNS_PENDING. */
  inSyncTimeoutSeconds: z._default(positiveInt(3600), 300),
  /** Probe the site traffic moves to right before every DNS switch; a dead target fails the run with DNS unchanged. */
  requireHealthyTarget: z.boolean().default(true),
});

const serviceSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lowercase letters, digits and -, at most 40 characters'),
  dns: dnsSchema,
  primary: siteSchema,
  secondary: siteSchema,
  probe: defaultsSchema.shape.probe.optional(),
  trigger: z.enum(TRIGGER_POLICIES).optional(),
  failback: z
    .strictObject({
      ...failbackFields,
      check: lambdaHookSchema,
      /**
       * The id of the `primary.prepare` step that re-establishes replication after a one-way failover
       * step (e.g. a hook that re-creates the replica): with it, failback stays automatic.
       */
      reestablishReplication: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be the id of a primary.prepare step'),
    })
    .partial()
    .optional(),
  guard: defaultsSchema.shape.guard.optional(),
  detect: defaultsSchema.shape.detect.optional(),
  runTimeoutSeconds: defaultsSchema.shape.runTimeoutSeconds,
});

export const configSchema = z.strictObject({
  controlRegion: region,
  probeLocations: z.array(region).min(1).optional(),
  notify: z.strictObject({
    sms: z
      .array(
        z
          .string()
          .regex(E164_PHONE_NUMBER, { error: (issue) => `${JSON.stringify(issue.input)} is not an E.164 number (like +15551234567)` }),
      )
      .default([]),
    topicArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN')
      .optional(),
  }),
  defaults: defaultsSchema.default({ probe: {}, trigger: 'probe', failback: {}, guard: {}, detect: {} }),
  services: z.array(serviceSchema).min(1, 'must list at least one service'),
});

export type RawConfig = z.output<typeof configSchema>;
export type RawService = RawConfig['services'][number];
export type RawSite = RawService['primary'];

/**
 * Cross-field checks that a schema cannot express field by field; returns `path: message` problems.
 * `parseConfig` also runs them on a document the schema refused, so that
 * `validate` lists every problem at once: a part too broken to check (a missing list, a wrong
 * type) is skipped here, because the schema has already named it.
 */
export function crossCheck(config: RawConfig): Array<{ path: Array<string | number>; message: string }> {
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  const checkPart = (check: () => void) => {
    try {
      check();
    } catch {
      // Only reachable on a document the schema refused: its problem is already listed.
    }
  };
  checkPart(() => {
    if (config.notify.sms.length === 0 && !config.notify.topicArn) {
      problems.push({ path: ['notify'], message: 'give at least one of sms or topicArn: nobody would be told about a failover' });
    }
  });
  const locations = config.probeLocations ?? [config.controlRegion];
  const seen = new Map<string, number>();
  // One broken service (on a document the schema refused) does not hide the others' problems.
  checkPart(() =>
    config.services.forEach((service, index) => checkPart(() => crossCheckService(config, service, index, locations, seen, problems))),
  );
  checkPart(() => {
    if (config.probeLocations && new Set(config.probeLocations).size !== config.probeLocations.length) {
      problems.push({ path: ['probeLocations'], message: 'lists a region twice' });
    }
    if (config.probeLocations && !config.probeLocations.includes(config.controlRegion)) {
      problems.push({ path: ['probeLocations'], message: `must include controlRegion ${config.controlRegion}` });
    }
  });
  return problems;
}

function crossCheckService(
  config: RawConfig,
  service: RawService,
  index: number,
  locations: string[],
  seen: Map<string, number>,
  problems: Array<{ path: Array<string | number>; message: string }>,
): void {
  const at = (...rest: Array<string | number>) => ['services', index, ...rest];
  if (seen.has(service.name)) {
    problems.push({ path: at('name'), message: `"${service.name}" is already used by services[${seen.get(service.name)}]` });
  }
  seen.set(service.name, index);
  if (service.primary.region === config.controlRegion) {
    problems.push({ path: at('primary', 'region'), message: `must differ from controlRegion ${config.controlRegion}` });
  }
  for (const side of ['primary', 'secondary'] as const) {
    const target = service[side].target;
    const where = at(side, 'target');
    if (service.dns.type === 'A' || service.dns.type === 'AAAA') {
      const family = service.dns.type === 'A' ? 4 : 6;
      if (!Array.isArray(target)) {
        problems.push({ path: where, message: `must be a list of IPv${family} addresses for dns.type ${service.dns.type}` });
      } else {
        target.forEach((address, i) => {
          if (isIP(address) !== family) problems.push({ path: [...where, i], message: `"${address}" is not an IPv${family} address` });
        });
      }
    } else if (service.dns.type === 'CNAME') {
      if (typeof target !== 'string' || !HOSTNAME.test(target)) {
        problems.push({ path: where, message: 'must be a hostname for dns.type CNAME' });
      }
    } else if (typeof target !== 'object' || Array.isArray(target)) {
      problems.push({ path: where, message: 'must be { alias: { dnsName, hostedZoneId } } for dns.type alias' });
    }
    const stepIds = new Set<string>();
    for (const list of ['prepare', 'cleanup'] as const) {
      // `?? []`: a document the schema refused may lack the list (see crossCheck).
      const groups = new Set<string>();
      (service[side][list] ?? []).forEach((step, i) => {
        const where = step.path ?? [i];
        if (step.id && stepIds.has(step.id))
          problems.push({ path: at(side, list, ...where, 'id'), message: `"${step.id}" is used by another step` });
        if (step.id) stepIds.add(step.id);
        // A named group's id shares the steps' namespace (it labels the group in the plan and the timeline).
        if (step.parallel !== undefined && !step.parallel.includes('#') && !groups.has(step.parallel)) {
          groups.add(step.parallel);
          if (stepIds.has(step.parallel))
            problems.push({ path: at(side, list, where[0], 'id'), message: `"${step.parallel}" is used by another step` });
          stepIds.add(step.parallel);
        }
      });
    }
  }
  checkStepReferences(service, at, problems);
  const reestablish = service.failback?.reestablishReplication;
  if (reestablish !== undefined && !(service.primary.prepare ?? []).some((step) => step.id === reestablish)) {
    problems.push({
      path: at('failback', 'reestablishReplication'),
      message: `"${reestablish}" is not the id of a primary.prepare step (the failback step that re-establishes replication)`,
    });
  }
  const probe = { ...config.defaults.probe, ...service.probe };
  const intervalSeconds = probe.intervalSeconds ?? DEFAULT_POLICY.probe.intervalSeconds;
  const timeoutMs = probe.timeoutMs ?? DEFAULT_POLICY.probe.timeoutMs;
  if (timeoutMs >= intervalSeconds * 1000) {
    problems.push({ path: at('probe', 'timeoutMs'), message: `must be less than intervalSeconds × 1000 (${intervalSeconds * 1000})` });
  }
  const quorum = service.detect?.quorum ?? config.defaults.detect.quorum;
  if (quorum !== undefined && quorum > locations.length) {
    problems.push({ path: at('detect', 'quorum'), message: `must be at most the number of probe locations (${locations.length})` });
  }
}

/**
 * The lists of each run, in the order the plan runs them (see shared/domain/plan.ts): a reference can
 * only name an earlier step of the same run, or (`${failover.…}`, failback only) a step of the
 * failover's `secondary.prepare`. Anything else could never resolve at run time.
 */
const RUN_LISTS = {
  failover: [
    ['secondary', 'prepare'],
    ['primary', 'cleanup'],
  ],
  failback: [
    ['primary', 'prepare'],
    ['secondary', 'cleanup'],
  ],
} as const;

const STEP_REFERENCE = /\$\{(steps|failover)\.([A-Za-z0-9_-]+)\.([A-Za-z]+)\}/g;

function checkStepReferences(
  service: RawService,
  at: (...path: Array<string | number>) => Array<string | number>,
  problems: Array<{ path: Array<string | number>; message: string }>,
): void {
  const failoverIds = new Set((service.secondary?.prepare ?? []).flatMap((step) => (step.id ? [step.id] : [])));
  for (const [kind, lists] of Object.entries(RUN_LISTS)) {
    const earlier = new Set<string>();
    for (const [side, list] of lists) {
      // Branches of one parallel group run at once: a branch sees the steps before the group, not its siblings.
      let group: { label: string; ids: string[] } | undefined;
      (service[side]?.[list] ?? []).forEach((step, i) => {
        if (group && group.label !== step.parallel) {
          for (const id of group.ids) earlier.add(id);
          group = undefined;
        }
        for (const [ref, source, id, key] of JSON.stringify(step.params).matchAll(STEP_REFERENCE)) {
          const message =
            group?.ids.includes(id) === true
              ? `refers to step "${id}" of the same parallel group, which runs at the same time: move it before the group`
              : referenceProblem(kind as keyof typeof RUN_LISTS, source, id, key, earlier, failoverIds, `${side}.${list}`);
          if (message) problems.push({ path: at(side, list, ...(step.path ?? [i]), step.action), message: `${ref}: ${message}` });
        }
        if (step.parallel !== undefined) {
          group ??= { label: step.parallel, ids: [] };
          if (step.id) group.ids.push(step.id);
        } else if (step.id) earlier.add(step.id);
      });
      for (const id of group?.ids ?? []) earlier.add(id);
    }
  }
}

function referenceProblem(
  kind: keyof typeof RUN_LISTS,
  source: string,
  id: string,
  key: string,
  earlier: Set<string>,
  failoverIds: Set<string>,
  where: string,
): string | undefined {
  if (source === 'failover') {
    if (kind === 'failover') return `${where} runs in the failover itself; \${failover.…} is for the failback that undoes it`;
    if (!failoverIds.has(id)) return `refers to step "${id}", which is not a step of secondary.prepare with that id`;
    return undefined;
  }
  if (earlier.has(id)) return undefined;
  if (kind === 'failback' && failoverIds.has(id))
    return `refers to step "${id}" of the failover run, which never runs in the failback: use \${failover.${id}.${key}}`;
  return `refers to step "${id}", which is not an earlier step of the ${kind} run with that id`;
}
