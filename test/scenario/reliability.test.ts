/**
 * The reliability suite: each promise is a scenario file in scenarios/suite, run with the real
 * handlers on the embedded world, and asserted on its summary (and on the sentences people read).
 */
import { runSuite, smsTexts, transitions } from './scenario-kit';

describe('reliability suite', () => {
  test('clean outage: failover, then failback after the hold-down, one SMS per stage', async () => {
    const result = await runSuite('clean-failover');
    const web = result.summary.services.web;
    expect(web).toMatchObject({ finalState: 'PRIMARY', failovers: 1, failbacks: 1, dnsTarget: ['203.0.113.10'] });
    // 3 failures × 10 s; the first failing round is the outage's own round.
    expect(web.detectionSeconds).toBeGreaterThanOrEqual(20);
    expect(web.detectionSeconds).toBeLessThanOrEqual(30);
    expect(smsTexts(result)).toEqual([
      '[switchback] web: failing over: primary failed 3/3 probes from 1/1 locations; secondary healthy',
      expect.stringMatching(/^\[switchback\] web: now on SECONDARY \(took \d+s\)$/),
      '[switchback] web: failing back: primary healthy for 300s (hold-down 300s)',
      expect.stringMatching(/^\[switchback\] web: back on PRIMARY \(took \d+s\)$/),
    ]);
    expect(transitions(result, 'web')).toEqual([
      'PRIMARY→FAILING_OVER',
      'FAILING_OVER→SECONDARY',
      'SECONDARY→FAILING_BACK',
      'FAILING_BACK→PRIMARY',
    ]);
    expect(result.summary.errors).toEqual([]);
  });

  test('a primary flapping for 10 minutes causes at most one failover', async () => {
    const result = await runSuite('flapping-primary');
    expect(result.summary.services.web.failovers).toBeLessThanOrEqual(1);
    expect(result.summary.runs.filter((run) => run.kind === 'failover')).toHaveLength(result.summary.services.web.failovers);
  });

  test('one of three probe locations partitioned: no quorum, no failover, no SMS', async () => {
    const result = await runSuite('one-location-partitioned');
    expect(result.summary.services.web).toMatchObject({ finalState: 'PRIMARY', failovers: 0 });
    expect(result.summary.runs).toEqual([]);
    expect(result.summary.sms).toEqual([]);
    // The partitioned location really did see everything down.
    const partitioned = result.timeline.filter(
      (entry) => entry.kind === 'probe' && entry.location === 'eu-west-1' && (entry.primaryDown as string[]).includes('web'),
    );
    expect(partitioned.length).toBeGreaterThan(0);
  });

  test('50 duplicate alarm deliveries start one run with one SMS per stage', async () => {
    const result = await runSuite('duplicate-alarms');
    expect(result.summary.runs).toHaveLength(1);
    expect(result.summary.invocations.alarm).toBe(50);
    expect(smsTexts(result)).toEqual([
      '[switchback] web: failing over: alarm web-5xx-high in ALARM; secondary healthy',
      expect.stringMatching(/now on SECONDARY/),
    ]);
    expect(result.timeline.filter((entry) => entry.kind === 'alarm' && entry.outcome === 'duplicate')).toHaveLength(49);
  });

  test('an alarm during a running failover is absorbed', async () => {
    const result = await runSuite('alarm-during-failover');
    expect(result.summary.runs).toHaveLength(1);
    expect(result.summary.services.web).toMatchObject({ finalState: 'SECONDARY', failovers: 1 });
    // One alarm delivered three times: handled once, the other two answered as duplicates.
    const handled = result.timeline.filter(
      (entry) => entry.kind === 'alarm' && entry.outcome !== undefined && entry.outcome !== 'duplicate',
    );
    expect(handled).toHaveLength(1);
    expect(result.timeline.filter((entry) => entry.kind === 'alarm' && entry.outcome === 'duplicate')).toHaveLength(2);
    expect(smsTexts(result)).toHaveLength(2);
  });

  test('the orchestrator crashing mid-run: the watchdog resumes it after the lease, one SMS per stage', async () => {
    const result = await runSuite('crash-during-run');
    expect(result.timeline.filter((entry) => entry.kind === 'fault')).toHaveLength(1);
    expect(result.summary.services.web).toMatchObject({ finalState: 'PRIMARY', failovers: 1, failbacks: 1 });
    const failover = result.summary.runs[0];
    expect(failover.steps.find((step) => step.action === 'route53.switch')?.attempts).toBe(2);
    expect(result.summary.apiCalls['route53.ChangeResourceRecordSets']).toBe(2); // one per run: the crash came before the call
    expect(smsTexts(result)).toHaveLength(4);
    // Resumed after the 60 s lease: the failover took longer than a clean one, but it finished.
    expect(result.summary.services.web.failoverSeconds).toBeGreaterThan(60);
  });

  test('a run longer than the orchestrator timeout is handed on before the deadline and finishes', async () => {
    const result = await runSuite('orchestrator-handoff');
    expect(result.summary.runs).toHaveLength(1);
    expect(result.summary.runs[0].status).toBe('succeeded');
    expect(result.summary.invocations.orchestrator).toBeGreaterThanOrEqual(2);
    expect(result.timeline.some((entry) => entry.kind === 'invoke' && entry.reason === 'handoff before the deadline')).toBe(true);
    expect(result.summary.apiCalls['ec2.StartInstances']).toBeLessThanOrEqual(2);
    expect(result.summary.errors).toEqual([]);
    expect(smsTexts(result)).toHaveLength(2);
  });

  test('Route 53 throttling ×3: the switch retries and succeeds, attempts recorded', async () => {
    const result = await runSuite('route53-throttling');
    const run = result.summary.runs[0];
    expect(run.status).toBe('succeeded');
    expect(run.steps.find((step) => step.action === 'route53.switch')).toMatchObject({ status: 'succeeded', attempts: 4 });
    expect(result.summary.apiCalls['route53.ChangeResourceRecordSets']).toBe(4);
    expect(result.summary.services.web.dnsTarget).toEqual(['198.51.100.20']);
  });

  test('a change stuck PENDING is reported as DNS_PENDING, never as done', async () => {
    const result = await runSuite('dns-stuck-pending');
    const run = result.summary.runs[0];
    expect(run.dnsPending).toBe(true);
    expect(smsTexts(result).some((text) => text.includes('DNS_PENDING'))).toBe(true);
    expect(
      smsTexts(result)
        .filter((text) => /now on SECONDARY/.test(text))
        .every((text) => text.includes('DNS_PENDING')),
    ).toBe(true);
    expect(result.summary.services.web.dnsTarget).toEqual(['203.0.113.10']);
  });

  test('StartInstances capacity error: FAILOVER_FAILED, DNS unchanged, people told why', async () => {
    const result = await runSuite('capacity-error');
    expect(result.summary.services.web).toMatchObject({ finalState: 'FAILOVER_FAILED', failovers: 0, dnsTarget: ['203.0.113.10'] });
    expect(result.summary.apiCalls['route53.ChangeResourceRecordSets'] ?? 0).toBe(0);
    const failed = smsTexts(result).find((text) => text.includes('FAILOVER FAILED'));
    expect(failed).toMatch(/^\[switchback\] web: FAILOVER FAILED at ec2\.start: .*InsufficientInstanceCapacity.* - DNS unchanged$/);
    expect((failed as string).length).toBeLessThanOrEqual(160);
  });

  test('primary recovering mid-failover: the failover completes, failback follows the hold-down', async () => {
    const result = await runSuite('primary-recovers-mid-failover');
    expect(transitions(result, 'web')).toEqual([
      'PRIMARY→FAILING_OVER',
      'FAILING_OVER→SECONDARY',
      'SECONDARY→FAILING_BACK',
      'FAILING_BACK→PRIMARY',
    ]);
    const failback = result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'FAILING_BACK');
    const failoverDone = result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'SECONDARY');
    expect((failback?.t as number) - (failoverDone?.t as number)).toBeGreaterThanOrEqual(300);
  });

  test('a failure during the hold-down restarts it', async () => {
    const result = await runSuite('holddown-restart');
    const failback = result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'FAILING_BACK');
    // The primary failed once at 7m (420 s): failback needs 300 s of health after that.
    expect(failback?.t).toBeGreaterThanOrEqual(420 + 300);
    expect(
      result.timeline.some(
        (entry) => entry.kind === 'decision' && /hold-down/.test(String(entry.reason)) && /restart|failed/.test(String(entry.reason)),
      ),
    ).toBe(true);
  });

  test('cap reached: no more automatic failovers, one SMS says so, manual still works', async () => {
    const result = await runSuite('cap-reached');
    const failovers = result.summary.runs.filter((run) => run.kind === 'failover');
    expect(failovers.map((run) => run.trigger)).toEqual(['auto', 'manual']);
    expect(smsTexts(result).filter((text) => text.includes('cap reached'))).toHaveLength(1);
    expect(result.summary.services.web.finalState).toBe('SECONDARY');
  });

  test('frozen: no automatic action, a manual failover works', async () => {
    const result = await runSuite('frozen');
    expect(result.summary.runs.map((run) => run.trigger)).toEqual(['manual']);
    expect(result.summary.services.web).toMatchObject({ frozen: true, finalState: 'SECONDARY' });
    const manual = result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'FAILING_OVER');
    expect(manual?.t).toBe(300);
  });

  test('a live drill during a real incident is refused', async () => {
    const result = await runSuite('drill-during-incident');
    const answer = result.timeline.find((entry) => entry.kind === 'invoke' && entry.function === 'drill');
    expect(answer?.result).toMatchObject({ ok: true, accepted: false });
    expect(String((answer?.result as { reason: string }).reason)).toMatch(/^drill refused/);
    expect(result.summary.runs.every((run) => run.trigger !== 'drill')).toBe(true);
  });

  test('SMS publish failing: the run still succeeds and the failures are recorded', async () => {
    const result = await runSuite('sms-failing');
    const run = result.summary.runs[0];
    expect(run.status).toBe('succeeded');
    expect(run.notificationFailures).toEqual(expect.arrayContaining(['started', 'succeeded']));
    expect(result.summary.services.web.dnsTarget).toEqual(['198.51.100.20']);
  });

  test('malformed alarm events are rejected naming the field; state untouched', async () => {
    const result = await runSuite('malformed-alarm');
    expect(result.summary.errors).toEqual([expect.stringContaining('detail.state.value'), expect.stringContaining('not JSON')]);
    expect(result.summary.services.web).toMatchObject({ finalState: 'PRIMARY', failovers: 0 });
    expect(result.summary.runs).toEqual([]);
  });

  test('live drill: [DRILL] on every SMS, and the report matches the runs', async () => {
    const result = await runSuite('live-drill');
    expect(result.summary.runs.map((run) => `${run.trigger} ${run.kind} ${run.status}`)).toEqual([
      'drill failover succeeded',
      'drill failback succeeded',
    ]);
    expect(smsTexts(result)).toHaveLength(4);
    expect(smsTexts(result).every((text) => text.startsWith('[DRILL] [switchback] web: '))).toBe(true);
    const report = result.timeline.find(
      (entry) =>
        entry.kind === 'invoke' && entry.function === 'drill' && (entry.payload as { mode?: string } | undefined)?.mode === 'report',
    )?.result as {
      rtoSeconds: number;
      failover: { totalSeconds: number; steps: Array<{ action: string; seconds?: number }> };
      failback: { totalSeconds: number };
    };
    expect(report.failover.totalSeconds).toBe(result.summary.services.web.failoverSeconds);
    expect(report.failback.totalSeconds).toBe(result.summary.services.web.failbackSeconds);
    expect(report.failover.steps.find((step) => step.action === 'ec2.start')?.seconds).toBe(15);
    expect(report.rtoSeconds).toBeLessThanOrEqual(report.failover.totalSeconds);
  });
});
