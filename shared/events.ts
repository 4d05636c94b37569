/**
 * One channel for what the controller does: every probe round, decision, transition, runbook step,
 * text, invocation, alarm and error is emitted once, as a `ControllerEvent`, through `deps.emit`.
 * Where it goes is the composition root's business: in Lambda each event becomes one structured
 * log line (./app/event-log), in the simulator one timeline entry. Nothing emits an event and also
 * logs the same thing.
 */
import type { ServiceStateName } from './domain/types';

/** One probe round at one location (`decisions`: state changes it caused, in the control region). */
export interface ProbeRoundEvent {
  kind: 'probe';
  location: string;
  round: number;
  atEpochMs: number;
  durationMs: number;
  probed: number;
  primaryDown: string[];
  secondaryDown: string[];
  observationWrites: number;
  decisions: number;
}

/** A decision that changed the stored state without moving it (an alert sent, an incident opened …). */
export interface DecisionEvent {
  kind: 'decision';
  atEpochMs: number;
  service: string;
  state: ServiceStateName;
  reason: string;
}

/** The service moved: a decision started a run, or a run ended (`runId`). */
export interface TransitionEvent {
  kind: 'transition';
  atEpochMs: number;
  service: string;
  from: ServiceStateName;
  to: ServiceStateName;
  reason: string;
  runId?: string;
}

export const STEP_PHASES = ['started', 'retrying', 'succeeded', 'failed'] as const;
export type StepPhase = (typeof STEP_PHASES)[number];

export interface StepEvent {
  kind: 'step';
  phase: StepPhase;
  step: string;
  action: string;
  attempts: number;
  durationMs?: number;
  /** Before the next attempt (phase `retrying`). */
  delayMs?: number;
  error?: string;
  note?: string;
  runId: string;
  atEpochMs: number;
  service: string;
}

/** A text to the on-call people: a run stage (`stage`), a notify step (`step`) or a one-off alert (`key`). */
export interface SmsEvent {
  kind: 'sms';
  atEpochMs: number;
  service: string;
  text: string;
  ok: boolean;
  error?: string;
  runId?: string;
  stage?: string;
  step?: string;
  key?: string;
}

/** An asynchronous hand-off to another function (orchestrator for a run, probe for a confirming round). */
export interface InvokeEvent {
  kind: 'invoke';
  atEpochMs: number;
  function: string;
  service?: string;
  runId?: string;
  services?: string[];
  reason?: string;
}

export interface AlarmEvent {
  kind: 'alarm';
  atEpochMs: number;
  alarm: string;
  state: string;
  outcome: 'ignored' | 'duplicate' | 'acted' | 'no-change';
  reason?: string;
}

/** Something went wrong that the controller survived (a rejected event, a failed decision). */
export interface ErrorEvent {
  kind: 'error';
  atEpochMs: number;
  service?: string;
  message: string;
}

/**
 * The probe chain of a location (./domain/probe-chain): a new generation seeded by the schedule, a
 * link refused by the lease (a second delivery, an older generation), or a next link that could
 * not be sent (the schedule seeds a new one within a minute).
 */
export interface ChainEvent {
  kind: 'chain';
  atEpochMs: number;
  location: string;
  outcome: 'seeded' | 'refused' | 'sendFailed';
  generation: number;
  slot: number;
  reason: string;
}

export type ControllerEvent =
  ProbeRoundEvent | DecisionEvent | TransitionEvent | StepEvent | SmsEvent | InvokeEvent | AlarmEvent | ErrorEvent | ChainEvent;

export type EventSink = (event: ControllerEvent) => void;
