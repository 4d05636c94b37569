/** The `approval` step's config (defaults, typo hints, messages), plan line and `status` sentence. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseConfig } from '../../../shared/config/load';
import { buildPlan } from '../../../shared/domain/build-plan';
import { plannedRun } from '../../support/planned-run';
import { waitingForApproval } from '../../../shared/domain/messages';
import { ConfigError } from '../../../shared/errors';

const EXAMPLE = join(__dirname, '../../../switchback.example.yml');
const T0 = Date.UTC(2026, 0, 1);

function withApproval(approval: unknown) {
  const raw = parse(readFileSync(EXAMPLE, 'utf8'));
  raw.services[0].secondary.prepare.unshift({ id: 'ask', approval });
  return raw;
}

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

test('defaults: 900s, abort; the plan line says what it asks and what happens without an answer', () => {
  const service = parseConfig(withApproval({ message: 'promote west?' })).services[0];
  const [step] = buildPlan(service, 'failover');
  expect(step).toMatchObject({
    id: 'ask',
    action: 'approval',
    params: { message: 'promote west?', timeoutSeconds: 900, onTimeout: 'abort' },
    timeoutMs: 900_000,
    onFailure: 'abort',
  });
  expect(step.description).toBe('text on-call "promote west?" and wait up to 900s for control approve (then abort)');
});

test('bad fields are refused with their path, and a typo gets a hint', () => {
  expect(problemsOf(withApproval({ message: 'x', onTimeout: 'skip' }))).toEqual([
    'services[0].secondary.prepare[0].approval.onTimeout: must be abort or continue',
  ]);
  expect(problemsOf(withApproval({ message: 'x', onTimout: 'continue' }))).toEqual([
    'services[0].secondary.prepare[0].approval.onTimout: unknown key (did you mean "onTimeout"?)',
  ]);
  expect(problemsOf(withApproval({ message: 'x'.repeat(101) }))).toEqual([
    'services[0].secondary.prepare[0].approval.message: must be at most 100 characters (SMS budget)',
  ]);
});

test('status: waiting for approval with the time left from the first start, until approved', () => {
  const service = parseConfig(withApproval({ message: 'promote west?', timeoutSeconds: 600 })).services[0];
  const run = plannedRun({ id: 'r1', service, kind: 'failover', trigger: 'auto', reason: 'down', nowEpochMs: T0 });
  expect(waitingForApproval(run, T0)).toBeUndefined();
  const waiting = {
    ...run,
    steps: run.steps.map((record, i) =>
      i === 0 ? { ...record, status: 'running' as const, attempts: 2, startedAtEpochMs: T0, budgetEndsAtEpochMs: T0 + 600_000 } : record,
    ),
  };
  expect(waitingForApproval(waiting, T0 + 130_000)).toBe('waiting for approval: promote west? (470s left)');
  expect(waitingForApproval({ ...waiting, approvals: { ask: { approved: { by: 'carol', atEpochMs: T0 } } } }, T0 + 1)).toBeUndefined();
});

test('switchback status prints the wait under the active run', async () => {
  const { formatStatus } = await import('../../../cli/status-table');
  const text = formatStatus(
    {
      services: [
        {
          service: 'web',
          state: 'FAILING_OVER',
          since: new Date(T0).toISOString(),
          frozen: false,
          locations: [],
          activeRun: {
            id: 'r1',
            kind: 'failover',
            trigger: 'auto',
            status: 'running',
            reason: 'down',
            startedAt: new Date(T0).toISOString(),
            currentStep: 'ask (approval)',
            waiting: 'waiting for approval: promote west? (470s left)',
            stepsDone: 0,
            stepsTotal: 6,
          },
          recentRuns: [],
        },
      ],
    },
    T0 + 130_000,
  );
  expect(text).toContain(
    '  active run: r1 failover (auto) running, step 1 of 6: ask (approval), started 2m ago\n  waiting for approval: promote west? (470s left)',
  );
});
