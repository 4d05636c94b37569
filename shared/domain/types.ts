/**
 * The per-service state that lives in DynamoDB (`pk = SVC#<name>, sk = STATE`) and the
 * evidence the state machine decides on. Pure data: no I/O, no clock.
 */
import type { ActionName } from '../actions';

export const SERVICE_STATES = {
  PRIMARY: 'PRIMARY',
  FAILING_OVER: 'FAILING_OVER',
  SECONDARY: 'SECONDARY',
  FAILING_BACK: 'FAILING_BACK',
  FAILOVER_FAILED: 'FAILOVER_FAILED',
  FAILBACK_FAILED: 'FAILBACK_FAILED',
} as const;
export type ServiceStateName = (typeof SERVICE_STATES)[keyof typeof SERVICE_STATES];

export type RunKind = 'failover' | 'failback';
/** Who asked for a run: the controller itself, an operator, or a drill. */
export type RunTrigger = 'auto' | 'manual' | 'drill';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'aborted';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

/** The actions a run can perform: every module of the step action registry (shared/actions). */
export type PlanAction = ActionName;

/** One step of a runbook plan, built from config by `buildPlan` (pure). */
export interface PlanStep {
  /** Unique within the plan; user ids are kept, others are `<action>#<n>`. */
  id: string;
  action: PlanAction;
  params: Record<string, unknown>;
  timeoutMs: number;
  onFailure: 'abort' | 'continue';
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  /** A short human description, e.g. "start i-0abc… in us-west-2". */
  description: string;
  /**
   * The label of the parallel group the step is a branch of: consecutive steps with one label run at
   * once (each journalled as its own step). Absent for a step of its own.
   */
  parallel?: string;
}

export interface StepRecord {
  id: string;
  action: PlanAction;
  status: StepStatus;
  attempts: number;
  /** When the first attempt started (kept across hand-offs and resumes). */
  startedAtEpochMs?: number;
  /** The step's time budget ends here: fixed when its first attempt starts, never reset by a hand-off or resume. */
  budgetEndsAtEpochMs?: number;
  endedAtEpochMs?: number;
  /** Values later steps can reference as `${steps.<id>.<key>}` (e.g. instanceId, changeId). */
  output?: Record<string, string | number | boolean | string[]>;
  error?: string;
  /** A human note, e.g. "record already pointed at the secondary; skipped". */
  note?: string;
}

/** Stages at which people are texted; each is sent at most once per run. */
export type NotifyStage = 'started' | 'succeeded' | 'failed' | 'dnsPending' | 'aborted';

export interface Lease {
  owner: string;
  expiresAtEpochMs: number;
}

export interface Run {
  id: string;
  service: string;
  kind: RunKind;
  trigger: RunTrigger;
  /** The sentence that started the run ("primary failed 3/3 probes from 2/2 locations; secondary healthy"). */
  reason: string;
  status: RunStatus;
  startedAtEpochMs: number;
  endedAtEpochMs?: number;
  plan: PlanStep[];
  steps: StepRecord[];
  lease?: Lease;
  abortRequested?: { by: string; atEpochMs: number };
  /** Stage → when it was sent and whether publishing worked (failures never fail the run). */
  notifications: Partial<Record<NotifyStage, { atEpochMs: number; ok: boolean; error?: string }>>;
  /** Set when DNS did not reach INSYNC before the deadline: people are told DNS_PENDING, not "done". */
  dnsPending?: boolean;
  /** Why the run failed or was aborted, naming the step and action. */
  error?: string;
  /** Live drill: hold on the secondary this long, then fail back automatically. */
  drill?: { holdSeconds: number };
  /**
   * How often the probe's watchdog resumed this run (its orchestrator died or never started) and
   * when last; `alerted` once people were texted that it keeps crashing (shared/app/watchdog.ts).
   */
  watchdog?: { resumes: number; lastAtEpochMs: number; alerted?: boolean };
  /** A failback run: the outputs of the failover run it undoes, for `${failover.<id>.<key>}` references. */
  failover?: FailoverOutputs;
  /**
   * `approval` steps by step id: when the request was texted, and who approved (`control approve`
   * while the step waits). Kept on the run, not the step record, so a restarted step keeps both.
   */
  approvals?: Record<string, StepApproval>;
}

export interface StepApproval {
  /** The request went out (texted once per run, not again on a resume). */
  textedAtEpochMs?: number;
  approved?: { by: string; atEpochMs: number };
}

/** The step outputs of the last failover run (e.g. the instance it launched), kept for the failback that undoes it. */
export interface FailoverOutputs {
  runId: string;
  /** Step id → output, for the steps that had one. */
  steps: Record<string, NonNullable<StepRecord['output']>>;
}

/** What one probe location last saw of one site. Counters are capped so steady state does not rewrite them. */
export interface SiteHealth {
  status: 'up' | 'down' | 'unknown';
  /** Consecutive results with this status, capped at max(failureThreshold, recoveryThreshold). */
  consecutive: number;
  /** When the current streak began. */
  sinceEpochMs: number;
  lastCause?: string;
  lastLatencyMs?: number;
}

export interface LocationObservation {
  location: string;
  /** False when the location has not reported recently (its observations are stale): it does not vote. */
  fresh: boolean;
  observedAtEpochMs: number;
  primary: SiteHealth;
  secondary: SiteHealth;
}

export interface Evidence {
  locations: LocationObservation[];
  /** A configured "primary is down" alarm is currently in ALARM (and not older than maxAlarmAgeSeconds). */
  alarmFiring: boolean;
  alarmName?: string;
}

export interface ServiceState {
  service: string;
  /** Optimistic-locking version; every write is conditional on it. */
  version: number;
  state: ServiceStateName;
  sinceEpochMs: number;
  frozen: boolean;
  frozenBy?: string;
  lastTransition?: { from: ServiceStateName; to: ServiceStateName; atEpochMs: number; reason: string; trigger?: RunTrigger };
  /**
   * The last transition of a real (non-drill) run: the cooldown counts from here, so a drill never
   * delays a real failover. Absent on items written before it existed: then `lastTransition` counts.
   */
  cooldownSinceEpochMs?: number;
  /** Start times of automatic failovers in the last 24 h (for the cap). */
  failoverHistoryEpochMs: number[];
  activeRun?: Run;
  /** Outputs of the last failover run, carried into the failback run that undoes it (`${failover.<id>.<key>}`). */
  failoverOutputs?: FailoverOutputs;
  /** The current incident (primary seen down) and which one-off alerts it has already sent. */
  incident?: { openedAtEpochMs: number; alertsSent: string[] };
  /** Primary healthy (quorum, ≥ recoveryThreshold) continuously since then: the hold-down clock. */
  primaryHealthySinceEpochMs?: number;
  /** Manual failback approved by an operator (mode: manual). */
  failbackApproved?: { by: string; atEpochMs: number };
  /** Alarm state from the `alarm` function. */
  alarm?: { name: string; state: 'ALARM' | 'OK'; atEpochMs: number };
  /** The last decision's sentence, for `status`. */
  lastReason?: string;
  /**
   * A live drill holding on the secondary (set by `finishRun` when a drill failover succeeds):
   * the drill fails back once `holdUntilEpochMs` has passed, unless a real incident pre-empts it.
   */
  drill?: { holdUntilEpochMs: number; runId: string; holdSeconds: number };
  /** The last scheduled drill dry-run: which checks failed, so only newly failing ones are texted. */
  lastDryRun?: { atEpochMs: number; failed: string[] };
}

export function initialServiceState(service: string, nowEpochMs: number): ServiceState {
  return {
    service,
    version: 0,
    state: SERVICE_STATES.PRIMARY,
    sinceEpochMs: nowEpochMs,
    frozen: false,
    failoverHistoryEpochMs: [],
  };
}
