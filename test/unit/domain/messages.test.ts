import fc from 'fast-check';
import { alertMessage, gsm7Length, isGsm7, runMessage, SMS_MAX_CHARS, toGsm7, type AlertKey } from '../../../shared/domain/messages';
import { plannedRun } from '../../support/planned-run';
import type { NotifyStage, Run, StepRecord } from '../../../shared/domain/types';
import { exampleService, T0 } from './fixtures';

const web = exampleService();

function run(overrides: Partial<Run> = {}, kind: Run['kind'] = 'failover'): Run {
  return {
    ...plannedRun({
      id: 'r1',
      service: web,
      kind,
      trigger: 'auto',
      reason: 'primary failed 3/3 probes from 2/2 locations; secondary healthy',
      nowEpochMs: T0,
    }),
    ...overrides,
  };
}

function withSteps(base: Run, edit: (step: StepRecord) => StepRecord): Run {
  return { ...base, steps: base.steps.map(edit) };
}

describe('runMessage', () => {
  it('texts every stage of a failover', () => {
    expect(runMessage('started', run())).toBe(
      '[switchback] web: failing over: primary failed 3/3 probes from 2/2 locations; secondary healthy',
    );
    expect(runMessage('succeeded', run({ endedAtEpochMs: T0 + 41_000 }))).toBe('[switchback] web: now on SECONDARY (took 41s)');
    expect(runMessage('succeeded', run(), { durationSeconds: 12.4 })).toBe('[switchback] web: now on SECONDARY (took 12s)');
    expect(runMessage('succeeded', run({ endedAtEpochMs: T0 + 41_000, dnsPending: true }))).toBe(
      '[switchback] web: now on SECONDARY (took 41s) - DNS_PENDING',
    );
    const failed = withSteps(run({ status: 'failed' }), (step) =>
      step.action === 'ec2.start' ? { ...step, status: 'failed', error: 'InsufficientInstanceCapacity' } : step,
    );
    expect(runMessage('failed', failed)).toBe(
      '[switchback] web: FAILOVER FAILED at ec2.start: InsufficientInstanceCapacity - DNS unchanged',
    );
    expect(runMessage('dnsPending', run(), { durationSeconds: 300 })).toBe(
      '[switchback] web: DNS change not in sync after 300s: DNS_PENDING - it will still apply',
    );
    expect(runMessage('aborted', run({ abortRequested: { by: 'dave', atEpochMs: T0 } }))).toBe(
      '[switchback] web: failover aborted by dave - DNS unchanged',
    );
  });

  it('texts a failback and says where traffic is when it fails', () => {
    const failback = run({ reason: 'primary healthy for 900s (hold-down 900s)', endedAtEpochMs: T0 + 35_000 }, 'failback');
    expect(runMessage('started', failback)).toBe('[switchback] web: failing back: primary healthy for 900s (hold-down 900s)');
    expect(runMessage('succeeded', failback)).toBe('[switchback] web: back on PRIMARY (took 35s)');
    const failedBeforeSwitch = withSteps(failback, (step) =>
      step.action === 'route53.switch' ? { ...step, status: 'failed', error: 'Throttling' } : step,
    );
    expect(runMessage('failed', failedBeforeSwitch)).toBe(
      '[switchback] web: FAILBACK FAILED at route53.switch: Throttling - traffic still on SECONDARY',
    );
    const failedAfterSwitch = withSteps(failback, (step) =>
      step.action === 'route53.switch'
        ? { ...step, status: 'succeeded' }
        : step.action === 'ec2.stop'
          ? { ...step, status: 'failed', error: 'UnauthorizedOperation' }
          : step,
    );
    expect(runMessage('failed', failedAfterSwitch, { error: 'not allowed' })).toBe(
      '[switchback] web: FAILBACK FAILED at ec2.stop: not allowed - traffic is back on PRIMARY',
    );
  });

  it('labels drills and keeps the tail when the error is long', () => {
    const drill = run({ trigger: 'drill', reason: 'drill by bob: fail over, hold 600s on SECONDARY, fail back' });
    expect(runMessage('started', drill)).toBe(
      '[DRILL] [switchback] web: failing over: drill by bob: fail over, hold 600s on SECONDARY, fail back',
    );
    const long = runMessage('failed', run({ status: 'failed', error: `boom ${'x'.repeat(300)}` }));
    expect(long.startsWith('[switchback] web: FAILOVER FAILED: boom xxx')).toBe(true);
    expect(long.endsWith('x... - DNS unchanged')).toBe(true);
    expect(gsm7Length(long)).toBe(SMS_MAX_CHARS);
  });

  it('folds text to GSM-7 (an em dash would turn the SMS into 70-character UCS-2)', () => {
    const text = runMessage('started', run({ reason: 'primary — “down” … ≥3 probes → 日本' }));
    expect(text).toBe('[switchback] web: failing over: primary - "down" ... >=3 probes -> ??');
    expect(isGsm7(text)).toBe(true);
  });
});

describe('alertMessage', () => {
  it.each([
    ['blocked', '[switchback] web: failover blocked: primary down; secondary down at 2/2 locations'],
    ['cutoff', '[switchback] web: no action taken: primary down; secondary down at 2/2 locations'],
    ['cap', '[switchback] web: failover cap reached, manual only: primary down; secondary down at 2/2 locations'],
    ['cooldown', '[switchback] web: primary down, failover waits for cooldown: primary down; secondary down at 2/2 locations'],
    ['drillPreempted', '[switchback] web: real incident during a drill: primary down; secondary down at 2/2 locations'],
    ['drillCheck', '[switchback] web: drill check failed: primary down; secondary down at 2/2 locations'],
    ['failbackHeld', '[switchback] web: failback held by a minority: primary down; secondary down at 2/2 locations'],
  ] as const)('%s', (key, text) => {
    expect(alertMessage('web', key, 'primary down; secondary down at 2/2 locations')).toBe(text);
  });

  it('labels drill alerts', () => {
    expect(alertMessage('web', 'drillCheck', 'record: missing', true)).toBe(
      '[DRILL] [switchback] web: drill check failed: record: missing',
    );
  });
});

describe('GSM-7', () => {
  it('knows the alphabet and the extension table', () => {
    expect(isGsm7('Hello @£$¥ ÄÖÑÜ {x} [y] ~|^ €')).toBe(true);
    expect(isGsm7('—')).toBe(false);
    expect(isGsm7('…')).toBe(false);
    expect(isGsm7('ç')).toBe(false); // only Ç is in the default alphabet
    expect(gsm7Length('[a]')).toBe(5);
    expect(toGsm7('ç\tx\ny')).toBe('c x y');
  });

  const STAGES: NotifyStage[] = ['started', 'succeeded', 'failed', 'dnsPending', 'aborted'];
  const ALERTS: AlertKey[] = ['blocked', 'cutoff', 'cap', 'cooldown', 'drillPreempted', 'drillCheck', 'approveNeeded', 'failbackHeld'];
  const serviceName = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,39}$/);
  const anyText = fc.string({ unit: 'binary', maxLength: 400 });

  it('every run SMS is GSM-7 and at most 160 septets, whatever the reason or error', () => {
    fc.assert(
      fc.property(
        serviceName,
        anyText,
        anyText,
        fc.constantFrom(...STAGES),
        fc.constantFrom<Run['kind']>('failover', 'failback'),
        fc.constantFrom<Run['trigger']>('auto', 'manual', 'drill'),
        fc.option(anyText, { nil: undefined }),
        fc.option(fc.double({ min: 0, max: 1e7, noNaN: true }), { nil: undefined }),
        (service, reason, error, stage, kind, trigger, by, durationSeconds) => {
          const base = run(
            { service, reason, trigger, error, ...(by !== undefined ? { abortRequested: { by, atEpochMs: T0 } } : {}) },
            kind,
          );
          const text = runMessage(stage, base, { error, ...(durationSeconds !== undefined ? { durationSeconds } : {}) });
          expect(isGsm7(text)).toBe(true);
          expect(gsm7Length(text)).toBeLessThanOrEqual(SMS_MAX_CHARS);
          expect(text.startsWith(trigger === 'drill' ? `[DRILL] [switchback] ${service}: ` : `[switchback] ${service}: `)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('every alert SMS is GSM-7 and at most 160 septets, even for absurd service names', () => {
    fc.assert(
      fc.property(fc.oneof(serviceName, anyText), anyText, fc.constantFrom(...ALERTS), fc.boolean(), (service, detail, key, drill) => {
        const text = alertMessage(service, key, detail, drill);
        expect(isGsm7(text)).toBe(true);
        expect(gsm7Length(text)).toBeLessThanOrEqual(SMS_MAX_CHARS);
      }),
      { numRuns: 500 },
    );
  });
});
