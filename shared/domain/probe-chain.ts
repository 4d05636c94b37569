/**
 * The probe chain, pure part. Each probe location runs one round per invocation: the invocation
 * claims its slot, sends the next link (an SQS message with `DelaySeconds` = the time to the next
 * slot) and runs the round. Lambda bills only the round, not the sleep between rounds.
 *
 * Slots are counted from the chain's seed: slot `n` is due at `seedEpochMs + n × tickMs`, so the
 * rounding of `DelaySeconds` to whole seconds never adds up to drift. A late link skips to the next
 * slot still ahead instead of running the missed ones. `DelaySeconds` is 0 to 900
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html);
 * `intervalSeconds` is at most 60, so a link always fits in one message timer.
 *
 * The one-minute schedule tends the chain: when the lease says the next link is overdue (lost, or
 * its invocation died before sending it), it starts a new generation. Links of an older generation
 * and second deliveries of a claimed slot (SQS is at least once) are refused by the lease
 * (../store/probe-chain) and end their chain quietly.
 */

/** The body of a chain message. */
export interface ChainLink {
  location: string;
  generation: number;
  slot: number;
  /** When slot 0 of this generation was due. */
  seedEpochMs: number;
}

/** One item per location: the chain's generation, the last claimed slot and when the next link is due. */
export interface ChainLease {
  generation: number;
  /** -1 before slot 0 was claimed. */
  slot: number;
  seedEpochMs: number;
  /** When the link sent by the last claim is due (the seed time before any claim). */
  nextDueEpochMs: number;
}

/** SendMessage's DelaySeconds ceiling (15 minutes). */
export const MAX_DELAY_SECONDS = 900;
/**
 * How late a link may be before the schedule calls it lost: the event source mapping's poller and
 * the whole-second timer deliver a link up to about a second after it is due. A link that is only
 * slow and is replaced anyway costs nothing: the older generation's link is refused.
 */
export const CHAIN_OVERDUE_SLACK_MS = 2_000;
export const CHAIN_SOURCE = 'switchback.chain';

export function slotDueAtEpochMs(link: Pick<ChainLink, 'slot' | 'seedEpochMs'>, tickMs: number): number {
  return link.seedEpochMs + link.slot * tickMs;
}

/** The link to send after `link` ran at `nowEpochMs`: the next slot still ahead, and the timer that delivers it. */
export function nextLink(
  link: ChainLink,
  nowEpochMs: number,
  tickMs: number,
): { link: ChainLink; dueAtEpochMs: number; delaySeconds: number } {
  const ahead = Math.floor((nowEpochMs - link.seedEpochMs) / tickMs) + 1;
  const slot = Math.max(link.slot + 1, ahead);
  const next = { ...link, slot };
  const dueAtEpochMs = slotDueAtEpochMs(next, tickMs);
  const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((dueAtEpochMs - nowEpochMs) / 1000)));
  return { link: next, dueAtEpochMs, delaySeconds };
}

/** Slot 0 of a new generation, due now. */
export function seedLink(location: string, lease: ChainLease | undefined, nowEpochMs: number): ChainLink {
  return { location, generation: (lease?.generation ?? 0) + 1, slot: 0, seedEpochMs: nowEpochMs };
}

/** The first slot of each minute since the seed does the once-a-minute work (heartbeat, control-region watch). */
export function startsAMinute(slot: number, tickMs: number): boolean {
  return slot === 0 || Math.floor((slot * tickMs) / 60_000) !== Math.floor(((slot - 1) * tickMs) / 60_000);
}

export type ChainHealth = { seed: true; reason: string } | { seed: false; reason: string };

/** What the one-minute schedule decides about a location's chain. */
export function tendChain(location: string, lease: ChainLease | undefined, nowEpochMs: number): ChainHealth {
  if (!lease) return { seed: true, reason: `probe chain of ${location}: none yet, seeding generation 1` };
  const lateMs = nowEpochMs - lease.nextDueEpochMs;
  if (lateMs > CHAIN_OVERDUE_SLACK_MS)
    return {
      seed: true,
      reason: `probe chain of ${location}: the link due ${Math.round(lateMs / 1000)} s ago (generation ${lease.generation}, slot ${lease.slot + 1}) never ran, seeding generation ${lease.generation + 1}`,
    };
  return { seed: false, reason: `probe chain of ${location}: generation ${lease.generation} alive (slot ${lease.slot} claimed)` };
}

/** Why a claim was refused, from the lease the winner left. */
export function refusedBecause(link: ChainLink, lease: ChainLease | undefined): string {
  if (!lease) return `probe chain of ${link.location}: no lease for generation ${link.generation}, link dropped`;
  if (lease.generation !== link.generation)
    return `probe chain of ${link.location}: generation ${link.generation} was replaced by generation ${lease.generation}, link dropped`;
  return `probe chain of ${link.location}: slot ${link.slot} already ran (slot ${lease.slot} claimed), duplicate delivery dropped`;
}
