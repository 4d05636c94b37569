/**
 * Drills. `dry-run` changes nothing and checks everything that can be checked without acting: the
 * DNS record is there and points at the primary, every alarm region outside the control region has
 * its forwarder rule (sending to the control region's bus), the standby instances exist, the
 * orchestrator's role may make every EC2 call of the runbook (iam:SimulatePrincipalPolicy, and an EC2
 * DryRun where every id is known: ./drill-permissions.ts), the secondary answers now, people can be texted. Scheduled daily, it texts only when a
 * check that passed last time fails now. `live` performs a real failover labelled [DRILL], holds,
 * fails back, and `report` turns the two archived runs into measured step times and the RTO.
 */
import * as z from './event-schema';
import { roundedSeconds } from '../clock';
import { toRecordType, recordMatches } from '../aws/route53';
import { findAction } from '../actions';
import { alarmForwarders, assessAlarmForwarder, forwarderRules, type AlarmForwarder } from '../config/alarm-routing';
import type { ServiceConfig } from '../config/types';
import { describeError, InputError } from '../errors';
import { alertMessage } from '../domain/messages';
import type { Run } from '../domain/types';
import { decideAndApply } from './apply-decision';
import { loadStoredEvidence } from './evidence';
import type { AppDeps } from './deps';
import { notifyOnCall } from './notify';
import { describeZodError, findService } from './operator-input';
import { E164_PHONE_NUMBER } from '../phone';
import { isStepRef } from '../actions/grants';
import { orchestratorSimulation } from './drill-permissions';
import { FLAG_ALARM, failoverSetIdentifier } from '../aws/flag';

const DEFAULT_HOLD_SECONDS = 300;

const drillInputSchema = z.strictObject({
  service: z.string({ error: 'is required ("*" for every service)' }).check(z.minLength(1)),
  mode: z.enum(['dry-run', 'live', 'report'], { error: 'must be dry-run, live or report' }),
  holdSeconds: z.optional(z.number().check(z.int(), z.gte(0), z.lte(86_400))),
  scheduled: z.optional(z.boolean()),
  by: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});
export type DrillInput = z.output<typeof drillInputSchema>;

export interface DrillCheck {
  check: string;
  ok: boolean;
  detail: string;
}

export interface DryRunReport {
  service: string;
  passed: boolean;
  checks: DrillCheck[];
}

export interface LiveDrillReport {
  service: string;
  rtoSeconds: number;
  failover: RunTiming;
  failback?: RunTiming;
}

export interface RunTiming {
  runId: string;
  status: Run['status'];
  /** Why the run started (the drill's sentence). */
  reason: string;
  startedAtEpochMs: number;
  endedAtEpochMs?: number;
  totalSeconds: number;
  dnsInSyncSeconds?: number;
  steps: Array<{
    id: string;
    action: string;
    status: string;
    attempts: number;
    seconds?: number;
    startedAtEpochMs?: number;
    endedAtEpochMs?: number;
    note?: string;
    error?: string;
  }>;
  /** Each stage texted (started, succeeded, …), when, and whether publishing worked. */
  texts: Array<{ stage: string; atEpochMs: number; ok: boolean }>;
}

export function parseDrillInput(input: unknown): DrillInput {
  const parsed = drillInputSchema.safeParse(input);
  if (!parsed.success) throw new InputError(`drill: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** What the drill knows of its own invocation. */
export interface DrillInvocation {
  /** The account the drill runs in (from its function ARN): the orchestrator's role ARN is built from it. */
  accountId?: string;
}

export async function runDrill(deps: AppDeps, input: unknown, invocation: DrillInvocation = {}): Promise<unknown> {
  const drill = parseDrillInput(input);
  const services = drill.service === '*' ? deps.config.services : [findService(deps, drill.service)];
  if (drill.mode === 'dry-run') {
    const reports = [];
    for (const service of services) reports.push(await dryRun(deps, service, drill.scheduled === true, invocation));
    return { mode: 'dry-run', passed: reports.every((report) => report.passed), reports };
  }
  if (drill.service === '*') throw new InputError(`drill: mode ${drill.mode} needs one service, not "*"`);
  const service = services[0];
  if (drill.mode === 'report') return { mode: 'report', ...(await liveDrillReport(deps, service)) };
  const [stored, state] = await Promise.all([loadStoredEvidence(deps), deps.store.ensureState(service.name, deps.clock.now())]);
  const applied = await decideAndApply(
    deps,
    service,
    {
      kind: 'drill',
      holdSeconds: drill.holdSeconds ?? DEFAULT_HOLD_SECONDS,
      by: drill.by ?? 'operator',
      evidence: stored.evidenceFor(service.name, state),
    },
    { state },
  );
  const started = applied.decision.effects.find((effect) => effect.type === 'startRun');
  return {
    mode: 'live',
    service: service.name,
    accepted: applied.decision.accepted && started !== undefined,
    reason: applied.decision.reason,
    ...(started && started.type === 'startRun' ? { runId: started.run.id } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// dry-run

async function check(name: string, run: () => Promise<{ ok: boolean; detail: string }>): Promise<DrillCheck> {
  try {
    return { check: name, ...(await run()) };
  } catch (error) {
    return { check: name, ok: false, detail: describeError(error) };
  }
}

export async function dryRun(
  deps: AppDeps,
  service: ServiceConfig,
  scheduled: boolean,
  invocation: DrillInvocation = {},
): Promise<DryRunReport> {
  const checks: DrillCheck[] = [];
  checks.push({ check: 'config', ok: true, detail: `switchback.yml valid; ${service.secondary.prepare.length} prepare steps` });

  if (service.dns.strategy === 'record-swap') {
    checks.push(
      await check('dns record', async () => {
        const record = await deps.aws.route53.getRecord({
          hostedZoneId: service.dns.hostedZoneId,
          recordName: service.dns.recordName,
          type: toRecordType(service.dns.type),
          setIdentifier: service.dns.setIdentifier,
        });
        if (!record)
          return { ok: false, detail: `${service.dns.recordName} ${service.dns.type} not found in zone ${service.dns.hostedZoneId}` };
        if (!recordMatches(record, service.primary.target))
          return {
            ok: false,
            detail: `${service.dns.recordName} does not point at the primary (${JSON.stringify(record.values ?? record.alias)})`,
          };
        return { ok: true, detail: `${service.dns.recordName} ${service.dns.type} exists and points at the primary` };
      }),
    );
  } else {
    checks.push(
      await check('dns flag alarm', async () => {
        const name = deps.aws.cloudWatch.flagAlarmName(service.name);
        const [alarm] = await deps.aws.cloudWatch.describeAlarmStates([name]);
        if (!alarm || alarm.state === 'NOT_FOUND') return { ok: false, detail: `alarm ${name} not found: deploy creates it` };
        return {
          ok: alarm.state !== 'ALARM',
          detail: `alarm ${name} is ${alarm.state}${alarm.state === 'ALARM' ? ' (traffic already on the secondary)' : ''}`,
        };
      }),
      await check('dns flag health check', () => checkFlagHealthCheck(deps, service)),
    );
  }

  // Alarms outside the control region reach the controller only through their region's forwarder rules.
  for (const forwarder of alarmForwarders({ controlRegion: deps.config.controlRegion, services: [service] })) {
    checks.push(await check(`alarm forwarder ${forwarder.region}`, () => checkForwarder(deps, forwarder)));
  }

  // Steps the drill can check without acting (EC2 DryRun, or IAM simulation of the orchestrator's
  // role), from the step action registry; ids as the failover plan gives them (secondary prepare first).
  const planIds = deps.planOf(service, 'failover').map((step) => step.id);
  const checkable = service.secondary.prepare.flatMap((step, index) => {
    const action = findAction(step.action);
    return action?.hasDryRunCheck ? [{ step, action, stepId: planIds[index] ?? step.id ?? step.action }] : [];
  });
  const standbyIds = [...new Set(checkable.flatMap(({ step, action }) => action.namedInstanceIdsFor(step.params)))];
  if (standbyIds.length > 0) {
    checks.push(
      await check('standby instances', async () => {
        const found = await deps.aws.ec2().describeInstances(service.secondary.region, standbyIds);
        const missing = standbyIds.filter((id) => !found.some((instance) => instance.instanceId === id));
        if (missing.length > 0) return { ok: false, detail: `not found in ${service.secondary.region}: ${missing.join(', ')}` };
        return { ok: true, detail: found.map((instance) => `${instance.instanceId} ${instance.state}`).join(', ') };
      }),
    );
  }
  for (const zoneCheck of volumeZoneChecks(deps, service)) checks.push(await check(zoneCheck.check, zoneCheck.run));
  for (const { step, action, stepId } of checkable) {
    const own = step.params.region;
    const region = typeof own === 'string' ? own : service.secondary.region;
    const dryRuns = action.dryRunCheckFor(step.params, {
      service,
      region,
      aws: deps.aws,
      nowEpochMs: deps.clock.now(),
      stepId,
      simulateOrchestrator: orchestratorSimulation(deps, service, region, invocation.accountId),
    });
    for (const dryRun of dryRuns) checks.push(await check(dryRun.check, () => dryRun.run()));
  }

  checks.push(
    await check('secondary healthy', async () => {
      const result = await deps.prober.probe(service.secondary.probe);
      return { ok: result.ok, detail: result.ok ? `answered in ${Math.round(result.latencyMs)} ms` : `not healthy: ${result.cause}` };
    }),
  );
  const invalid = deps.config.notify.sms.filter((number) => !E164_PHONE_NUMBER.test(number));
  checks.push({
    check: 'on-call numbers',
    ok: invalid.length === 0 && (deps.config.notify.sms.length > 0 || deps.config.notify.topicArn !== undefined),
    detail: `${deps.config.notify.sms.length} SMS number(s)${deps.config.notify.topicArn ? ' and a topic' : ''}${invalid.length ? `; ${invalid.length} not E.164` : ''}`,
  });

  if (deps.config.notify.sms.length > 0) checks.push(await check('sms delivery', () => smsDelivery(deps)));

  const report: DryRunReport = { service: service.name, passed: checks.every((item) => item.ok), checks };
  deps.logger.info(`drill dry-run ${report.passed ? 'passed' : 'failed'}`, {
    service: service.name,
    failed: checks.filter((item) => !item.ok).map((item) => item.check),
  });
  if (scheduled) await textNewFailures(deps, service, checks);
  return report;
}

/**
 * A region's forwarder rules as the service's alarms need them (a region with many alarms has more
 * than one rule: which rule holds an alarm depends on every alarm of the region, so the rules are
 * those the whole config generates).
 */
async function checkForwarder(deps: AppDeps, forwarder: AlarmForwarder): Promise<{ ok: boolean; detail: string }> {
  const eventBridge = deps.aws.eventBridge();
  const wanted = new Set(forwarder.alarmArns);
  const all = alarmForwarders(deps.config).find((candidate) => candidate.region === forwarder.region) ?? forwarder;
  const verdicts: Array<{ ok: boolean; detail: string }> = [];
  for (const rule of forwarderRules(all, eventBridge.stage)) {
    const alarmArns = rule.alarmArns.filter((arn) => wanted.has(arn));
    if (alarmArns.length === 0) continue;
    const observed = await eventBridge.describeRule(forwarder.region, rule.name);
    verdicts.push(
      assessAlarmForwarder(
        {
          region: forwarder.region,
          ruleName: rule.name,
          stage: eventBridge.stage,
          controlRegion: deps.config.controlRegion,
          alarmArns,
          probeLocation: deps.config.probeLocations.includes(forwarder.region),
        },
        observed,
      ),
    );
  }
  const failed = verdicts.filter((verdict) => !verdict.ok);
  return { ok: failed.length === 0, detail: (failed.length > 0 ? failed : verdicts).map((verdict) => verdict.detail).join('; ') };
}

/**
 * health-check-flag moves traffic only if the PRIMARY failover record is guarded by a
 * CLOUDWATCH_METRIC health check on the flag alarm, in the region the alarm lives in (the control
 * region), keeping the last status when the alarm has no data and not inverted
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html,
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_AlarmIdentifier.html). The record
 * names the health check that really decides (GetHealthCheck on it), whatever deploy meant to create.
 */
async function checkFlagHealthCheck(deps: AppDeps, service: ServiceConfig): Promise<{ ok: boolean; detail: string }> {
  const setIdentifier = failoverSetIdentifier(service.name, 'primary');
  const what = `${service.dns.recordName} ${service.dns.type} ${setIdentifier}`;
  const record = await deps.aws.route53.getRecord({
    hostedZoneId: service.dns.hostedZoneId,
    recordName: service.dns.recordName,
    type: toRecordType(service.dns.type),
    setIdentifier,
  });
  if (!record) return { ok: false, detail: `${what} not found in zone ${service.dns.hostedZoneId}: deploy creates it` };
  const healthCheckId = record.routing.HealthCheckId;
  if (!healthCheckId) return { ok: false, detail: `${what} has no health check: Route 53 answers PRIMARY whatever the flag says` };
  const healthCheck = await deps.aws.route53.getHealthCheck(healthCheckId);
  if (!healthCheck) return { ok: false, detail: `${what} names health check ${healthCheckId}, which does not exist` };
  const alarm = { name: deps.aws.cloudWatch.flagAlarmName(service.name), region: deps.config.controlRegion };
  const flag = `the flag alarm ${alarm.name} in ${alarm.region}`;
  if (healthCheck.type !== 'CLOUDWATCH_METRIC' || healthCheck.alarm?.name !== alarm.name || healthCheck.alarm.region !== alarm.region) {
    const follows =
      healthCheck.type === 'CLOUDWATCH_METRIC'
        ? `follows the alarm ${healthCheck.alarm?.name ?? '(none)'} in ${healthCheck.alarm?.region ?? '(no region)'}`
        : `is a ${healthCheck.type} health check`;
    return { ok: false, detail: `health check ${healthCheckId} ${follows}, not ${flag}: switching the flag would not move traffic` };
  }
  if (healthCheck.inverted)
    return { ok: false, detail: `health check ${healthCheckId} is inverted: the flag would move traffic the wrong way` };
  if (healthCheck.insufficientDataHealthStatus !== FLAG_ALARM.insufficientDataHealthStatus) {
    return {
      ok: false,
      detail: `health check ${healthCheckId} takes ${healthCheck.insufficientDataHealthStatus ?? 'the default status'} when ${alarm.name} has no data, not ${FLAG_ALARM.insufficientDataHealthStatus}: a missed round could send traffic back to a dead primary`,
    };
  }
  return {
    ok: true,
    detail: `${what} is guarded by health check ${healthCheckId}, which follows ${flag} (no data: ${healthCheck.insufficientDataHealthStatus})`,
  };
}

/** `${steps.<id>.instanceId}` → `<id>`. */
const INSTANCE_REF = /^\$\{steps\.([^.}]+)\.instanceIds?\}$/;

/**
 * A volume attaches only to an instance in its own Availability Zone (AttachVolume fails across
 * zones: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AttachVolume.html). For every
 * `ec2.attachVolume` of a named volume, the dry-run compares the volume's zone with the instance's,
 * or with the zone of the subnet a launch step puts the instance in, long before an outage would.
 */
function volumeZoneChecks(
  deps: AppDeps,
  service: ServiceConfig,
): Array<{ check: string; run: () => Promise<{ ok: boolean; detail: string }> }> {
  const steps = service.secondary.prepare;
  return steps.flatMap((step) => {
    const { volumeId, instanceId, region: own } = step.params as { volumeId?: unknown; instanceId?: unknown; region?: unknown };
    if (step.action !== 'ec2.attachVolume' || typeof volumeId !== 'string' || isStepRef(volumeId) || typeof instanceId !== 'string')
      return [];
    const region = typeof own === 'string' ? own : service.secondary.region;
    const launchId = INSTANCE_REF.exec(instanceId)?.[1];
    const launch = launchId ? steps.find((candidate) => candidate.id === launchId && candidate.action === 'ec2.launchFromAmi') : undefined;
    const subnetId = launch?.params.subnetId;
    return [
      {
        check: `zone of ${volumeId}`,
        run: async () => {
          const ec2 = deps.aws.ec2();
          const volumeZone = await ec2.volumeZone(region, volumeId);
          let target: { what: string; zone?: string };
          if (!isStepRef(instanceId)) {
            const [found] = await ec2.describeInstances(region, [instanceId]);
            target = { what: instanceId, zone: found?.availabilityZone };
          } else if (typeof subnetId === 'string' && !isStepRef(subnetId)) {
            target = { what: `the instance ${launchId} launches into ${subnetId}`, zone: await ec2.subnetZone(region, subnetId) };
          } else {
            return { ok: true, detail: `${volumeId} is in ${volumeZone}; the instance's zone is known only at launch (no subnetId)` };
          }
          if (target.zone === volumeZone) return { ok: true, detail: `${volumeId} and ${target.what} are both in ${volumeZone}` };
          return {
            ok: false,
            detail: `${volumeId} is in ${volumeZone} but ${target.what} is in ${target.zone ?? 'no zone (not found)'}: AttachVolume works only within one Availability Zone`,
          };
        },
      },
    ];
  });
}

/** The dry-run warns once this share of the month's SMS spend limit is used. */
export const SMS_SPEND_WARN_FRACTION = 0.8;

/**
 * Can texts go out from the control region at all? An account in the SMS sandbox texts only verified
 * numbers (https://docs.aws.amazon.com/sns/latest/dg/sns-sms-sandbox.html); past MonthlySpendLimit SNS
 * stops sending while Publish still succeeds (https://docs.aws.amazon.com/sns/latest/api/API_SetSMSAttributes.html).
 * Both fail silently during an outage, so the dry-run looks for them before one.
 */
async function smsDelivery(deps: AppDeps): Promise<{ ok: boolean; detail: string }> {
  const region = deps.config.controlRegion;
  const [status, spentUsd] = await Promise.all([
    deps.aws.sns.smsAccountStatus(region),
    deps.aws.cloudWatch.smsMonthToDateSpendUsd(region, deps.clock.now()),
  ]);
  const spent = spentUsd ?? 0;
  const usage = `${spent.toFixed(2)} of ${status.monthlySpendLimitUsd} USD monthly SMS spend limit used in ${region}`;
  if (status.inSandbox) {
    return {
      ok: false,
      detail: `the account is in the SNS SMS sandbox in ${region}: only verified numbers get texts; request production access`,
    };
  }
  if (spent >= status.monthlySpendLimitUsd * SMS_SPEND_WARN_FRACTION) {
    return { ok: false, detail: `${usage}: SNS stops sending texts at the limit; raise MonthlySpendLimit` };
  }
  return { ok: true, detail: `out of the SMS sandbox; ${usage}` };
}

/** Scheduled dry-runs text only when a check that passed last time fails now (no daily nagging). */
async function textNewFailures(deps: AppDeps, service: ServiceConfig, checks: DrillCheck[]): Promise<void> {
  const state = await deps.store.ensureState(service.name, deps.clock.now());
  const failed = checks.filter((item) => !item.ok).map((item) => item.check);
  const before = state.lastDryRun?.failed;
  const newlyFailed = failed.filter((name) => before !== undefined && !before.includes(name));
  const firstRunFailures = before === undefined ? failed : [];
  const worthTexting = [...newlyFailed, ...firstRunFailures];
  if (JSON.stringify(before) !== JSON.stringify(failed)) {
    try {
      await deps.store.saveState({ ...state, lastDryRun: { atEpochMs: deps.clock.now(), failed } }, state.version);
    } catch (error) {
      deps.logger.warn('could not record the dry-run result', { service: service.name, error: String(error) });
    }
  }
  if (worthTexting.length > 0) {
    const detail = checks
      .filter((item) => worthTexting.includes(item.check))
      .map((item) => `${item.check}: ${item.detail}`)
      .join('; ');
    await notifyOnCall(deps, service.name, alertMessage(service.name, 'drillCheck', detail), { key: 'drillCheck' });
  }
}

// ---------------------------------------------------------------------------------------------
// live report

function timing(run: Run): RunTiming {
  const inSync = run.steps.find((step) => step.action === 'route53.waitInSync' && step.status === 'succeeded');
  const switched = run.steps.find((step) => step.action === 'route53.switch' && step.status === 'succeeded');
  const dnsDone = inSync ?? switched;
  return {
    runId: run.id,
    status: run.status,
    reason: run.reason,
    startedAtEpochMs: run.startedAtEpochMs,
    ...(run.endedAtEpochMs !== undefined && { endedAtEpochMs: run.endedAtEpochMs }),
    totalSeconds: roundedSeconds((run.endedAtEpochMs ?? run.startedAtEpochMs) - run.startedAtEpochMs),
    ...(dnsDone?.endedAtEpochMs !== undefined && !run.dnsPending
      ? { dnsInSyncSeconds: roundedSeconds(dnsDone.endedAtEpochMs - run.startedAtEpochMs) }
      : {}),
    steps: run.steps.map((step) => ({
      id: step.id,
      action: step.action,
      status: step.status,
      attempts: step.attempts,
      ...(step.startedAtEpochMs !== undefined && step.endedAtEpochMs !== undefined
        ? { seconds: roundedSeconds(step.endedAtEpochMs - step.startedAtEpochMs) }
        : {}),
      ...(step.startedAtEpochMs !== undefined && { startedAtEpochMs: step.startedAtEpochMs }),
      ...(step.endedAtEpochMs !== undefined && { endedAtEpochMs: step.endedAtEpochMs }),
      ...(step.note !== undefined && { note: step.note }),
      ...(step.error !== undefined && { error: step.error }),
    })),
    texts: Object.entries(run.notifications)
      .flatMap(([stage, sent]) => (sent ? [{ stage, atEpochMs: sent.atEpochMs, ok: sent.ok }] : []))
      .sort((a, b) => a.atEpochMs - b.atEpochMs),
  };
}

export async function liveDrillReport(deps: AppDeps, service: ServiceConfig): Promise<LiveDrillReport> {
  const runs = await deps.store.listRuns(service.name, 20);
  const failover = runs.find((run) => run.trigger === 'drill' && run.kind === 'failover');
  if (!failover) throw new InputError(`drill: no finished live drill for ${service.name} yet`);
  const failback = runs.find(
    (run) => run.trigger === 'drill' && run.kind === 'failback' && run.startedAtEpochMs >= failover.startedAtEpochMs,
  );
  const failoverTiming = timing(failover);
  return {
    service: service.name,
    rtoSeconds: failoverTiming.dnsInSyncSeconds ?? failoverTiming.totalSeconds,
    failover: failoverTiming,
    ...(failback ? { failback: timing(failback) } : {}),
  };
}
