/**
 * The durable runbook engine ("step-function style"). `executeRun` takes the lease of a service's
 * active run, executes its steps from the first unfinished one, and closes the run: text the
 * people, archive the full timeline, move the service state on (`finishRun`), audit.
 *
 * Durability rules:
 * - The run lives in the STATE item; every step start and end is a conditional write on the item's
 *   version that renews the lease (see ./journal). A write lost to another owner stops the engine
 *   before its next AWS call (fencing).
 * - A crash leaves the step `running` and the lease to expire; whoever takes the lease next
 *   re-executes that step (actions are idempotent) and carries on.
 * - Before each step: an abort request ends the run `aborted` (the step's start write, conditional
 *   on the version, sees one that arrived since this execution's last write: no extra read); a
 *   deadline closer than `handoffMarginMs` hands the run on (lease released for the next invocation).
 * - People are texted once per stage per run: the marker is journalled BEFORE publishing, so a
 *   resumed run never sends a stage twice. A failed publish is recorded and never fails the run.
 */
import { runConcurrently } from '../clock';
import { AWS_ERROR_KINDS, classifyAwsError } from '../aws/errors';
import { getRetryOutcome, withRetry, type RetryInfo } from '../aws/retry';
import type { ServiceConfig } from '../config/types';
import { runMessage } from '../domain/messages';
import { planUnitIndices, resolveStepRefs } from '../domain/plan';
import { finishRun } from '../domain/state-machine';
import type { NotifyStage, PlanStep, Run, RunStatus, StepRecord } from '../domain/types';
import { describeError, firstLine, UnknownServiceError } from '../errors';
import { LeaseLostError } from '../store';
import { findAction } from '../actions';
import { stepAdapters, type ActionContext, type ActionResult } from '../actions/context';
import { boundOutput, boundText } from './bounded';
import { AbortRequestedError, CrashError, HandoffSignal, StepParamsError } from './errors';
import { RunJournal } from './journal';
import { publishToOnCall, type PublishOutcome } from './notifications';
import type { SmsEvent, StepEvent, TransitionEvent } from '../events';
import { ENGINE_OUTCOMES, type EngineDeps, type EngineOutcome, type ExecuteRunOptions } from './types';

export const DEFAULT_LEASE_TTL_MS = 60_000;
export const DEFAULT_HANDOFF_MARGIN_MS = 20_000;

/** What a stage marker says between "journalled" and "published": if it stays, the sender died in between. */
export const PENDING_NOTIFICATION_ERROR = 'sending: the outcome was never recorded (the sender stopped first)';

/** Actions that wait inside one call (no sleeps, so no lease renewal on the way). */
const STAGE_FOR_STATUS: Record<Exclude<RunStatus, 'running'>, NotifyStage> = {
  succeeded: 'succeeded',
  failed: 'failed',
  aborted: 'aborted',
};

export async function executeRun(serviceName: string, deps: EngineDeps, options: ExecuteRunOptions): Promise<EngineOutcome> {
  const service = deps.config.services.find((candidate) => candidate.name === serviceName);
  if (!service)
    throw new UnknownServiceError(
      serviceName,
      deps.config.services.map((candidate) => candidate.name),
    );
  const leaseTtlMs = deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  // The "started" text marker goes into the lease-taking write (journalled before the text is sent,
  // as every stage marker is): the first step's start is then the only write before its AWS call.
  let startedMarkedAtEpochMs: number | undefined;
  const opened = await RunJournal.open(deps.store, deps.clock, serviceName, options.owner, leaseTtlMs, (run, nowEpochMs) => {
    startedMarkedAtEpochMs = run.status === 'running' && !run.notifications.started ? nowEpochMs : undefined;
    if (startedMarkedAtEpochMs === undefined) return run;
    return { ...run, notifications: { ...run.notifications, started: pendingMarker(nowEpochMs) } };
  });
  if (opened.kind === 'no-run') return { status: ENGINE_OUTCOMES.noRun, reason: opened.reason };
  if (opened.kind === 'not-owner') {
    deps.logger.info(opened.reason, { service: serviceName, runId: opened.run.id, owner: options.owner });
    return { status: ENGINE_OUTCOMES.notOwner, run: opened.run, reason: opened.reason };
  }
  return new RunExecution(deps, service, opened.journal, options, startedMarkedAtEpochMs).execute();
}

function isControlSignal(error: unknown): boolean {
  return error instanceof LeaseLostError || error instanceof CrashError || error instanceof HandoffSignal;
}

function withStep(run: Run, index: number, change: (record: StepRecord) => StepRecord): Run {
  return { ...run, steps: run.steps.map((record, i) => (i === index ? change(record) : record)) };
}

function pendingMarker(atEpochMs: number) {
  return { atEpochMs, ok: false, error: PENDING_NOTIFICATION_ERROR };
}

/** Output and note as the journal keeps them: about 4 KB each (see ./bounded). */
function boundResult(result: ActionResult): ActionResult {
  if (!result.output) return result.note === undefined ? result : { note: boundText(result.note) };
  const { output, cutNote } = boundOutput(result.output);
  const note = [result.note, cutNote].filter((part): part is string => part !== undefined).join('; ');
  return { output, ...(note && { note: boundText(note) }) };
}

/** How a step ended; `abortedBy` when an operator's abort stopped it while it waited. */
/** What one unit of the plan (a step, or a parallel group) left to do: go on, the run is ended, or stop (hand-off). */
const UNIT = { next: 'next', ended: 'ended' } as const;
type UnitResult = (typeof UNIT)[keyof typeof UNIT] | EngineOutcome;

type StepEnd = { failed: false } | { failed: true; error: string; abortedBy?: string };

/** What the engine emits, before it stamps the time and the service on it. */
type EngineEvent = Unstamped<StepEvent> | Unstamped<SmsEvent> | Unstamped<TransitionEvent>;
type Unstamped<E> = Omit<E, 'atEpochMs' | 'service'>;

class RunExecution {
  private readonly handoffMarginMs: number;
  /** Stage texts on their way out: they never hold up a step; a hand-off or close waits for them. */
  private readonly textsInFlight = new Set<Promise<void>>();
  /** Set once this execution lost the run or "died": texts still in flight record nothing. */
  private stopped = false;
  /** When this invocation took the run: a fresh one would have `deadline - this` to work with. */
  private readonly executionStartedAtEpochMs: number;

  constructor(
    private readonly deps: EngineDeps,
    private readonly service: ServiceConfig,
    private readonly journal: RunJournal,
    private readonly options: ExecuteRunOptions,
    /** Set when taking the lease journalled the "started" marker: this execution sends that text. */
    private readonly startedMarkedAtEpochMs?: number,
  ) {
    this.handoffMarginMs = deps.handoffMarginMs ?? DEFAULT_HANDOFF_MARGIN_MS;
    this.executionStartedAtEpochMs = deps.clock.now();
  }

  private get run(): Run {
    return this.journal.run;
  }

  /** The whole run ends by then (`runTimeoutSeconds` after it started): no service stays in FAILING_* forever. */
  private get runDeadlineEpochMs(): number {
    return this.run.startedAtEpochMs + this.service.runTimeoutSeconds * 1000;
  }

  private runLimitNote(): string {
    return `run time limit of ${this.service.runTimeoutSeconds}s reached`;
  }

  async execute(): Promise<EngineOutcome> {
    try {
      this.log('info', `run ${this.run.id} taken by ${this.options.owner}`, { status: this.run.status });
      if (this.run.status === 'running') {
        const stopped = await this.executeSteps();
        if (stopped) return stopped;
        return await this.close(true);
      }
      // A previous owner ended the run but died before closing it: close it (its stage text is already marked).
      return await this.close(false);
    } catch (error) {
      return this.stopOn(error);
    }
  }

  /** The control signals end an execution without failing the run; anything else is a real error (the lease then expires). */
  private async stopOn(error: unknown): Promise<EngineOutcome> {
    if (error instanceof LeaseLostError) {
      this.stopped = true;
      this.log('warn', `stopping: ${error.message}`);
      await this.settleTexts();
      return { status: ENGINE_OUTCOMES.notOwner, run: this.run, reason: error.message };
    }
    if (error instanceof CrashError) {
      // The Lambda "died": no write, no call; the lease expires and the next invocation resumes.
      this.stopped = true;
      return { status: ENGINE_OUTCOMES.crashed, run: this.run, reason: error.message };
    }
    if (error instanceof HandoffSignal) {
      try {
        return await this.handoff();
      } catch (handoffError) {
        return this.stopOn(handoffError);
      }
    }
    this.stopped = true;
    throw error;
  }

  /** Run the steps from the first unfinished one. Returns an outcome when stopping early (handoff), else undefined once the run is ended. */
  private async executeSteps(): Promise<EngineOutcome | undefined> {
    if (this.startedMarkedAtEpochMs !== undefined) this.sendStage('started', this.startedMarkedAtEpochMs);
    else if (!this.run.notifications.started) await this.notifyStage('started');
    for (const unit of planUnitIndices(this.run.plan)) {
      const result = this.run.plan[unit[0]].parallel === undefined ? await this.executeOwnStep(unit[0]) : await this.executeGroup(unit);
      if (result === UNIT.ended) return undefined;
      if (result !== UNIT.next) return result;
    }
    await this.endRun('succeeded');
    return undefined;
  }

  /** A step of its own: skip it if done, else check the boundary and run it; `ended` once the run is ended. */
  private async executeOwnStep(index: number): Promise<UnitResult> {
    const step = this.run.plan[index];
    const record = this.run.steps[index];
    if (record.status === 'succeeded' || record.status === 'skipped') return UNIT.next;
    if (record.status === 'failed') {
      if (step.onFailure === 'continue') return UNIT.next;
      // Resumed after the step failed but before the run was ended.
      await this.endRun('failed', `${step.id} (${step.action}): ${record.error ?? 'failed'}`);
      return UNIT.ended;
    }
    // No read of the item here: the step's start write is conditional on the version this execution
    // last wrote or read, so an abort requested since then makes it re-read, and it stops there.
    const stop = await this.atBoundary(this.run, [index], step.id, `${step.id} (${step.action})`);
    if (stop) return stop;
    let end: StepEnd;
    try {
      end = await this.executeStep(index, { stopOnAbortRequest: true });
    } catch (error) {
      if (!(error instanceof AbortRequestedError)) throw error;
      return this.abortBefore(error.by, step.id);
    }
    return this.afterSteps([index], [end], '');
  }

  /**
   * A parallel group: its unfinished branches run at once (a resumed group never re-runs a branch
   * that ended). A branch that fails does not stop the others: every branch in flight settles (its
   * own retries included) before the group ends, and nothing after the group starts. The group fails
   * the run when a branch with `onFailure: abort` failed.
   */
  private async executeGroup(unit: number[]): Promise<UnitResult> {
    const label = String(this.run.plan[unit[0]].parallel);
    const todo = unit.filter((index) => this.run.steps[index].status === 'pending' || this.run.steps[index].status === 'running');
    if (todo.length > 0) {
      // Its branches start with one write each, at once: the abort request is read once for all of them.
      const stop = await this.atBoundary(await this.journal.refresh(), todo, `parallel group ${label}`, `parallel group ${label}`);
      if (stop) return stop;
      const settled = await Promise.allSettled(
        todo.map((index) => runConcurrently(this.deps.clock, `branch ${this.run.plan[index].id}`, () => this.executeBranch(index))),
      );
      const rejected = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
      // A "dead" branch stops the whole execution; then losing the lease, then a hand-off; then any other error.
      const first = [CrashError, LeaseLostError, HandoffSignal]
        .map((kind) => rejected.find((error) => error instanceof kind))
        .find(Boolean);
      if (first ?? rejected[0]) throw first ?? rejected[0];
      const ends = settled.map((outcome) => (outcome as PromiseFulfilledResult<StepEnd>).value);
      const result = await this.afterSteps(todo, ends, `${label}: `);
      if (result !== UNIT.next) return result;
    }
    // A branch that failed before a crash or hand-off (its siblings then in flight have settled above).
    const failedBefore = unit.find(
      (index) => !todo.includes(index) && this.run.steps[index].status === 'failed' && this.run.plan[index].onFailure === 'abort',
    );
    if (failedBefore !== undefined) {
      const step = this.run.plan[failedBefore];
      await this.endRun('failed', `${label}: ${step.id} (${step.action}): ${this.run.steps[failedBefore].error ?? 'failed'}`);
      return UNIT.ended;
    }
    return UNIT.next;
  }

  /** A branch: a "crash" of one stops the journal for all (a dead Lambda writes nothing more). */
  private async executeBranch(index: number): Promise<StepEnd> {
    try {
      return await this.executeStep(index);
    } catch (error) {
      if (error instanceof CrashError) this.journal.halt(error);
      throw error;
    }
  }

  /** End the run for an abort request found before `before` started (between steps, or by a step's start write). */
  private async abortBefore(by: string, before: string): Promise<UnitResult> {
    await this.endRun('aborted', `aborted by ${by} before ${before}`);
    return UNIT.ended;
  }

  /**
   * Before work starts (a step, or a group's unfinished branches): an abort request ends the run; so
   * does the run deadline for work that may fail the run; a near invocation deadline hands it on.
   */
  private async atBoundary(fresh: Run, indices: number[], before: string, what: string): Promise<UnitResult | undefined> {
    if (fresh.abortRequested) return this.abortBefore(fresh.abortRequested.by, before);
    // Steps that may fail the run get no time past the run deadline; the others (DNS wait, cleanup) get one last look.
    const mayFailRun = indices.some((index) => this.run.plan[index].onFailure === 'abort');
    if (mayFailRun && this.deps.clock.now() >= this.runDeadlineEpochMs) {
      await this.endRun('failed', `${this.runLimitNote()} before ${what}`);
      return UNIT.ended;
    }
    if (this.deps.clock.now() + this.handoffMarginMs > this.options.deadlineEpochMs) return this.handoff();
    if (indices.some((index) => this.betterInAFreshInvocation(index))) return this.handoff();
    return undefined;
  }

  /** End the run if a step (or branch) was aborted or failed with `onFailure: abort`. */
  private async afterSteps(indices: number[], ends: StepEnd[], prefix: string): Promise<UnitResult> {
    const aborted = ends.findIndex((end) => end.failed && end.abortedBy !== undefined);
    if (aborted >= 0) {
      const end = ends[aborted] as Extract<StepEnd, { failed: true }>;
      await this.endRun('aborted', `aborted by ${String(end.abortedBy)} during ${this.run.plan[indices[aborted]].id}`);
      return UNIT.ended;
    }
    const failed = ends.findIndex((end, k) => end.failed && this.run.plan[indices[k]].onFailure === 'abort');
    if (failed >= 0) {
      const step = this.run.plan[indices[failed]];
      await this.endRun('failed', `${prefix}${step.id} (${step.action}): ${(ends[failed] as Extract<StepEnd, { failed: true }>).error}`);
      return UNIT.ended;
    }
    return UNIT.next;
  }

  /**
   * A step that blocks in one call (a synchronous hook) cannot hand off midway: if what is left of
   * this invocation cannot cover its budget while a fresh invocation could give it more, hand the
   * run on before calling (a hook cut short by our own deadline may still run and is not called again).
   */
  private betterInAFreshInvocation(index: number): boolean {
    const step = this.run.plan[index];
    if (!findAction(step.action)?.holdsLeaseForTimeout) return false;
    const nowEpochMs = this.deps.clock.now();
    const budgetEndsAtEpochMs = Math.min(this.run.steps[index].budgetEndsAtEpochMs ?? nowEpochMs + step.timeoutMs, this.runDeadlineEpochMs);
    const neededMs = budgetEndsAtEpochMs - nowEpochMs;
    const leftMs = this.options.deadlineEpochMs - this.handoffMarginMs - nowEpochMs;
    const freshMs = this.options.deadlineEpochMs - this.handoffMarginMs - this.executionStartedAtEpochMs;
    return neededMs > leftMs && freshMs > leftMs + 1_000;
  }

  /**
   * `stopOnAbortRequest`: the start write throws AbortRequestedError (nothing written, nothing
   * called) if the run it is applied to has an abort request: one that arrived after this
   * execution's last write makes that write lose the version race and re-read the item.
   */
  private async executeStep(index: number, options: { stopOnAbortRequest?: boolean } = {}): Promise<StepEnd> {
    const step = this.run.plan[index];
    const action = findAction(step.action);
    // A step that blocks in one call (a user hook may run for minutes) cannot renew its lease while it
    // waits: hold the lease for the step's whole budget so nobody runs the hook a second time meanwhile.
    // The budget is fixed by the first attempt and journalled with it: a hand-off or resume continues with what remains.
    const previous = this.run.steps[index];
    const budgetEndsAtEpochMs = previous.budgetEndsAtEpochMs ?? this.deps.clock.now() + step.timeoutMs;
    const deadlineEpochMs = Math.min(budgetEndsAtEpochMs, this.runDeadlineEpochMs);
    const remainingMs = Math.max(0, deadlineEpochMs - this.deps.clock.now());
    const leaseMs = action?.holdsLeaseForTimeout ? Math.max(this.journal.leaseTtlMs, remainingMs) : this.journal.leaseTtlMs;
    if (action?.holdsLeaseForTimeout) this.journal.holdLease(step.id, this.deps.clock.now() + leaseMs);
    const started = await this.journal.write(
      (run, nowEpochMs) => {
        if (options.stopOnAbortRequest && run.abortRequested) throw new AbortRequestedError(run.abortRequested.by);
        return withStep(run, index, (record) => ({
          id: record.id,
          action: record.action,
          status: 'running',
          attempts: record.attempts + 1,
          startedAtEpochMs: record.startedAtEpochMs ?? nowEpochMs,
          budgetEndsAtEpochMs: record.budgetEndsAtEpochMs ?? budgetEndsAtEpochMs,
        }));
      },
      { leaseExpiresAtEpochMs: this.deps.clock.now() + leaseMs },
    );
    const priorAttempts = started.steps[index].attempts - 1;
    const startedAtEpochMs = started.steps[index].startedAtEpochMs as number;
    this.emit({
      kind: 'step',
      phase: 'started',
      step: step.id,
      action: step.action,
      attempts: started.steps[index].attempts,
      runId: started.id,
    });
    this.deps.faults?.afterStepStart?.(step, started);

    try {
      if (!action) throw new StepParamsError(`step ${step.id}: unknown action ${step.action}`);
      const params = resolveStepRefs(step.params, started.steps, started.failover);
      const { value, attempts } = await withRetry(
        (attempt) => action.run(this.actionContext(started, step, deadlineEpochMs, attempt), params),
        { ...step.retry, budgetMs: remainingMs },
        {
          sleep: (ms) => this.sleep(ms),
          random: () => this.deps.random(),
          now: () => this.deps.clock.now(),
          classify: (error) =>
            isControlSignal(error) || error instanceof AbortRequestedError ? AWS_ERROR_KINDS.fatal : classifyAwsError(error),
          onRetry: (info) => this.onRetry(step, info),
        },
      ).finally(() => this.journal.holdLease(step.id, undefined));
      await this.endStep(index, step, priorAttempts + attempts, value);
      return { failed: false };
    } catch (error) {
      if (isControlSignal(error)) throw error;
      const attempts = priorAttempts + (getRetryOutcome(error)?.attempts ?? 1);
      // Cut short by the run deadline rather than its own budget: say so first (it is what people must read).
      const cutByRun = this.runDeadlineEpochMs < budgetEndsAtEpochMs && this.deps.clock.now() >= this.runDeadlineEpochMs;
      // Bounded: a hook may fail with 450 KB of text, and the run lives in one DynamoDB item (400 KB at most).
      const message = boundText(cutByRun ? `${this.runLimitNote()}: ${firstLine(describeError(error))}` : firstLine(describeError(error)));
      const abortedBy = error instanceof AbortRequestedError ? error.by : undefined;
      const ended = await this.journal.write((run, nowEpochMs) =>
        withStep(run, index, (record) => ({ ...record, status: 'failed', attempts, endedAtEpochMs: nowEpochMs, error: message })),
      );
      const durationMs = (ended.steps[index].endedAtEpochMs as number) - startedAtEpochMs;
      this.emit({
        kind: 'step',
        phase: 'failed',
        step: step.id,
        action: step.action,
        attempts,
        durationMs,
        error: message,
        runId: ended.id,
      });
      return { failed: true, error: message, ...(abortedBy !== undefined && { abortedBy }) };
    }
  }

  private async endStep(index: number, step: PlanStep, attempts: number, unbounded: ActionResult): Promise<void> {
    const result = boundResult(unbounded);
    const ended = await this.journal.write((run, nowEpochMs) =>
      withStep(run, index, (record) => ({
        ...record,
        status: 'succeeded',
        attempts,
        endedAtEpochMs: nowEpochMs,
        ...(result.output && { output: result.output }),
        ...(result.note && { note: result.note }),
      })),
    );
    const record = ended.steps[index];
    const durationMs = (record.endedAtEpochMs as number) - (record.startedAtEpochMs as number);
    this.emit({
      kind: 'step',
      phase: 'succeeded',
      step: step.id,
      action: step.action,
      attempts,
      durationMs,
      ...(result.note && { note: result.note }),
      runId: ended.id,
    });
  }

  private onRetry(step: PlanStep, info: RetryInfo): void {
    const error = firstLine(describeError(info.error));
    this.emit({
      kind: 'step',
      phase: 'retrying',
      step: step.id,
      action: step.action,
      attempts: info.attempt,
      delayMs: info.delayMs,
      error,
      runId: this.run.id,
    });
  }

  private actionContext(run: Run, step: PlanStep, deadlineEpochMs: number, attempt: number): ActionContext {
    const aws = this.deps.aws;
    return {
      config: this.deps.config,
      service: this.service,
      run,
      step,
      deadlineEpochMs,
      invocationDeadlineEpochMs: this.options.deadlineEpochMs - this.handoffMarginMs,
      attempt,
      aws: {
        route53: aws.route53,
        ec2: () => (typeof aws.ec2 === 'function' ? aws.ec2() : aws.ec2),
        cloudWatch: aws.cloudWatch,
        lambda: aws.lambda,
        ...stepAdapters(aws.steps),
      },
      prober: this.deps.prober,
      clock: this.deps.clock,
      sleep: (ms) => this.sleep(ms),
      logger: this.deps.logger,
      publish: (text) => this.publish(text, { step: step.id }),
      readRun: () => this.journal.refresh(),
      updateRun: (change) => this.journal.write((current) => change(current)),
      reportDnsPending: (waitedSeconds) => this.reportDnsPending(waitedSeconds),
    };
  }

  /**
   * Every wait inside a step goes through here: it hands the run on instead of sleeping into the
   * invocation's deadline, and renews the lease while a long step polls.
   */
  private async sleep(ms: number): Promise<void> {
    const wakeAtEpochMs = this.deps.clock.now() + ms;
    if (wakeAtEpochMs + this.handoffMarginMs > this.options.deadlineEpochMs) {
      throw new HandoffSignal(`run ${this.run.id}: the invocation deadline is near; handing the run on mid-step`);
    }
    await this.deps.clock.sleep(ms);
    await this.journal.renewIfDue();
  }

  private async reportDnsPending(waitedSeconds: number): Promise<void> {
    if (!this.run.dnsPending) await this.journal.write((run) => ({ ...run, dnsPending: true }));
    await this.notifyStage('dnsPending', { durationSeconds: waitedSeconds });
  }

  /**
   * Text one stage at most once per run: journal the marker, then publish and record the outcome
   * in the background, so a slow or failing SNS never delays a step (DNS above all).
   */
  private async notifyStage(stage: NotifyStage, extra: { durationSeconds?: number; error?: string } = {}): Promise<void> {
    if (this.run.notifications[stage]) return;
    const marked = await this.journal.write((run, nowEpochMs) => ({
      ...run,
      notifications: { ...run.notifications, [stage]: pendingMarker(nowEpochMs) },
    }));
    this.sendStage(stage, (marked.notifications[stage] as { atEpochMs: number }).atEpochMs, extra);
  }

  /** Send a stage text whose marker this execution has journalled, in the background (see notifyStage). */
  private sendStage(stage: NotifyStage, atEpochMs: number, extra: { durationSeconds?: number; error?: string } = {}): void {
    const text = runMessage(stage, this.run, extra);
    // Subscribed to only by settleTexts: a simulated clock takes subscribing as waiting for it.
    const sending = runConcurrently(this.deps.clock, `text ${stage}`, async () => {
      try {
        await this.publishAndRecord(stage, text, atEpochMs);
      } catch (error) {
        this.log('warn', `could not record the outcome of the ${stage} text: ${firstLine(describeError(error))}`);
      }
    });
    this.textsInFlight.add(sending);
  }

  private async publishAndRecord(stage: NotifyStage, text: string, atEpochMs: number): Promise<void> {
    const outcome = await this.publish(text, { stage });
    if (this.stopped) return;
    await this.journal.write((run) => ({ ...run, notifications: { ...run.notifications, [stage]: this.marker(atEpochMs, outcome) } }));
  }

  /** Wait for the texts still on their way (before closing or handing the run on). */
  private async settleTexts(): Promise<void> {
    while (this.textsInFlight.size > 0) {
      const sending = [...this.textsInFlight];
      this.textsInFlight.clear();
      await Promise.all(sending);
    }
  }

  private marker(atEpochMs: number, outcome: PublishOutcome) {
    return outcome.ok ? { atEpochMs, ok: true } : { atEpochMs, ok: false, error: outcome.error ?? 'not sent' };
  }

  private async publish(text: string, meta: { stage: NotifyStage } | { step: string }): Promise<PublishOutcome> {
    const outcome = await publishToOnCall(
      {
        config: this.deps.config,
        sns: this.deps.aws.sns,
        clock: this.deps.clock,
        random: () => this.deps.random(),
      },
      this.service.name,
      text,
    );
    this.emit({ kind: 'sms', text, ok: outcome.ok, ...(outcome.error && { error: outcome.error }), runId: this.run.id, ...meta });
    return outcome;
  }

  /** End the run (status, end time, untouched steps skipped) and journal its stage marker in the same write. */
  private async endRun(status: Exclude<RunStatus, 'running'>, error?: string): Promise<void> {
    const stage = STAGE_FOR_STATUS[status];
    await this.journal.write((run, nowEpochMs) => ({
      ...run,
      status,
      endedAtEpochMs: nowEpochMs,
      ...(error !== undefined && { error }),
      steps:
        status === 'succeeded'
          ? run.steps
          : run.steps.map((record) => (record.status === 'pending' ? { ...record, status: 'skipped' as const } : record)),
      notifications: run.notifications[stage] ? run.notifications : { ...run.notifications, [stage]: pendingMarker(nowEpochMs) },
    }));
    this.log(status === 'succeeded' ? 'info' : 'warn', `run ${this.run.id} ${status}${error ? `: ${error}` : ''}`);
  }

  /**
   * Close an ended run: text its stage (only when this execution journalled the marker), archive
   * it, move the service state on with `finishRun`, audit. Archiving first keeps the timeline even
   * if we die before the state write (the next owner archives again: same key, same run).
   */
  private async close(sendStage: boolean): Promise<EngineOutcome> {
    const stage = STAGE_FOR_STATUS[this.run.status as Exclude<RunStatus, 'running'>];
    await this.settleTexts();
    if (sendStage) {
      const atEpochMs = this.run.notifications[stage]?.atEpochMs ?? this.deps.clock.now();
      const outcome = await this.publish(runMessage(stage, this.run), { stage });
      await this.journal.write((run) => ({ ...run, notifications: { ...run.notifications, [stage]: this.marker(atEpochMs, outcome) } }));
    }
    const { lease: _lease, ...archived } = this.run;
    await this.deps.store.archiveRun(archived);

    const from = this.journal.state.state;
    let reason = '';
    const closed = await this.journal.writeState((state, nowEpochMs) => {
      // Re-applied on the freshest state if someone else wrote meanwhile; keep what they changed in the run (nothing we need).
      const finished = finishRun({ ...state, activeRun: archived }, archived, nowEpochMs);
      reason = finished.reason;
      return finished.state;
    });
    const atEpochMs = this.deps.clock.now();
    this.emit({ kind: 'transition', from, to: closed.state, reason, runId: archived.id });
    try {
      await this.deps.store.appendEvent(this.service.name, {
        atEpochMs,
        type: 'transition',
        reason,
        data: { from, to: closed.state, runId: archived.id, kind: archived.kind, status: archived.status },
      });
    } catch (error) {
      // The audit trail must never undo a finished run.
      this.log('warn', `could not append the audit event: ${firstLine(describeError(error))}`);
    }
    return { status: ENGINE_OUTCOMES.finished, run: archived, reason };
  }

  /** Stop before the deadline: release the lease (expires now) so the next invocation takes the run at once. */
  private async handoff(): Promise<EngineOutcome> {
    // Their outcome is written while we still hold the lease (a later write would take it back).
    await this.settleTexts();
    const remainingSeconds = Math.max(0, Math.round((this.options.deadlineEpochMs - this.deps.clock.now()) / 1000));
    const run = await this.journal.write((current) => current, { leaseExpiresAtEpochMs: this.deps.clock.now() });
    const reason = `run ${run.id} handed on with ${remainingSeconds}s left before the deadline`;
    this.log('info', reason);
    return { status: ENGINE_OUTCOMES.handoff, run, reason };
  }

  private emit(event: EngineEvent): void {
    this.deps.emit({ ...event, atEpochMs: this.deps.clock.now(), service: this.service.name });
  }

  private log(level: 'info' | 'warn', message: string, extra: Record<string, unknown> = {}): void {
    this.deps.logger[level](message, { service: this.service.name, runId: this.run.id, ...extra });
  }
}
