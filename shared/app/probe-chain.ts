/**
 * The probe chain's use cases (pure rules in ../domain/probe-chain, the lease in
 * ../store/probe-chain, the queue in ../aws/sqs):
 *
 * - `runChainLinks` — an SQS event from this location's chain queue (batch size 1): claim the
 *   link's slot, send the next link, then run one round (runProbeInvocation with the slot as its
 *   round number). The next link goes out BEFORE the round, so a round that throws or times out
 *   does not end the chain; a refused claim (second delivery, older generation) runs nothing and
 *   sends nothing, so a duplicate never forks the chain nor counts a vote twice. The handler does
 *   not throw for a round's trouble: a redelivered link could only be refused.
 * - `tendChain` — the one-minute schedule: read the lease and seed a new generation (slot 0, due
 *   now) when the next link is overdue. A lost link therefore heals at the next schedule tick, at
 *   most a minute after it was due.
 */
import {
  CHAIN_SOURCE,
  nextLink,
  refusedBecause,
  seedLink,
  startsAMinute,
  tendChain as decideTend,
  type ChainLink,
} from '../domain/probe-chain';
import { describeError, InputError, SwitchbackError } from '../errors';
import type { AppDeps } from './deps';
import { probeTickMs, runProbeInvocation, type RoundSummary } from './probe';

/** What one chain message did. */
export interface ChainLinkOutcome {
  link: ChainLink;
  /** False when the lease refused the link (nothing ran, nothing was sent). */
  ran: boolean;
  reason: string;
  rounds: RoundSummary[];
  error?: string;
}

/** An SQS event (what the event source mapping passes): `{ Records: [{ eventSource: 'aws:sqs', body }] }`. */
export function isSqsEvent(event: unknown): event is { Records: Array<{ eventSource: string; body: string }> } {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every((record) => (record as { eventSource?: unknown })?.eventSource === 'aws:sqs')
  );
}

/** The chain link in one SQS message body; InputError naming the problem otherwise. */
export function parseChainLink(body: string): ChainLink {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InputError('probe chain: the message body is not JSON');
  }
  const candidate = parsed as Record<string, unknown>;
  const problems = [
    candidate?.source === CHAIN_SOURCE ? '' : `source: must be ${CHAIN_SOURCE}`,
    typeof candidate?.location === 'string' && candidate.location.length > 0 ? '' : 'location: must be a region',
    Number.isInteger(candidate?.generation) && (candidate.generation as number) >= 1 ? '' : 'generation: must be a whole number ≥ 1',
    Number.isInteger(candidate?.slot) && (candidate.slot as number) >= 0 ? '' : 'slot: must be a whole number ≥ 0',
    Number.isFinite(candidate?.seedEpochMs) ? '' : 'seedEpochMs: must be epoch ms',
  ].filter(Boolean);
  if (problems.length > 0) throw new InputError(`probe chain: not a chain link: ${problems.join('; ')}`);
  return {
    location: candidate.location as string,
    generation: candidate.generation as number,
    slot: candidate.slot as number,
    seedEpochMs: candidate.seedEpochMs as number,
  };
}

function requireChain(deps: AppDeps): NonNullable<AppDeps['chain']> {
  if (!deps.chain)
    throw new SwitchbackError(`probe at ${deps.location} has no chain queue: deploy it with the probe chain (serverless/deployment.ts)`);
  return deps.chain;
}

export async function runChainLink(
  deps: AppDeps,
  link: ChainLink,
  invocation: { deadlineEpochMs: number; accountId?: string },
): Promise<ChainLinkOutcome> {
  const chain = requireChain(deps);
  if (link.location !== deps.location)
    throw new InputError(`probe chain: a link of ${link.location} reached the probe at ${deps.location} (one queue per location)`);
  const tickMs = probeTickMs(deps.config.services);
  const next = nextLink(link, deps.clock.now(), tickMs);
  const claim = await chain.store.claim(link, next.dueAtEpochMs);
  if (!claim.claimed) {
    const reason = refusedBecause(link, claim.lease);
    deps.emit({
      kind: 'chain',
      atEpochMs: deps.clock.now(),
      location: link.location,
      outcome: 'refused',
      generation: link.generation,
      slot: link.slot,
      reason,
    });
    return { link, ran: false, reason, rounds: [] };
  }
  let reason = `probe chain of ${link.location}: slot ${link.slot} runs, slot ${next.link.slot} sent with a ${next.delaySeconds} s timer`;
  try {
    await chain.queue.send(next.link, next.delaySeconds, invocation.accountId);
  } catch (error) {
    reason = `probe chain of ${link.location}: slot ${link.slot} runs, but the next link could not be sent (${describeError(error)}); the schedule seeds a new chain within a minute`;
    deps.emit({
      kind: 'chain',
      atEpochMs: deps.clock.now(),
      location: link.location,
      outcome: 'sendFailed',
      generation: link.generation,
      slot: link.slot,
      reason,
    });
  }
  try {
    const result = await runProbeInvocation(deps, {
      windowMs: 0,
      deadlineEpochMs: invocation.deadlineEpochMs,
      heartbeat: true,
      firstRound: link.slot,
      perMinuteWork: startsAMinute(link.slot, tickMs),
    });
    return { link, ran: true, reason, rounds: result.rounds };
  } catch (error) {
    const message = `probe chain of ${link.location}: round ${link.slot} failed: ${describeError(error)}`;
    deps.emit({ kind: 'error', atEpochMs: deps.clock.now(), message });
    return { link, ran: true, reason, rounds: [], error: message };
  }
}

/** The one-minute schedule's look at this location's chain: seed a new generation when the next link is overdue. */
export async function tendChain(deps: AppDeps, invocation: { accountId?: string }): Promise<{ seeded: boolean; reason: string }> {
  const chain = requireChain(deps);
  const lease = await chain.store.load(deps.location);
  const nowEpochMs = deps.clock.now();
  const health = decideTend(deps.location, lease, nowEpochMs);
  if (!health.seed) return { seeded: false, reason: health.reason };
  const link = seedLink(deps.location, lease, nowEpochMs);
  if (!(await chain.store.seed(link, lease)))
    return { seeded: false, reason: `probe chain of ${deps.location}: another invocation seeded generation ${link.generation} first` };
  await chain.queue.send(link, 0, invocation.accountId);
  deps.emit({
    kind: 'chain',
    atEpochMs: nowEpochMs,
    location: deps.location,
    outcome: 'seeded',
    generation: link.generation,
    slot: 0,
    reason: health.reason,
  });
  return { seeded: true, reason: health.reason };
}
