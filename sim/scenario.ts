/**
 * Scenario files for `switchback simulate` (a public contract: see README "Simulate"). A scenario is
 * a config, a duration, timed events (sites going down, alarms, partitions, operator invocations)
 * and injected faults. Invalid scenarios are refused with every problem as `path: message`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { alarmForwarders } from '../shared/config/alarm-routing';
import { formatPath, parseConfig } from '../shared/config/load';
import type { SwitchbackConfig } from '../shared/config/types';
import { ConfigError } from '../shared/errors';
import { expectationSchema } from './expect';

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const DURATION = /^(\d+(?:\.\d+)?(ms|s|m|h))+$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `90s`, `5m`, `2h`, `1.5m`, `7m5s` or a number of seconds → milliseconds. */
export function parseDurationMs(value: string | number): number {
  if (typeof value === 'number') return value * 1000;
  const text = value.trim();
  if (!DURATION.test(text)) throw new Error(`"${value}" is not a duration like 90s, 5m, 2h or 7m30s`);
  let totalMs = 0;
  for (const part of text.matchAll(DURATION_PART)) totalMs += Number(part[1]) * UNIT_MS[part[2] as keyof typeof UNIT_MS];
  return totalMs;
}

const duration = z.union([z.string(), z.number().min(0)]).transform((value, ctx) => {
  try {
    return parseDurationMs(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const siteRef = z.string().regex(/^[a-z0-9][a-z0-9-]*\/(primary|secondary)$/, 'must look like <service>/primary or <service>/secondary');

const eventBase = { at: duration, repeat: z.number().int().min(1).max(1000).optional() };

const siteEvent = z.strictObject({
  ...eventBase,
  site: siteRef,
  health: z.enum(['up', 'down', 'slow', 'flap', 'status', 'hang']),
  latencyMs: z.number().int().min(1).max(60_000).optional(),
  periodSeconds: z.number().min(1).max(3600).optional(),
  status: z.number().int().min(100).max(599).optional(),
});
const alarmEvent = z.strictObject({
  ...eventBase,
  alarm: z.strictObject({
    name: z.string().min(1),
    state: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
    delivery: z.enum(['eventbridge', 'sns']).default('eventbridge'),
    /** The event's state-change stamp relative to the scenario clock (a skewed or broken clock: 7200 = two hours ahead). */
    timestampOffsetSeconds: z.number().min(-86_400).max(86_400).optional(),
    /** Where the alarm lives (default: the configured alarm's region and account): a same-named alarm elsewhere. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region')
      .optional(),
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit account id')
      .optional(),
  }),
});
const rawAlarmEvent = z.strictObject({ ...eventBase, alarmEvent: z.unknown() });
/** A probe location cut off from everything, or only from the named sites (`sites`: a broken route from there). */
const locationEvent = z.strictObject({
  ...eventBase,
  location: z.string().min(1),
  reachable: z.boolean(),
  sites: z.array(siteRef).min(1).optional(),
});
/**
 * A regional outage: every AWS endpoint of `region` stops answering (the table there, SNS, CloudWatch,
 * Lambda) and its functions stop running, until an event with `dark: false`. E.g. the control region.
 */
const regionEvent = z.strictObject({
  ...eventBase,
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region'),
  dark: z.boolean(),
});
const invokeEvent = z.strictObject({
  ...eventBase,
  invoke: z.strictObject({
    function: z.enum(['probe', 'alarm', 'orchestrator', 'status', 'control', 'drill']),
    payload: z.unknown().optional(),
  }),
});

/** RDS in a region goes down or comes back (`available`), and/or a cluster's replication lag changes. */
const rdsEvent = z.strictObject({
  ...eventBase,
  rds: z
    .strictObject({
      region: z
        .string()
        .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region')
        .optional(),
      available: z.boolean().optional(),
      /** A DB cluster ARN (a member of a global database the config names). */
      cluster: z.string().startsWith('arn:', 'must be a DB cluster ARN').optional(),
      replicationLagSeconds: z.number().min(0).max(86_400).optional(),
    })
    .refine((rds) => (rds.region !== undefined) === (rds.available !== undefined), 'region and available go together')
    .refine(
      (rds) => (rds.cluster !== undefined) === (rds.replicationLagSeconds !== undefined),
      'cluster and replicationLagSeconds go together',
    )
    .refine(
      (rds) => rds.region !== undefined || rds.cluster !== undefined,
      'give { region, available } and/or { cluster, replicationLagSeconds }',
    ),
});

/**
 * An injected AWS fault. `dynamodb.<Operation>` faults hit the controller's own table (dynalite, one
 * attempt per call where Lambda's client makes three: `times: 1` here is a failure the SDK's retries
 * did not absorb); the others hit the world's models.
 */
const apiFault = z.strictObject({
  api: z
    .string()
    .regex(
      /^(route53|ec2|sns|cloudWatch|lambda|eventBridge|rds|autoScaling|ecs|sqs|dynamodb)\.[A-Z][A-Za-z]+$/,
      'must look like route53.ChangeResourceRecordSets',
    ),
  error: z.string().min(1).optional(),
  times: z.union([z.number().int().min(1), z.literal('always')]).default(1),
  after: z.number().int().min(0).default(0),
  latencyMs: z.number().int().min(0).optional(),
  stuck: z.boolean().optional(),
  /** `sqs.SendMessage`: the message is accepted and never delivered (a lost probe-chain link). */
  lost: z.boolean().optional(),
  /** `sqs.SendMessage`: the message is delivered twice (SQS standard queues deliver at least once). */
  duplicate: z.boolean().optional(),
});
/** A fault that starts at a moment of the scenario (the `faults:` list starts with it). */
const faultEvent = z.strictObject({ ...eventBase, fault: apiFault });

const eventSchema = z.union([siteEvent, alarmEvent, rawAlarmEvent, locationEvent, regionEvent, invokeEvent, rdsEvent, faultEvent], {
  error:
    'must be one of { site, health }, { alarm: { name, state } }, { alarmEvent }, { location, reachable }, { region, dark }, { invoke: { function, payload } }, { rds: { region, available } } or { fault: { api, error, times } }',
});
/**
 * The orchestrator dies: right after a step is journalled as started (`step`: a step id or action),
 * or right after one of its AWS calls succeeded (`afterApi`: `ec2.RunInstances` …), before it could
 * journal what the call did. Exactly one of the two.
 */
const crashFault = z.strictObject({
  crash: z
    .strictObject({
      step: z.string().min(1).optional(),
      afterApi: z
        .string()
        .regex(/^(route53|ec2|sns|cloudWatch|lambda|rds|autoScaling|ecs)\.[A-Z][A-Za-z]+$/, 'must look like ec2.RunInstances')
        .optional(),
      times: z.number().int().min(1).default(1),
    })
    .refine((crash) => (crash.step === undefined) !== (crash.afterApi === undefined), 'give exactly one of step or afterApi'),
});

export const scenarioSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  config: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  clock: z.enum(['virtual', 'real']).default('virtual'),
  /** Seeds retry jitter and, on the virtual clock, the order of tasks due at the same instant (default 42). */
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  duration,
  probeLocations: z.array(z.string()).min(1).optional(),
  /**
   * World timings: how long Route 53 changes take to reach INSYNC (AWS: "generally within 60
   * seconds"), how often Route 53 health checkers re-read an alarm, and how long EC2 instances take
   * to change state.
   */
  world: z
    .strictObject({
      route53ChangeSeconds: z.number().min(0).default(60),
      route53HealthCheckerSeconds: z.number().min(1).default(30),
      ec2TransitionSeconds: z.number().min(0).default(15),
      /** SNS MonthlySpendLimit (USD) and what was already spent this month when the scenario starts. */
      smsMonthlySpendLimitUsd: z.number().min(0).optional(),
      smsSpentUsd: z.number().min(0).optional(),
      /** The account is still in the SNS SMS sandbox (a new account is): only verified numbers get texts. */
      smsSandbox: z.boolean().optional(),
      /**
       * Regions whose alarm forwarder stack was never deployed: alarms there reach no rule and are
       * lost (every region that needs a forwarder has one by default).
       */
      missingAlarmForwarders: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region')).default([]),
      /** Aurora global databases: replication lag of every secondary, and how long a global failover / switchover takes. */
      rdsReplicationLagSeconds: z.number().min(0).max(86_400).optional(),
      rdsFailoverSeconds: z.number().min(1).max(3600).optional(),
      rdsSwitchoverSeconds: z.number().min(1).max(3600).optional(),
      /**
       * One round per SQS message (the probe chain, as deployed) or, `false`, the schedule's minute of
       * rounds in one invocation (the deployment before the chain; kept to compare against).
       */
      probeChain: z.boolean().default(true),
    })
    .default({
      route53ChangeSeconds: 60,
      route53HealthCheckerSeconds: 30,
      ec2TransitionSeconds: 15,
      missingAlarmForwarders: [],
      probeChain: true,
    }),
  /** Lambda timeouts of the simulated functions (seconds), e.g. a short orchestrator to watch it hand a run on. */
  timeouts: z
    .strictObject({ probe: z.number().min(10).max(900).optional(), orchestrator: z.number().min(30).max(900).optional() })
    .default({}),
  events: z.array(eventSchema).default([]),
  faults: z
    .array(z.union([apiFault, crashFault], { error: 'must be { api, error, times } or { crash: { step | afterApi, times } }' }))
    .default([]),
  /** What must happen: `switchback simulate` exits 1 and prints the differences when it does not (see ./expect). */
  expect: expectationSchema.optional(),
});

export type RawScenario = z.output<typeof scenarioSchema>;
export type ScenarioEvent = RawScenario['events'][number];
export type ScenarioFault = RawScenario['faults'][number];
export type ApiFault = z.output<typeof apiFault>;

export interface Scenario extends Omit<RawScenario, 'config'> {
  config: SwitchbackConfig;
  /** Where the config came from, for messages. */
  configSource: string;
}

/** Parse a scenario (already-parsed YAML). `baseDir` resolves a config path. Throws ConfigError listing problems. */
export function parseScenario(input: unknown, baseDir: string, file = 'scenario'): Scenario {
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      [
        ...new Set(
          parsed.error.issues.map(
            (issue) =>
              `${formatPath(issue.path)}: ${issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message}`,
          ),
        ),
      ],
      { file },
    );
  }
  const raw = parsed.data;
  let configDocument: unknown;
  let configSource: string;
  if (typeof raw.config === 'string') {
    configSource = resolve(baseDir, raw.config);
    let text: string;
    try {
      text = readFileSync(configSource, 'utf8');
    } catch (error) {
      throw new ConfigError([`config: cannot read ${raw.config} (${(error as NodeJS.ErrnoException).code ?? error})`], { file });
    }
    configDocument = parseDocument(text).toJS();
  } else {
    configSource = `${file} (inline config)`;
    configDocument = raw.config;
  }
  if (raw.probeLocations && typeof configDocument === 'object' && configDocument !== null) {
    configDocument = { ...configDocument, probeLocations: raw.probeLocations };
  }
  let config: SwitchbackConfig;
  try {
    config = parseConfig(configDocument, configSource);
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ConfigError(
        error.problems.map((problem) => `config.${problem}`),
        { file },
      );
    throw error;
  }
  const problems: string[] = [];
  raw.events.forEach((event, index) => {
    if ('site' in event) {
      const [service] = event.site.split('/');
      if (!config.services.some((candidate) => candidate.name === service))
        problems.push(`events[${index}].site: unknown service "${service}"`);
      if (event.health === 'slow' && event.latencyMs === undefined)
        problems.push(`events[${index}].latencyMs: is required for health slow`);
      if (event.health === 'flap' && event.periodSeconds === undefined)
        problems.push(`events[${index}].periodSeconds: is required for health flap`);
      if (event.health === 'status' && event.status === undefined) problems.push(`events[${index}].status: is required for health status`);
    }
    if ('location' in event && !config.probeLocations.includes(event.location)) {
      problems.push(`events[${index}].location: "${event.location}" is not a probe location (${config.probeLocations.join(', ')})`);
    }
    if (event.at > raw.duration) problems.push(`events[${index}].at: is after the end of the scenario (duration)`);
  });
  const forwarderRegions = alarmForwarders(config).map((forwarder) => forwarder.region);
  raw.world.missingAlarmForwarders.forEach((region, index) => {
    if (!forwarderRegions.includes(region))
      problems.push(
        `world.missingAlarmForwarders[${index}]: ${region} needs no alarm forwarder (regions that do: ${forwarderRegions.join(', ') || 'none'})`,
      );
  });
  for (const service of Object.keys(raw.expect?.services ?? {})) {
    if (!config.services.some((candidate) => candidate.name === service))
      problems.push(`expect.services.${service}: unknown service (${config.services.map((candidate) => candidate.name).join(', ')})`);
  }
  if (problems.length > 0) throw new ConfigError(problems, { file });
  return { ...raw, config, configSource };
}

/** A scenario file as a plain document, before validation. Unreadable file or bad YAML → ConfigError. */
export function readScenarioDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`], { file });
  }
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0)
    throw new ConfigError(
      document.errors.map((e) => `line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`),
      { file },
    );
  return document.toJS();
}

/**
 * Load and validate a scenario file. `options.config` (a path relative to the current directory)
 * replaces the scenario's own config: the same events on another service definition.
 */
export function loadScenarioFile(file: string, options: { config?: string } = {}): Scenario {
  const document = readScenarioDocument(file);
  if (options.config && typeof document === 'object' && document !== null) {
    return parseScenario({ ...document, config: options.config }, process.cwd(), file);
  }
  return parseScenario(document, dirname(resolve(file)), file);
}
