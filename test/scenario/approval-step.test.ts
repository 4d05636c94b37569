/**
 * The `approval` step on the simulated world: it texts its question and waits for
 * `control approve`; approved, the failover continues; unanswered, it aborts (or continues, if the
 * config says so); an abort while it waits ends the run aborted; a crash or a hand-off keeps both
 * the request (texted once) and the clock (counted from the step's first start).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { runScenario, type SimulationResult } from '../../sim/runner';
import { parseScenario } from '../../sim/scenario';
import { SCENARIOS, smsTexts } from './scenario-kit';

const SUITE = join(SCENARIOS, 'suite');
const QUESTION = 'promote west, losing up to 5s of writes?';

function withApproval(approval: Record<string, unknown>, events: unknown[], options: { faults?: unknown[]; duration?: string } = {}) {
  const config = parseDocument(readFileSync(join(SCENARIOS, 'configs', 'web.yml'), 'utf8')).toJS() as {
    services: { secondary: { prepare: Record<string, unknown>[] } }[];
  };
  config.services[0].secondary.prepare.unshift({ id: 'ok-to-promote', approval: { message: QUESTION, ...approval } });
  return parseScenario(
    {
      name: 'approval',
      config,
      duration: options.duration ?? '12m',
      events: [{ at: '1m', site: 'web/primary', health: 'down' }, ...events],
      faults: options.faults ?? [],
    },
    SUITE,
  );
}

const control = (at: string, action: string, by = 'carol') => ({
  at,
  invoke: { function: 'control', payload: { action, service: 'web', by } },
});
const statusAt = (at: string) => ({ at, invoke: { function: 'status', payload: { service: 'web' } } });

function invokeResults(result: SimulationResult, fn: string): unknown[] {
  return result.timeline.flatMap((entry) => (entry.kind === 'invoke' && entry.function === fn && 'result' in entry ? [entry.result] : []));
}

function approvalStepEvents(result: SimulationResult) {
  return result.timeline.filter((entry) => entry.kind === 'step' && entry.step === 'ok-to-promote');
}

const requests = (result: SimulationResult) => smsTexts(result).filter((text) => text.includes(`approve? ${QUESTION}`));

test('approved: the request is texted once, status shows the wait, and the failover continues', async () => {
  const result = await runScenario(withApproval({ timeoutSeconds: 600 }, [statusAt('3m'), control('4m', 'approve')]));
  expect(result.summary.accessDenied).toEqual([]);
  expect(result.summary.errors).toEqual([]);
  expect(result.summary.runs[0]).toMatchObject({ kind: 'failover', status: 'succeeded' });
  expect(result.summary.services.web.dnsTarget).toEqual(['198.51.100.20']);
  expect(requests(result)).toEqual([
    expect.stringMatching(
      /^\[switchback\] web: approve\? promote west, losing up to 5s of writes\? \(control approve within 600s, else abort\)$/,
    ),
  ]);
  const [status] = invokeResults(result, 'status') as Array<{ services: Array<{ activeRun?: { waiting?: string } }> }>;
  expect(status.services[0].activeRun?.waiting).toMatch(/^waiting for approval: promote west, losing up to 5s of writes\? \(\d+s left\)$/);
  const [answer] = invokeResults(result, 'control') as Array<{ accepted: boolean; reason: string }>;
  expect(answer).toMatchObject({ accepted: true, reason: `approved by carol: ok-to-promote (${QUESTION}); the failover continues` });
  const succeeded = approvalStepEvents(result).find((entry) => entry.kind === 'step' && entry.phase === 'succeeded');
  expect(succeeded).toMatchObject({ note: expect.stringMatching(/^approved by carol after \d+s; the failover continues$/) });
  expect(smsTexts(result)).toContainEqual(
    expect.stringMatching(/^\[switchback\] web: approved by carol after \d+s; the failover continues$/),
  );
  // Approving is the only thing that moved it on: the next step started after the approve.
  const approvedAt = result.timeline.find((entry) => entry.kind === 'invoke' && entry.function === 'control')?.t as number;
  const ec2Start = result.timeline.find((entry) => entry.kind === 'step' && entry.action === 'ec2.start' && entry.phase === 'started');
  expect(ec2Start?.t).toBeGreaterThanOrEqual(approvedAt);
});

test('unanswered with onTimeout abort: the run fails at the timeout, DNS unchanged, and the text says why', async () => {
  const result = await runScenario(withApproval({ timeoutSeconds: 120 }, []));
  expect(result.summary.errors).toEqual([]);
  expect(result.summary.runs[0]).toMatchObject({ kind: 'failover', status: 'failed' });
  expect(result.summary.runs[0].steps.map((step) => `${step.name} ${step.status}`)).toEqual([
    'ok-to-promote failed',
    'ec2.start#1 skipped',
    'ec2.associateAddress#1 skipped',
    'http.waitHealthy#1 skipped',
    'route53.switch#1 skipped',
    'route53.waitInSync#1 skipped',
  ]);
  expect(result.summary.services.web.finalState).toBe('FAILOVER_FAILED');
  expect(result.summary.services.web.dnsTarget).toEqual(['203.0.113.10']);
  expect(result.summary.apiCalls['ec2.StartInstances'] ?? 0).toBe(0);
  expect(smsTexts(result)).toContain(
    '[switchback] web: FAILOVER FAILED at approval: not approved within 120s (onTimeout: abort) - DNS unchanged',
  );
  const failed = approvalStepEvents(result).find((entry) => entry.kind === 'step' && entry.phase === 'failed');
  expect(failed).toMatchObject({ durationMs: 120_000 });
});

test('unanswered with onTimeout continue: the failover goes on and says so', async () => {
  const result = await runScenario(withApproval({ timeoutSeconds: 120, onTimeout: 'continue' }, []));
  expect(result.summary.runs[0]).toMatchObject({ kind: 'failover', status: 'succeeded' });
  expect(smsTexts(result)).toContain('[switchback] web: not approved within 120s; the failover continues without it (onTimeout: continue)');
});

test('an abort while the step waits ends the run aborted, before any later step', async () => {
  const result = await runScenario(withApproval({ timeoutSeconds: 600 }, [control('3m', 'abort', 'dave')]));
  expect(result.summary.errors).toEqual([]);
  expect(result.summary.runs[0]).toMatchObject({ kind: 'failover', status: 'aborted' });
  expect(result.summary.apiCalls['ec2.StartInstances'] ?? 0).toBe(0);
  expect(smsTexts(result)).toContain('[switchback] web: failover aborted by dave - DNS unchanged');
  // Not at the timeout: within a poll of the abort.
  const failed = approvalStepEvents(result).find((entry) => entry.kind === 'step' && entry.phase === 'failed');
  const abortAt = result.timeline.find((entry) => entry.kind === 'invoke' && entry.function === 'control')?.t as number;
  expect((failed?.t as number) - abortAt).toBeLessThanOrEqual(6);
});

test('a crash while waiting: the resumed step keeps its clock and its request is texted once', async () => {
  const result = await runScenario(withApproval({ timeoutSeconds: 180 }, [], { faults: [{ crash: { step: 'ok-to-promote', times: 1 } }] }));
  expect(result.timeline.filter((entry) => entry.kind === 'fault')).toHaveLength(1);
  expect(result.summary.runs[0]).toMatchObject({ status: 'failed' });
  expect(result.summary.runs[0].steps[0]).toMatchObject({ name: 'ok-to-promote', attempts: 2 });
  expect(requests(result)).toHaveLength(1);
  const events = approvalStepEvents(result);
  const firstStart = events.find((entry) => entry.kind === 'step' && entry.phase === 'started')?.t as number;
  const failed = events.find((entry) => entry.kind === 'step' && entry.phase === 'failed');
  // 180 s after the FIRST start, although the resume came a lease later.
  expect((failed?.t as number) - firstStart).toBe(180);
});

test('a wait longer than one orchestrator invocation is handed on: texted once, approved after the hand-off', async () => {
  const result = await runScenario(withApproval({ timeoutSeconds: 1500 }, [control('20m', 'approve')], { duration: '30m' }));
  expect(result.summary.errors).toEqual([]);
  const orchestrators = result.timeline.filter((entry) => entry.kind === 'invoke' && entry.function === 'switchback-sim-orchestrator');
  expect(orchestrators.length).toBeGreaterThanOrEqual(2);
  expect(result.summary.runs[0]).toMatchObject({ kind: 'failover', status: 'succeeded' });
  expect(requests(result)).toHaveLength(1);
});
