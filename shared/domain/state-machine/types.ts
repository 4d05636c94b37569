/**
 * The state machine's inputs and outputs, and the situations its handlers see. An evidence handler sees
 * a diagnosis; a command handler sees the command and who gave it; a drill handler sees the drill asked
 * for. Each gets exactly what its input carries, so no handler has to guess which input it was given.
 */
import type { ServiceConfig, ServicePolicy } from '../../config/types';
import type { Diagnosis, DiagnosisKind } from '../diagnose';
import type { Evidence, PlanStep, Run, RunKind, ServiceState, ServiceStateName } from '../types';

export const COMMANDS = ['freeze', 'unfreeze', 'failover', 'failback', 'approve', 'abort'] as const;
export type Command = (typeof COMMANDS)[number];

export type DecisionInput =
  | { kind: 'observe'; evidence: Evidence }
  | { kind: 'alarm'; name: string; alarmState: 'ALARM' | 'OK'; atEpochMs: number; evidence: Evidence }
  | { kind: 'command'; command: Command; by: string }
  /** `evidence` is optional: when given, a drill also requires both sites healthy right now. */
  | { kind: 'drill'; holdSeconds: number; by: string; evidence?: Evidence };

export interface DecisionContext {
  nowEpochMs: number;
  service: ServiceConfig;
  /** The id a run started by this decision gets. */
  newRunId: string;
  /**
   * The service's plan for a run of `kind` (what `buildPlan` returns), asked only when a run starts:
   * the Lambda functions read it from the compiled config, the CLI, simulator and tests build it.
   * Injected so the state machine loads no step action module (shared/actions, their zod schemas).
   */
  planOf(kind: RunKind): PlanStep[];
  /** The answer of `failback.check`, when the caller has asked it (after a checkFailback effect). */
  failbackCheck?: { ready: boolean; reason: string };
}

export type Effect =
  | { type: 'startRun'; run: Run }
  | { type: 'notify'; key: string; text: string }
  | { type: 'requestAbort' }
  | { type: 'probeNow' }
  | { type: 'checkFailback' };

export interface Decision {
  /** The next state (version not bumped: the store does that). The input object itself when nothing changed. */
  state: ServiceState;
  changed: boolean;
  /** False when a command or drill was refused, or an alarm delivery ignored. */
  accepted: boolean;
  effects: Effect[];
  reason: string;
  diagnosis?: Diagnosis;
}

/** SECONDARY while a live drill holds there behaves differently enough to get its own row. */
export type Row = ServiceStateName | 'DRILL_HOLD';

/** What every handler sees. */
export interface Situation {
  /** The state after bookkeeping (alarm recorded, incident opened/closed, hold-down tracked). */
  state: ServiceState;
  ctx: DecisionContext;
  policy: ServicePolicy;
  row: Row;
}

/** An observe or alarm input, named by `diagnose`. */
export interface EvidenceSituation extends Situation {
  diagnosis: Diagnosis;
  /** An alarm in ALARM and a trigger that listens to alarms. */
  alarmSaysDown: boolean;
  /** The recorded alarm's name, else the evidence's, else "(unnamed)". */
  alarmName: string;
}

export interface CommandSituation extends Situation {
  command: Command;
  by: string;
}

export interface DrillSituation extends Situation {
  holdSeconds: number;
  by: string;
  evidence?: Evidence;
}

/** What a handler returns; `finish` turns it into a Decision. */
export interface Outcome {
  state: ServiceState;
  reason: string;
  effects?: Effect[];
  accepted?: boolean;
}

export type EvidenceHandler = (s: EvidenceSituation) => Outcome;
export type CommandHandler = (s: CommandSituation) => Outcome;
export type DrillHandler = (s: DrillSituation) => Outcome;

/** One row of the table: a handler for every diagnosis, every command and a drill. */
export interface RowHandlers {
  evidence: Record<DiagnosisKind, EvidenceHandler>;
  commands: Record<Command, CommandHandler>;
  drill: DrillHandler;
}
