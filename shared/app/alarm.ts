/**
 * The `alarm` function's use case: CloudWatch alarm state changes, from EventBridge (same region)
 * or wrapped in SNS (other regions and accounts), become state-machine inputs. Deliveries are
 * at-least-once, so each (alarm, state, timestamp) acts once; late, unknown and INSUFFICIENT_DATA
 * alarms are logged and counted but change nothing. A malformed event is reported, never thrown:
 * a throw would make Lambda retry an event that can never succeed.
 */
import * as z from './event-schema';
import { isConfiguredAlarm, parseAlarmArn } from '../config/alarm-routing';
import type { ServiceConfig } from '../config/types';
import { alarmTimeProblem } from '../domain/alarm-time';
import { describeError, InputError } from '../errors';
import { decideAndApply } from './apply-decision';
import type { AppDeps } from './deps';
import { loadStoredEvidence } from './evidence';

/** Dedup keys outlive any redelivery window of EventBridge and SNS. */
const DEDUP_TTL_SECONDS = 24 * 3600;

export interface AlarmNotice {
  name: string;
  arn?: string;
  region?: string;
  /** The alarm's account (from its ARN, or the event's `account`). */
  account?: string;
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  atEpochMs: number;
  reason: string;
}

export interface AlarmOutcome {
  ok: boolean;
  /** Per notice: what happened to it and why, in one sentence. */
  results: Array<{
    alarm: string;
    state: string;
    outcome: 'acted' | 'no-change' | 'ignored' | 'duplicate';
    reason: string;
    services: string[];
  }>;
  error?: string;
}

const isoTime = z.string().check(z.refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO 8601 time'));
const stateValue = z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']);

const eventBridgeSchema = z.object({
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  region: z.optional(z.string()),
  account: z.optional(z.string()),
  resources: z.optional(z.array(z.string())),
  detail: z.object({
    alarmName: z.string().check(z.minLength(1)),
    state: z.object({ value: stateValue, reason: z.optional(z.string()), timestamp: isoTime }),
  }),
});

const snsAlarmMessageSchema = z.object({
  AlarmName: z.string().check(z.minLength(1)),
  AlarmArn: z.optional(z.string()),
  NewStateValue: stateValue,
  NewStateReason: z.optional(z.string()),
  StateChangeTime: isoTime,
  Region: z.optional(z.string()),
});

const snsEventSchema = z.object({
  Records: z
    .array(z.object({ EventSource: z.literal('aws:sns'), Sns: z.object({ Message: z.string(), Timestamp: z.optional(isoTime) }) }))
    .check(z.minLength(1)),
});

function describeIssues(error: z.core.$ZodError, prefix = ''): string {
  return error.issues.map((issue) => `${prefix}${issue.path.join('.') || '(event)'}: ${issue.message}`).join('; ');
}

/** EventBridge or SNS-wrapped CloudWatch alarm events → notices. Throws InputError naming the bad field. */
export function parseAlarmEvent(event: unknown): AlarmNotice[] {
  if (typeof event === 'string') {
    try {
      event = JSON.parse(event);
    } catch {
      throw new InputError('alarm event is not JSON');
    }
  }
  if (typeof event !== 'object' || event === null) throw new InputError('alarm event must be an object');
  if ('Records' in event) {
    const parsed = snsEventSchema.safeParse(event);
    if (!parsed.success) throw new InputError(`not an SNS alarm event: ${describeIssues(parsed.error)}`);
    return parsed.data.Records.map((record, index) => {
      let message: unknown;
      try {
        message = JSON.parse(record.Sns.Message);
      } catch {
        throw new InputError(`Records.${index}.Sns.Message: is not JSON (expected a CloudWatch alarm notification)`);
      }
      const alarm = snsAlarmMessageSchema.safeParse(message);
      if (!alarm.success)
        throw new InputError(`not a CloudWatch alarm notification: ${describeIssues(alarm.error, `Records.${index}.Sns.Message.`)}`);
      const identity = alarm.data.AlarmArn ? parseAlarmArn(alarm.data.AlarmArn) : undefined;
      return {
        name: alarm.data.AlarmName,
        arn: alarm.data.AlarmArn,
        region: identity?.region,
        account: identity?.account,
        state: alarm.data.NewStateValue,
        atEpochMs: Date.parse(alarm.data.StateChangeTime),
        reason: alarm.data.NewStateReason ?? '',
      };
    });
  }
  const parsed = eventBridgeSchema.safeParse(event);
  if (!parsed.success) throw new InputError(`not a CloudWatch alarm state change event: ${describeIssues(parsed.error)}`);
  // `resources` carries the alarm's ARN; a forwarded event keeps it (and the alarm's region and account).
  const arn = parsed.data.resources?.find((resource) => parseAlarmArn(resource) !== undefined);
  const identity = arn ? parseAlarmArn(arn) : undefined;
  return [
    {
      name: parsed.data.detail.alarmName,
      arn,
      region: identity?.region ?? parsed.data.region,
      account: identity?.account ?? parsed.data.account,
      state: parsed.data.detail.state.value,
      atEpochMs: Date.parse(parsed.data.detail.state.timestamp),
      reason: parsed.data.detail.state.reason ?? '',
    },
  ];
}

/**
 * Services whose primary lists this alarm: same account, region and name. A same-named alarm in
 * another region or account is not theirs. `ownAccount`: the account the controller runs in (what
 * an alarm named without an ARN belongs to).
 */
export function servicesForAlarm(services: ServiceConfig[], notice: AlarmNotice, ownAccount?: string): ServiceConfig[] {
  const seen = { name: notice.name, region: notice.region, account: notice.account };
  return services.filter((service) => service.primary.alarms.some((configured) => isConfiguredAlarm(configured, seen, ownAccount)));
}

/** Lambda's timeout of `alarm` (serverless/deployment.ts): the deadline when the caller gives none. */
const DEFAULT_INVOCATION_MS = 30_000;

/**
 * Throws when applying a decision failed (a throttled table): the invocation fails and Lambda's
 * async retry delivers the event again, and then it acts. Bad input is answered, never thrown.
 */
export async function handleAlarmEvent(
  deps: AppDeps,
  event: unknown,
  options: { deadlineEpochMs?: number; accountId?: string } = {},
): Promise<AlarmOutcome> {
  const deadlineEpochMs = options.deadlineEpochMs ?? deps.clock.now() + DEFAULT_INVOCATION_MS;
  let notices: AlarmNotice[];
  try {
    notices = parseAlarmEvent(event);
  } catch (error) {
    const message = describeError(error);
    deps.metrics.count('AlarmEventsRejected');
    deps.emit({ kind: 'error', atEpochMs: deps.clock.now(), message: `rejected alarm event: ${message}` });
    return { ok: false, results: [], error: message };
  }
  const results: AlarmOutcome['results'] = [];
  for (const notice of notices) results.push(await handleNotice(deps, notice, deadlineEpochMs, options.accountId));
  return { ok: true, results };
}

async function handleNotice(
  deps: AppDeps,
  notice: AlarmNotice,
  deadlineEpochMs: number,
  ownAccount: string | undefined,
): Promise<AlarmOutcome['results'][number]> {
  const nowEpochMs = deps.clock.now();
  const base = { alarm: notice.name, state: notice.state };
  const ignore = (reason: string, services: string[] = []) => {
    deps.emit({ kind: 'alarm', atEpochMs: nowEpochMs, alarm: notice.name, state: notice.state, outcome: 'ignored', reason });
    return { ...base, outcome: 'ignored' as const, reason, services };
  };
  const services = servicesForAlarm(deps.config.services, notice, ownAccount);
  if (services.length === 0) return ignore(`${notice.name} is not an alarm of any configured service`);
  const names = services.map((service) => service.name);
  if (notice.state === 'INSUFFICIENT_DATA') return ignore(`${notice.name} has insufficient data: neither up nor down`, names);
  const maxAgeSeconds = Math.min(...services.map((service) => service.policy.detect.maxAlarmAgeSeconds));
  // A stamp from the future is refused before anything is claimed or recorded (a broken clock must not block later transitions).
  const timeProblem = alarmTimeProblem(notice, nowEpochMs, maxAgeSeconds);
  if (timeProblem) return ignore(timeProblem, names);

  // The claim is held only while this delivery is applied (until the invocation's deadline), kept for
  // a day once applied, and given up when applying fails: Lambda's retry of a failed delivery acts
  // instead of being answered "duplicate", and a concurrent duplicate is still told apart.
  const dedupKey = `${notice.arn ?? notice.name}#${notice.state}#${notice.atEpochMs}`;
  const holdSeconds = Math.max(1, Math.ceil((deadlineEpochMs - nowEpochMs) / 1000));
  if (!(await deps.store.claimDedup(dedupKey, nowEpochMs, holdSeconds))) {
    deps.emit({ kind: 'alarm', atEpochMs: nowEpochMs, alarm: notice.name, state: notice.state, outcome: 'duplicate' });
    return { ...base, outcome: 'duplicate', reason: 'duplicate delivery of an alarm already handled', services: names };
  }
  let applied: Awaited<ReturnType<typeof applyNotice>>;
  try {
    applied = await applyNotice(deps, { ...notice, state: notice.state }, services, nowEpochMs);
  } catch (error) {
    await deps.store.releaseDedup(dedupKey).catch((releaseError: unknown) =>
      // The hold expires at the deadline anyway, before Lambda's first retry (about a minute later).
      deps.logger.warn('could not release the duplicate-delivery claim; it expires at the deadline', { error: String(releaseError) }),
    );
    throw error;
  }
  await deps.store.extendDedup(dedupKey, deps.clock.now(), DEDUP_TTL_SECONDS).catch((error: unknown) =>
    // Applied already: a redelivery after the hold expires is decided again, and the state machine absorbs it.
    deps.logger.warn('could not keep the duplicate-delivery claim', { error: String(error) }),
  );
  return { ...base, ...applied, services: names };
}

async function applyNotice(
  deps: AppDeps,
  notice: AlarmNotice & { state: 'ALARM' | 'OK' },
  services: ServiceConfig[],
  nowEpochMs: number,
): Promise<{ outcome: 'acted' | 'no-change'; reason: string }> {
  const stored = await loadStoredEvidence(deps);
  const reasons: string[] = [];
  let acted = false;
  const confirm: string[] = [];
  for (const service of services) {
    const state = await deps.store.ensureState(service.name, nowEpochMs);
    const evidence = stored.evidenceFor(service.name, state);
    const applied = await decideAndApply(
      deps,
      service,
      { kind: 'alarm', name: notice.name, alarmState: notice.state, atEpochMs: notice.atEpochMs, evidence },
      { state },
    );
    acted ||= applied.decision.changed;
    reasons.push(`${service.name}: ${applied.decision.reason}`);
    if (applied.probeNow) confirm.push(service.name);
  }
  deps.emit({
    kind: 'alarm',
    atEpochMs: nowEpochMs,
    alarm: notice.name,
    state: notice.state,
    outcome: acted ? 'acted' : 'no-change',
    reason: reasons.join('; '),
  });
  if (confirm.length > 0) await requestConfirmingRound(deps, confirm);
  return { outcome: acted ? 'acted' : 'no-change', reason: reasons.join('; ') };
}

/** alarm-confirmed-by-probe: ask the probe function for one round now instead of at the next tick. */
async function requestConfirmingRound(deps: AppDeps, services: string[]): Promise<void> {
  deps.emit({ kind: 'invoke', atEpochMs: deps.clock.now(), function: deps.functions.probe, services });
  try {
    await deps.aws.lambda.invokeAsync(deps.functions.probe, { source: 'switchback.alarm', services, rounds: 1 });
  } catch (error) {
    deps.logger.warn('could not ask for a confirming probe round; the next scheduled round will confirm', {
      services,
      error: String(error),
    });
  }
}
