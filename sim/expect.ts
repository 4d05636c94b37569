/**
 * `expect:` in scenario files: what must happen, checked by `switchback simulate` after the run. A
 * team keeps scenarios next to its switchback.yml and runs them in CI; a mismatch exits 1 and prints
 * one line per difference (`services.web.finalState: expected PRIMARY, got SECONDARY`).
 *
 * Every field is optional; only what is written is checked. Counts are exact unless the name says
 * `max`/`min`. Public contract: fields are added, never renamed or removed.
 */
import { z } from 'zod';
import type { SimulationResult } from './runner';

const count = z.number().int().min(0);
const seconds = z.number().min(0);

const serviceExpectation = z.strictObject({
  finalState: z.enum(['PRIMARY', 'FAILING_OVER', 'SECONDARY', 'FAILING_BACK', 'FAILOVER_FAILED', 'FAILBACK_FAILED']).optional(),
  frozen: z.boolean().optional(),
  failovers: count.optional(),
  failbacks: count.optional(),
  maxDetectionSeconds: seconds.optional(),
  maxFailoverSeconds: seconds.optional(),
  maxFailbackSeconds: seconds.optional(),
  /** The DNS answer at the end: a list of IPs, a hostname, or an alias target as `simulate --json` shows it. */
  dnsTarget: z.unknown().optional(),
});

export const expectationSchema = z.strictObject({
  services: z.record(z.string(), serviceExpectation).optional(),
  sms: z
    .strictObject({
      count: count.optional(),
      maxCount: count.optional(),
      /** No text is sent twice (the same words to the same people). */
      noDuplicates: z.boolean().optional(),
      /** Each of these phrases appears in some text. */
      contains: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  runs: z
    .strictObject({
      count: count.optional(),
      /** Every run ended with one of these statuses (e.g. [succeeded]). */
      statuses: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  /** AWS operations that must never be called, as `apiCalls` names them (route53.ChangeResourceRecordSets). */
  noApiCalls: z.array(z.string().regex(/^[a-zA-Z0-9]+\.[A-Z][A-Za-z]+$/, 'must look like route53.ChangeResourceRecordSets')).optional(),
  /** Exact call counts of AWS operations. */
  apiCalls: z.record(z.string(), count).optional(),
  /** No simulator or handler error was recorded (summary.errors is empty). */
  noErrors: z.boolean().optional(),
});

export type Expectations = z.output<typeof expectationSchema>;

export interface ExpectationFailure {
  /** Where in `expect:` (e.g. `services.web.finalState`). */
  path: string;
  expected: string;
  actual: string;
}

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value ?? null));

/** Every difference between what the scenario expects and what happened, in the order of `expect:`. */
export function checkExpectations(expectations: Expectations, result: SimulationResult): ExpectationFailure[] {
  const failures: ExpectationFailure[] = [];
  const fail = (path: string, expected: string, actual: unknown) => failures.push({ path, expected, actual: show(actual) });
  const summary = result.summary;

  for (const [name, expected] of Object.entries(expectations.services ?? {})) {
    const actual = summary.services[name];
    if (!actual) {
      fail(`services.${name}`, 'a service of that name', `no such service (${Object.keys(summary.services).join(', ')})`);
      continue;
    }
    const exact = <K extends 'finalState' | 'frozen' | 'failovers' | 'failbacks'>(key: K) => {
      if (expected[key] !== undefined && expected[key] !== actual[key]) fail(`services.${name}.${key}`, show(expected[key]), actual[key]);
    };
    exact('finalState');
    exact('frozen');
    exact('failovers');
    exact('failbacks');
    const atMost = (key: 'maxDetectionSeconds' | 'maxFailoverSeconds' | 'maxFailbackSeconds', measured: number | undefined) => {
      const limit = expected[key];
      if (limit === undefined) return;
      if (measured === undefined) fail(`services.${name}.${key}`, `at most ${limit}s`, 'not measured (it did not happen)');
      else if (measured > limit) fail(`services.${name}.${key}`, `at most ${limit}s`, `${measured}s`);
    };
    atMost('maxDetectionSeconds', actual.detectionSeconds);
    atMost('maxFailoverSeconds', actual.failoverSeconds);
    atMost('maxFailbackSeconds', actual.failbackSeconds);
    if (expected.dnsTarget !== undefined && show(expected.dnsTarget) !== show(actual.dnsTarget))
      fail(`services.${name}.dnsTarget`, show(expected.dnsTarget), actual.dnsTarget);
  }

  if (expectations.sms) {
    const texts = summary.sms;
    const { count: exactCount, maxCount, noDuplicates, contains } = expectations.sms;
    if (exactCount !== undefined && texts.length !== exactCount) fail('sms.count', String(exactCount), texts.length);
    if (maxCount !== undefined && texts.length > maxCount) fail('sms.maxCount', `at most ${maxCount}`, texts.length);
    if (noDuplicates) {
      const seen = new Set<string>();
      for (const sms of texts) {
        if (seen.has(sms.text)) fail('sms.noDuplicates', 'every text once', `sent twice: "${sms.text}"`);
        seen.add(sms.text);
      }
    }
    for (const phrase of contains ?? []) {
      if (!texts.some((sms) => sms.text.includes(phrase))) fail('sms.contains', `a text containing "${phrase}"`, 'none');
    }
  }

  if (expectations.runs) {
    const runs = summary.runs;
    if (expectations.runs.count !== undefined && runs.length !== expectations.runs.count)
      fail('runs.count', String(expectations.runs.count), runs.length);
    const allowed = expectations.runs.statuses;
    if (allowed) {
      for (const run of runs) {
        if (!allowed.includes(run.status))
          fail('runs.statuses', `one of ${allowed.join(', ')}`, `${run.service} ${run.kind}: ${run.status}`);
      }
    }
  }

  for (const api of expectations.noApiCalls ?? []) {
    const calls = summary.apiCalls[api] ?? 0;
    if (calls > 0) fail('noApiCalls', `no ${api}`, `${calls} call${calls === 1 ? '' : 's'}`);
  }
  for (const [api, expected] of Object.entries(expectations.apiCalls ?? {})) {
    const calls = summary.apiCalls[api] ?? 0;
    if (calls !== expected) fail(`apiCalls.${api}`, String(expected), calls);
  }
  if (expectations.noErrors && summary.errors.length > 0) fail('noErrors', 'no errors', summary.errors.join('; '));
  return failures;
}

/** The human diff `simulate` prints on a mismatch. */
export function formatExpectationFailures(failures: ExpectationFailure[]): string {
  return [
    `expectations: ${failures.length} not met`,
    ...failures.map((failure) => `  ${failure.path}: expected ${failure.expected}, got ${failure.actual}`),
  ].join('\n');
}
