/**
 * The run journal: the active run lives in the service's STATE item, and every change to it is a
 * conditional write on the item's version that also renews the owner's lease (Patroni: lock
 * before acting; renew or step down).
 *
 * A write that loses the version race re-reads the item. If the run is still ours (someone else
 * changed another part of the state, or an operator asked for an abort), the change is re-applied
 * on what they wrote. If the lease now belongs to someone else, or the run is gone, the journal
 * throws LeaseLostError and the engine stops without another AWS call (fencing).
 */
import type { Clock } from '../clock';
import type { Run, ServiceState } from '../domain/types';
import { LeaseLostError, VersionConflictError, type Store } from '../store';

const MAX_WRITE_ATTEMPTS = 8;

export type RunMutation = (run: Run, nowEpochMs: number) => Run;

export type OpenResult =
  { kind: 'opened'; journal: RunJournal } | { kind: 'no-run'; reason: string; run?: Run } | { kind: 'not-owner'; reason: string; run: Run };

export class RunJournal {
  private lastWriteEpochMs: number;
  private lastRun: Run | undefined;
  /** Writes and reads of the item run one at a time (stage texts record their outcome alongside the steps). */
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when the execution "died" (a simulated crash in one parallel branch): nothing more is written or read. */
  private halted: Error | undefined;
  /** Steps that hold the lease past the usual TTL (a blocking hook), by step id: no write shortens it meanwhile. */
  private readonly leaseHolds = new Map<string, number>();

  private constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly service: string,
    readonly owner: string,
    readonly leaseTtlMs: number,
    private current: ServiceState,
  ) {
    this.lastWriteEpochMs = clock.now();
    this.lastRun = current.activeRun;
  }

  /**
   * Take the lease of the service's active run: free, expired, or already ours. Losing the race for
   * it (another owner wrote first) is not an error: the answer is `not-owner`. `prepare` changes the
   * run in the same conditional write (the engine journals its "started" text marker there: one
   * DynamoDB request fewer before the first step); on a lost race it is applied again to what won.
   */
  static async open(
    store: Store,
    clock: Clock,
    service: string,
    owner: string,
    leaseTtlMs: number,
    prepare: RunMutation = (run) => run,
  ): Promise<OpenResult> {
    for (let attempt = 1; ; attempt += 1) {
      const state = await store.getState(service);
      const run = state?.activeRun;
      if (!state || !run) return { kind: 'no-run', reason: `${service} has no active run` };
      const nowEpochMs = clock.now();
      const lease = run.lease;
      if (lease && lease.owner !== owner && lease.expiresAtEpochMs > nowEpochMs) {
        const seconds = Math.ceil((lease.expiresAtEpochMs - nowEpochMs) / 1000);
        return { kind: 'not-owner', run, reason: `run ${run.id} of ${service} is held by ${lease.owner} for ${seconds}s more` };
      }
      const taken: Run = { ...prepare(structuredClone(run), nowEpochMs), lease: { owner, expiresAtEpochMs: nowEpochMs + leaseTtlMs } };
      try {
        const saved = await store.saveState({ ...state, activeRun: taken }, state.version);
        return { kind: 'opened', journal: new RunJournal(store, clock, service, owner, leaseTtlMs, saved) };
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= MAX_WRITE_ATTEMPTS) throw error;
        // Someone wrote between our read and our write: read again and decide again.
      }
    }
  }

  /** The run as last stored (after the closing write, which clears `activeRun`: as it was before). */
  get run(): Run {
    if (this.current.activeRun) this.lastRun = this.current.activeRun;
    return this.lastRun as Run;
  }

  get state(): ServiceState {
    return this.current;
  }

  /** Apply `mutate` to the run and store it, renewing the lease (or setting its expiry, e.g. to now for a handoff). */
  async write(mutate: RunMutation, options: { leaseExpiresAtEpochMs?: number } = {}): Promise<Run> {
    await this.writeState((state, nowEpochMs) => ({
      ...state,
      activeRun: {
        ...mutate(structuredClone(state.activeRun as Run), nowEpochMs),
        lease: {
          owner: this.owner,
          expiresAtEpochMs: options.leaseExpiresAtEpochMs ?? Math.max(nowEpochMs + this.leaseTtlMs, ...this.leaseHolds.values()),
        },
      },
    }));
    return this.run;
  }

  /**
   * Replace the whole state (the run's last write: `finishRun` clears `activeRun`). `next` gets the
   * freshest state whose active run is still ours.
   */
  writeState(next: (state: ServiceState, nowEpochMs: number) => ServiceState): Promise<ServiceState> {
    return this.serialized(() => this.writeStateNow(next));
  }

  /**
   * Keep the lease until `untilEpochMs` while `stepId` runs (a parallel sibling's writes would
   * otherwise shorten it to the usual TTL); `undefined` lets it go.
   */
  holdLease(stepId: string, untilEpochMs: number | undefined): void {
    if (untilEpochMs === undefined) this.leaseHolds.delete(stepId);
    else this.leaseHolds.set(stepId, untilEpochMs);
  }

  /** Stop for good: every later write or read throws `error` (a dead Lambda writes nothing more). */
  halt(error: Error): void {
    this.halted = error;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(() => {
      if (this.halted) throw this.halted;
      return work();
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async writeStateNow(next: (state: ServiceState, nowEpochMs: number) => ServiceState): Promise<ServiceState> {
    for (let attempt = 1; ; attempt += 1) {
      const nowEpochMs = this.clock.now();
      try {
        this.lastRun = this.run;
        this.current = await this.store.saveState(next(structuredClone(this.current), nowEpochMs), this.current.version);
        this.lastWriteEpochMs = nowEpochMs;
        return this.current;
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        const fresh = await this.store.getState(this.service);
        this.assertStillOurs(fresh, error);
        this.current = fresh as ServiceState;
        if (attempt >= MAX_WRITE_ATTEMPTS) throw error;
      }
    }
  }

  /** Read the state again (an operator may have asked for an abort); LeaseLostError when the run is no longer ours. */
  refresh(): Promise<Run> {
    return this.serialized(async () => {
      const fresh = await this.store.getState(this.service);
      this.assertStillOurs(fresh, undefined);
      this.current = fresh as ServiceState;
      return this.run;
    });
  }

  /** Renew the lease when a third of its time has passed since the last write (long polls, backoff sleeps). */
  async renewIfDue(): Promise<void> {
    if (this.clock.now() - this.lastWriteEpochMs < this.leaseTtlMs / 3) return;
    await this.write((run) => run);
  }

  private assertStillOurs(fresh: ServiceState | undefined, cause: unknown): void {
    const run = fresh?.activeRun;
    const mine = this.run;
    if (!run || run.id !== mine.id || run.lease?.owner !== this.owner) {
      throw new LeaseLostError(this.service, mine.id, this.owner, run?.id === mine.id ? run.lease?.owner : undefined, { cause });
    }
  }
}
