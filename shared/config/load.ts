/**
 * Parse, validate and resolve `switchback.yml`. Every problem is reported as `path: message`
 * (e.g. `services[0].dns.ttl: must be between 1 and 86400`), all at once.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import * as z from 'zod';
import { ConfigError } from '../errors';
import { ALARM_ARN, configSchema, crossCheck, DEFAULT_POLICY, type RawConfig, type RawService, type RawSite } from './schema';
import type { AlarmRef, ServiceConfig, SiteConfig, StepConfig, SwitchbackConfig } from './types';
import { findAction } from '../actions';

/** `services[0].primary.region` from `['services', 0, 'primary', 'region']`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out || '(root)';
}

function formatIssue(issue: z.core.$ZodIssue, known: (path: PropertyKey[]) => string[]): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const suggestion = closest(key, known(issue.path));
      return `${formatPath([...issue.path, key])}: unknown key${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
    });
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0 && issue.message === 'Invalid input') {
    // Report the branch that got furthest rather than zod's generic "Invalid input".
    const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0];
    return best.flatMap((inner) => formatIssue({ ...inner, path: [...issue.path, ...inner.path] }, known));
  }
  const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
  return [`${formatPath(issue.path)}: ${message}`];
}

function depth(errors: z.core.$ZodIssue[]): number {
  return Math.max(0, ...errors.map((e) => e.path.length));
}

/** Suggest the nearest allowed key for a typo (edit distance ≤ 2). */
function closest(key: string, candidates: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** Validate an already-parsed document (an object from YAML or JSON). Throws ConfigError listing every problem. */
export function parseConfig(input: unknown, file?: string): SwitchbackConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => formatIssue(issue, (path) => knownKeys(path)));
    // List the cross-field problems too (every problem at once), except where the schema already
    // found one on the same path or around it.
    const refused = result.error.issues.map((issue) => formatPath(issue.path));
    const overlaps = (path: string) =>
      refused.some(
        (other) =>
          other === path ||
          path.startsWith(`${other}.`) ||
          path.startsWith(`${other}[`) ||
          other.startsWith(`${path}.`) ||
          other.startsWith(`${path}[`),
      );
    const crossProblems =
      input !== null && typeof input === 'object' && !Array.isArray(input)
        ? crossCheck(input as RawConfig)
            .map((problem) => ({ path: formatPath(problem.path), message: problem.message }))
            .filter((problem) => !overlaps(problem.path))
            .map((problem) => `${problem.path}: ${problem.message}`)
        : [];
    throw new ConfigError([...new Set([...problems, ...crossProblems])], { file });
  }
  const problems = crossCheck(result.data).map((p) => `${formatPath(p.path)}: ${p.message}`);
  if (problems.length > 0) throw new ConfigError(problems, { file });
  return resolveConfig(result.data);
}

/** Read and validate a YAML (or JSON) config file. */
export function loadConfigFile(file: string): SwitchbackConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`], { file, cause: error });
  }
  return parseConfigText(text, file);
}

export function parseConfigText(text: string, file?: string): SwitchbackConfig {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      document.errors.map((e) => `line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`),
      { file },
    );
  }
  return parseConfig(document.toJS(), file);
}

function resolveConfig(raw: RawConfig): SwitchbackConfig {
  const probeLocations = raw.probeLocations ?? [raw.controlRegion];
  return {
    controlRegion: raw.controlRegion,
    probeLocations,
    notify: { sms: raw.notify.sms, ...(raw.notify.topicArn ? { topicArn: raw.notify.topicArn } : {}) },
    services: raw.services.map((service) => resolveService(raw, service, probeLocations.length)),
  };
}

function resolveService(raw: RawConfig, service: RawService, locationCount: number): ServiceConfig {
  const defaults = raw.defaults;
  const probe = { ...DEFAULT_POLICY.probe, ...defaults.probe, ...service.probe };
  const failback = { ...DEFAULT_POLICY.failback, ...defaults.failback, ...service.failback };
  const approvalReason = failback.reestablishReplication === undefined ? oneWayReason(service.secondary.prepare) : undefined;
  const guard = { ...DEFAULT_POLICY.guard, ...defaults.guard, ...service.guard };
  const detect = { ...DEFAULT_POLICY.detect, ...defaults.detect, ...service.detect };
  return {
    name: service.name,
    dns: service.dns,
    runTimeoutSeconds: service.runTimeoutSeconds ?? defaults.runTimeoutSeconds ?? DEFAULT_POLICY.runTimeoutSeconds,
    primary: resolveSite(service.primary, probe.timeoutMs),
    secondary: resolveSite(service.secondary, probe.timeoutMs),
    policy: {
      probe,
      trigger: service.trigger ?? defaults.trigger,
      failback: { ...failback, ...(approvalReason && { approvalReason }) },
      guard,
      detect: {
        quorum: detect.quorum ?? Math.floor(locationCount / 2) + 1,
        locationCount,
        maxAlarmAgeSeconds: detect.maxAlarmAgeSeconds,
        failbackQuorum: detect.failbackQuorum,
      },
    },
  };
}

/** Why a failback must be approved: the failover runs a one-way step (`one-way: promoted app-replica; nothing re-replicates`). */
function oneWayReason(steps: StepConfig[]): string | undefined {
  const oneWay = steps.filter((step) => findAction(step.action)?.oneWay !== undefined);
  if (oneWay.length === 0) return undefined;
  const names = oneWay.map((step) => {
    const named = Object.values(step.params).find((value) => typeof value === 'string' && !value.includes('${'));
    return `${step.action}${typeof named === 'string' ? ` ${named}` : ''}`;
  });
  return `one-way: ${names.join(', ')}; nothing re-replicates`;
}

function resolveSite(site: RawSite, timeoutMs: number): SiteConfig {
  return {
    ...site,
    probe: { ...site.probe, timeoutMs: site.probe.timeoutMs ?? timeoutMs },
    alarms: site.alarms.map((alarm) => resolveAlarm(alarm, site.region)),
  };
}

/** A name lives in the site's region (and the deployment's account); an ARN names both; `{ name, region }` names the region. */
function resolveAlarm(alarm: RawSite['alarms'][number], siteRegion: string): AlarmRef {
  if (typeof alarm !== 'string') return { name: alarm.name, region: alarm.region ?? siteRegion };
  const arn = ALARM_ARN.exec(alarm);
  return arn ? { region: arn[1], account: arn[2], name: arn[3] } : { name: alarm, region: siteRegion };
}

/**
 * A schema with its wrappers (optional, default, transform, preprocess …) taken off: the alternatives it
 * accepts. Read through zod's core classes and definitions, which the classic config schema and the
 * step actions' mini schemas share (a classic `instanceof z.ZodObject` misses a mini object).
 */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType[] {
  const { core } = z;
  if (schema instanceof core.$ZodOptional || schema instanceof core.$ZodNullable || schema instanceof core.$ZodDefault)
    return unwrap(schema._zod.def.innerType);
  if (schema instanceof core.$ZodPrefault || schema instanceof core.$ZodReadonly || schema instanceof core.$ZodCatch)
    return unwrap(schema._zod.def.innerType);
  if (schema instanceof core.$ZodPipe)
    return schema._zod.def.in instanceof core.$ZodTransform ? unwrap(schema._zod.def.out) : unwrap(schema._zod.def.in);
  if (schema instanceof core.$ZodUnion) return schema._zod.def.options.flatMap(unwrap);
  return [schema];
}

/**
 * Allowed keys at a path of the raw document, for "did you mean" suggestions, read from the schema
 * itself (so every field, including each step action's params from the registry, gets hints).
 */
export function knownKeys(path: ReadonlyArray<PropertyKey>, schema: z.core.$ZodType = configSchema): string[] {
  const { core } = z;
  let here = unwrap(schema);
  for (const key of path) {
    here = here.flatMap((node) => {
      if (node instanceof core.$ZodArray && typeof key === 'number') return unwrap(node._zod.def.element);
      if (node instanceof core.$ZodRecord && typeof key === 'string') return unwrap(node._zod.def.valueType);
      if (node instanceof core.$ZodObject && typeof key === 'string' && key in node._zod.def.shape) return unwrap(node._zod.def.shape[key]);
      return [];
    });
  }
  const keys = here.flatMap((node) => (node instanceof core.$ZodObject ? Object.keys(node._zod.def.shape) : []));
  return [...new Set(keys)];
}
