/**
 * Shrinking a failing schedule (delta debugging, Zeller's ddmin, over its events and faults): keep
 * removing chunks of the schedule while the same invariant still breaks for the same service,
 * then cut the duration down to just after the violation and simplify what is left (one delivery
 * instead of several, a fault that fires once). Every candidate is a real run on the simulator, so
 * the result is a scenario that reproduces the violation, not a guess.
 */
import type { ScenarioDocument } from './generate';
import type { Violation } from './invariants';
import { parseDurationMs } from '../scenario';
import { parseSchedule, runChecked, type RunOptions } from './check';

type Unit = { kind: 'event' | 'fault'; value: Record<string, unknown> } | { kind: 'timeouts'; value: Record<string, number> };

export interface ShrinkBudget {
  /** Most simulation runs the shrink may use. */
  maxRuns: number;
}

export interface ShrinkResult {
  document: ScenarioDocument;
  violation: Violation;
  runs: number;
}

function unitsOf(document: ScenarioDocument): Unit[] {
  return [
    ...document.events.map((value) => ({ kind: 'event' as const, value })),
    ...document.faults.map((value) => ({ kind: 'fault' as const, value })),
    ...(document.timeouts ? [{ kind: 'timeouts' as const, value: document.timeouts as Record<string, number> }] : []),
  ];
}

function withUnits(document: ScenarioDocument, units: Unit[]): ScenarioDocument {
  const { timeouts: _timeouts, ...rest } = document;
  const timeouts = units.find((unit) => unit.kind === 'timeouts');
  return {
    ...rest,
    events: units.filter((unit) => unit.kind === 'event').map((unit) => unit.value),
    faults: units.filter((unit) => unit.kind === 'fault').map((unit) => unit.value),
    ...(timeouts ? { timeouts: timeouts.value } : {}),
  };
}

function sameViolation(target: Violation) {
  return (violation: Violation) => violation.invariant === target.invariant && violation.service === target.service;
}

export async function shrinkSchedule(
  original: ScenarioDocument,
  target: Violation,
  options: RunOptions,
  budget: ShrinkBudget,
): Promise<ShrinkResult> {
  let runs = 0;
  let best = { document: original, violation: target };

  /** Does `document` still break the target invariant? Remembers the smallest that does. */
  async function stillFails(document: ScenarioDocument): Promise<boolean> {
    if (runs >= budget.maxRuns) return false;
    runs += 1;
    let scenario;
    try {
      scenario = parseSchedule(document);
    } catch {
      return false; // e.g. duration cut before an event
    }
    const { violations } = await runChecked(scenario, options);
    const found = violations.find(sameViolation(target));
    if (!found) return false;
    best = { document, violation: found };
    return true;
  }

  // ddmin over the schedule's units.
  let units = unitsOf(original);
  let granularity = 2;
  while (units.length >= 1 && runs < budget.maxRuns) {
    const size = Math.ceil(units.length / granularity);
    let reduced = false;
    for (let start = 0; start < units.length; start += size) {
      const complement = [...units.slice(0, start), ...units.slice(start + size)];
      if (await stillFails(withUnits(original, complement))) {
        units = complement;
        granularity = Math.max(granularity - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size <= 1) break;
      granularity = Math.min(units.length, granularity * 2);
    }
  }

  // A shorter scenario: end a minute after the violation (liveness needs its full settle time).
  if (target.invariant !== 'liveness') {
    const seconds = (value: unknown) => parseDurationMs(value as string | number) / 1000;
    const lastEventSeconds = Math.max(0, ...best.document.events.map((event) => seconds(event.at)));
    const durationSeconds = Math.ceil(Math.max(best.violation.t, lastEventSeconds) + 60);
    if (durationSeconds < seconds(best.document.duration)) await stillFails({ ...best.document, duration: `${durationSeconds}s` });
  }

  // Simpler units: one delivery, a fault that fires once, no `after`.
  for (let index = 0; index < best.document.events.length; index++) {
    const event = best.document.events[index];
    if (event.repeat === undefined) continue;
    const { repeat: _repeat, ...single } = event;
    const events = best.document.events.map((candidate, i) => (i === index ? single : candidate));
    await stillFails({ ...best.document, events });
  }
  for (let index = 0; index < best.document.faults.length; index++) {
    const fault = best.document.faults[index];
    if (!('api' in fault) || (fault.times === 1 && !fault.after)) continue;
    const { after: _after, ...rest } = fault;
    const faults = best.document.faults.map((candidate, i) => (i === index ? { ...rest, times: 1 } : candidate));
    await stillFails({ ...best.document, faults });
  }
  return { ...best, runs };
}
