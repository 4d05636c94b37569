/** `parallel` groups in switchback.yml: the form, its checks and hints, and how the plan lays them out. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { knownKeys, parseConfig } from '../../../shared/config/load';
import { summarizeRun } from '../../../shared/app/status';
import { buildPlan } from '../../../shared/domain/build-plan';
import { formatPlan, planUnitIndices } from '../../../shared/domain/plan';
import { plannedRun } from '../../support/planned-run';
import { ConfigError } from '../../../shared/errors';

const EXAMPLE = join(__dirname, '../../../switchback.example.yml');
const START = { 'ec2.start': { instanceIds: ['i-0abc1234def567890'] } };
const SCALE = { 'autoscaling.setCapacity': { autoScalingGroupName: 'web', minSize: 1, desiredCapacity: 2, maxSize: 4 } };

function withPrepare(prepare: unknown[]) {
  const raw = parse(readFileSync(EXAMPLE, 'utf8'));
  raw.services[0].secondary.prepare = prepare;
  return raw;
}

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const group = (branches: unknown[], extra: Record<string, unknown> = {}) => ({ id: 'scale-out', parallel: branches, ...extra });

test('branches become ordinary steps labelled with their group, in order, and the plan shows the group', () => {
  const config = parseConfig(
    withPrepare([
      group([
        { id: 'start', ...START },
        { id: 'grow', ...SCALE, timeoutSeconds: 120 },
      ]),
    ]),
  );
  const prepare = config.services[0].secondary.prepare;
  expect(prepare.map((step) => [step.id, step.action, step.parallel, step.path])).toEqual([
    ['start', 'ec2.start', 'scale-out', [0, 'parallel', 0]],
    ['grow', 'autoscaling.setCapacity', 'scale-out', [0, 'parallel', 1]],
  ]);
  const plan = buildPlan(config.services[0], 'failover');
  expect(plan.slice(0, 2).map((step) => [step.id, step.parallel, step.timeoutMs])).toEqual([
    ['start', 'scale-out', 300_000],
    ['grow', 'scale-out', 120_000],
  ]);
  expect(planUnitIndices(plan)).toEqual([[0, 1], [2], [3]]);
  expect(formatPlan(plan).split('\n').slice(0, 3)).toEqual([
    '  1. in parallel (scale-out), each branch its own step:',
    '     1a. start i-0abc1234def567890 in us-west-2  [start; timeout 300s; up to 4 attempts]',
    '     1b. scale Auto Scaling group web to 2 (min 1, max 4) in us-west-2, wait for 2 InService  [grow; timeout 120s; up to 4 attempts]',
  ]);
});

test('two unnamed groups side by side stay two groups', () => {
  const config = parseConfig(withPrepare([{ parallel: [START, SCALE] }, { parallel: [START, SCALE] }]));
  const plan = buildPlan(config.services[0], 'failover');
  expect(plan.slice(0, 4).map((step) => step.parallel)).toEqual(['parallel#1', 'parallel#1', 'parallel#2', 'parallel#2']);
  expect(planUnitIndices(plan).slice(0, 2)).toEqual([
    [0, 1],
    [2, 3],
  ]);
});

test('a group is only a group: no action, timeout, retry or onFailure of its own, and at least two branches', () => {
  expect(problems(withPrepare([group([START, SCALE], { ...START, timeoutSeconds: 60, onFailure: 'continue' })]))).toEqual([
    'services[0].secondary.prepare[0]: a parallel group names no action itself (ec2.start): make it a branch',
    'services[0].secondary.prepare[0].timeoutSeconds: is set per branch of a parallel group, not on the group',
    'services[0].secondary.prepare[0].onFailure: is set per branch of a parallel group, not on the group',
  ]);
  expect(problems(withPrepare([group([START])]))).toEqual([
    'services[0].secondary.prepare[0].parallel: must list at least 2 steps (one step needs no group)',
  ]);
});

test('branch problems are reported where the branch is written, with typo hints', () => {
  expect(
    problems(withPrepare([group([START, { 'autoscaling.setCapacity': { autoScalingGroupName: 'web', desiredCapacty: 2 } }])])),
  ).toEqual(
    expect.arrayContaining([
      'services[0].secondary.prepare[0].parallel[1].autoscaling.setCapacity.desiredCapacty: unknown key (did you mean "desiredCapacity"?)',
    ]),
  );
  expect(knownKeys(['services', 0, 'secondary', 'prepare', 0])).toContain('parallel');
  expect(knownKeys(['services', 0, 'secondary', 'prepare', 0, 'parallel', 1])).toEqual(
    expect.arrayContaining(['id', 'ec2.start', 'notify']),
  );
});

test('a branch cannot use a sibling output (they run at once); a step after the group can', () => {
  const tell = (ref: string) => ({ notify: { message: `at ${ref}` } });
  expect(
    problems(
      withPrepare([
        group([
          { id: 'start', ...START },
          { id: 'say', ...tell('${steps.start.instanceId}') },
        ]),
      ]),
    ),
  ).toEqual([
    'services[0].secondary.prepare[0].parallel[1].notify: ${steps.start.instanceId}: refers to step "start" of the same parallel group, which runs at the same time: move it before the group',
  ]);
  expect(problems(withPrepare([group([{ id: 'start', ...START }, SCALE]), tell('${steps.start.instanceId}')]))).toEqual([]);
});

test('ids: a group id and step ids share one namespace', () => {
  expect(problems(withPrepare([{ id: 'scale-out', ...START }, group([{ id: 'a', ...START }, SCALE])]))).toEqual([
    'services[0].secondary.prepare[1].id: "scale-out" is used by another step',
  ]);
  expect(
    problems(
      withPrepare([
        group([
          { id: 'a', ...START },
          { id: 'a', ...SCALE },
        ]),
      ]),
    ),
  ).toEqual(['services[0].secondary.prepare[0].parallel[1].id: "a" is used by another step']);
});

test('status names every branch running in a group as the current step', () => {
  const service = parseConfig(
    withPrepare([
      group([
        { id: 'start', ...START },
        { id: 'grow', ...SCALE },
      ]),
    ]),
  ).services[0];
  const run = plannedRun({ id: 'r1', service, kind: 'failover', trigger: 'auto', reason: 'down', nowEpochMs: 0 });
  const running = {
    ...run,
    steps: run.steps.map((record, i) => (i < 2 ? { ...record, status: 'running' as const, attempts: 1 } : record)),
  };
  expect(summarizeRun(running).currentStep).toBe('start (ec2.start), grow (autoscaling.setCapacity)');
  expect(summarizeRun(run).currentStep).toBe('start (ec2.start)');
});

test('a group in cleanup: its branches never fail the run, like any cleanup step', () => {
  const raw = withPrepare([START]);
  raw.services[0].primary.cleanup = [
    { parallel: [{ 'ec2.stop': { instanceIds: ['i-0abc1234def567890'] } }, { notify: { message: 'cleaned' } }] },
  ];
  const plan = buildPlan(parseConfig(raw).services[0], 'failover');
  expect(plan.slice(-2).map((step) => [step.action, step.parallel, step.onFailure])).toEqual([
    ['ec2.stop', 'parallel#1', 'continue'],
    ['notify', 'parallel#1', 'continue'],
  ]);
});
