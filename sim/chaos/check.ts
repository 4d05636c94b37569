/**
 * One scenario run with the invariants checked over its trace (used by `switchback chaos`, its
 * shrinker and `switchback simulate --check`).
 */
import { createHash } from 'node:crypto';
import {
  runScenario,
  type InvocationRecord,
  type ItemWrite,
  type ProbeRecord,
  type RunScenarioOptions,
  type SimulationHooks,
  type SimulationResult,
} from '../runner';
import { parseScenario, type Scenario } from '../scenario';
import type { ScenarioDocument } from './generate';
import { checkInvariants, type InvariantGates, type Violation } from './invariants';

export interface CheckedRun {
  violations: Violation[];
  result: SimulationResult;
}

export interface RunOptions {
  /** Tests only: swap parts of the system for faulty fakes (see SimulationHooks.wrapDeps). */
  sabotage?: SimulationHooks['wrapDeps'];
  gates?: InvariantGates;
  /** Tests only: change the generated IAM roles before the run (see RunScenarioOptions.adjustRoles). */
  adjustRoles?: RunScenarioOptions['adjustRoles'];
}

/** Run one parsed scenario with the invariant checks. */
export async function runChecked(scenario: Scenario, options: RunOptions = {}): Promise<CheckedRun> {
  const itemWrites: ItemWrite[] = [];
  const invocations: InvocationRecord[] = [];
  const probes: ProbeRecord[] = [];
  const result = await runScenario(scenario, {
    trace: true,
    ...(options.adjustRoles ? { adjustRoles: options.adjustRoles } : {}),
    hooks: {
      onItemWrite: (write) => itemWrites.push(write),
      onInvocation: (invocation) => invocations.push(invocation),
      onProbe: (probe) => probes.push(probe),
      ...(options.sabotage ? { wrapDeps: options.sabotage } : {}),
    },
  });
  return { violations: checkInvariants({ scenario, result, itemWrites, invocations, probes }, options.gates), result };
}

export function parseSchedule(document: ScenarioDocument, baseDir = process.cwd()): Scenario {
  return parseScenario(structuredClone(document), baseDir, String(document.name ?? 'chaos schedule'));
}

/**
 * The loopback sites listen on ports the OS picks, so a URL in a text or a reason differs between
 * two runs of one seed; everything else is fixed by the seed.
 */
function withoutLoopbackPorts(text: string): string {
  return text.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>');
}

/**
 * What must come out the same for the same seed: final states, runs, texts and API call counts
 * (not wall-clock seconds, not DynamoDB capacity, which depends on retried conditional writes).
 */
export function summaryDigest(result: SimulationResult): string {
  const { services, runs, sms, apiCalls, ec2 } = result.summary;
  const stable = withoutLoopbackPorts(JSON.stringify({ services, runs, sms, apiCalls, ec2 }));
  return createHash('sha256').update(stable).digest('hex').slice(0, 16);
}

/** The timeline as it must come out for the same seed: every entry, in order, ports aside. */
export function stableTimeline(result: SimulationResult): string[] {
  return result.timeline.map((entry) => withoutLoopbackPorts(JSON.stringify(entry)));
}

export function describeViolation(violation: Violation): string {
  return `${violation.invariant} at ${violation.t}s${violation.service ? ` (${violation.service})` : ''}: ${violation.message}`;
}
