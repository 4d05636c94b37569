/**
 * A `parallel` group on the simulated world (examples/whole-stack.yml scales its front end and API
 * at once): it shortens the failover against the same steps in sequence; a crash mid-group resumes
 * only the unfinished branch; a failing branch fails the run once the others have settled; branch
 * outputs resolve after the group; IAM is enforced throughout.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { withAdapters, type AppDeps } from '../../shared/app/deps';
import type { EcsAdapter } from '../../shared/aws/ecs';
import { CrashError } from '../../shared/errors';
import { runScenario, type SimulationResult } from '../../sim/runner';
import { parseScenario, readScenarioDocument } from '../../sim/scenario';
import { SCENARIOS, smsTexts } from './scenario-kit';

const FILE = join(SCENARIOS, 'whole-stack.yml');
const EXAMPLE = join(SCENARIOS, '..', 'examples', 'whole-stack.yml');

type Entry = Record<string, unknown> & { parallel?: Entry[] };
type RawConfig = { services: Array<{ secondary: { prepare: Entry[] } }> };

/** The whole-stack scenario on the example config, changed by `edit` (raw YAML shape). */
function wholeStack(edit: (prepare: Entry[]) => Entry[] = (prepare) => prepare, changes: Record<string, unknown> = {}) {
  const config = parse(readFileSync(EXAMPLE, 'utf8')) as RawConfig;
  config.services[0].secondary.prepare = edit(config.services[0].secondary.prepare);
  const document = readScenarioDocument(FILE) as Record<string, unknown>;
  return parseScenario({ ...document, config, ...changes }, SCENARIOS, FILE);
}

/** The same steps one after the other: the group's branches take its place in the list. */
const inSequence = (prepare: Entry[]) => prepare.flatMap((entry) => entry.parallel ?? [entry]);

function stepTimes(result: SimulationResult, id: string) {
  const of = (phase: string) =>
    result.timeline.find((entry) => entry.kind === 'step' && entry.step === id && entry.phase === phase && entry.t < 600)?.t;
  return { started: of('started') as number, succeeded: of('succeeded') as number };
}

/**
 * The orchestrator "dies" (CrashError) at the first Auto Scaling poll of the `web` branch once
 * `when()` holds; `watchEcs` wraps the ECS adapter so a test can see how the `api` branch did.
 */
function crashWebPollWhen(when: () => boolean, watchEcs: (ecs: EcsAdapter) => EcsAdapter) {
  let crashed = false;
  const wrapDeps = (deps: AppDeps): AppDeps => {
    const steps = deps.aws.steps;
    if (!steps) return deps;
    const autoScaling = () => {
      const adapter = steps.autoScaling();
      return {
        ...adapter,
        describeGroup: async (...args: Parameters<typeof adapter.describeGroup>) => {
          if (when() && !crashed) {
            crashed = true;
            throw new CrashError('simulated crash while the web branch polls');
          }
          return adapter.describeGroup(...args);
        },
      };
    };
    return { ...deps, aws: withAdapters(deps.aws, { steps: () => ({ ...steps, ecs: () => watchEcs(steps.ecs()), autoScaling }) }) };
  };
  return { wrapDeps, crashed: () => crashed };
}

describe('parallel group', () => {
  let parallel: SimulationResult;
  let sequence: SimulationResult;
  // Two whole-stack runs (a few seconds each on an idle machine): give a loaded CI machine room.
  beforeAll(async () => {
    [parallel, sequence] = [await runScenario(wholeStack()), await runScenario(wholeStack(inSequence))];
  }, 300_000);

  test('shortens the failover against the same steps in sequence (the two timelines)', () => {
    for (const result of [parallel, sequence]) {
      expect(result.summary.accessDenied).toEqual([]);
      expect(result.summary.errors).toEqual([]);
      expect(result.summary.runs.map((run) => `${run.kind} ${run.status}`)).toEqual(['failover succeeded', 'failback succeeded']);
    }
    const [web, api] = [stepTimes(parallel, 'web'), stepTimes(parallel, 'api')];
    // Side by side: both start together, and the group ends with the slower branch.
    expect(api.started).toBe(web.started);
    const [seqWeb, seqApi] = [stepTimes(sequence, 'web'), stepTimes(sequence, 'api')];
    // One after the other: the API starts when the front end is done.
    expect(seqApi.started).toBeGreaterThanOrEqual(seqWeb.succeeded);
    const parallelRto = parallel.summary.services.shop.failoverSeconds as number;
    const sequenceRto = sequence.summary.services.shop.failoverSeconds as number;
    const shorterBranch = Math.min(seqWeb.succeeded - seqWeb.started, seqApi.succeeded - seqApi.started);
    expect(sequenceRto - parallelRto).toBe(shorterBranch);
    expect(parallelRto).toBeLessThan(sequenceRto);
  });

  test('a crash after one branch finished resumes only the other: the finished one is never run again', async () => {
    let apiDone = false;
    const crash = crashWebPollWhen(
      () => apiDone,
      (ecs) => ({
        ...ecs,
        describeService: async (...args: Parameters<typeof ecs.describeService>) => {
          const view = await ecs.describeService(...args);
          if (view && view.desiredCount === 6 && view.runningCount === 6) apiDone = true;
          return view;
        },
      }),
    );
    const result = await runScenario(wholeStack(), { hooks: { wrapDeps: crash.wrapDeps } });
    expect(crash.crashed()).toBe(true);
    expect(result.summary.errors).toEqual([]);
    expect(result.summary.runs.map((run) => `${run.kind} ${run.status}`)).toEqual(['failover succeeded', 'failback succeeded']);
    const steps = Object.fromEntries(result.summary.runs[0].steps.map((step) => [step.name, step.attempts]));
    expect(steps).toMatchObject({ 'ok-to-lose-data': 1, db: 1, api: 1, web: 2 });
    // The API service was scaled once for the failover (and once back by cleanup).
    expect(result.summary.apiCalls['ecs.UpdateService']).toBe(2);
    expect(result.timeline.filter((entry) => entry.kind === 'step' && entry.step === 'api' && entry.phase === 'started')).toHaveLength(1);
  });

  test.each(['web', 'api'])('a crash right after branch %s starts resumes the group and ends as a clean run', async (branch) => {
    const result = await runScenario(wholeStack(undefined, { faults: [{ crash: { step: branch, times: 1 } }] }));
    expect(result.summary.accessDenied).toEqual([]);
    expect(result.timeline.filter((entry) => entry.kind === 'fault')).toHaveLength(1);
    expect(result.summary.runs.map((run) => `${run.kind} ${run.status}`)).toEqual(['failover succeeded', 'failback succeeded']);
    expect(result.summary.services.shop.dnsTarget).toEqual(parallel.summary.services.shop.dnsTarget);
    const attempts = Object.fromEntries(result.summary.runs[0].steps.map((step) => [step.name, step.attempts]));
    expect(attempts).toMatchObject({ 'ok-to-lose-data': 1, db: 1 });
    expect(attempts[branch]).toBe(2);
  });

  test('a failing branch fails the run after the other branch settles; nothing after the group starts', async () => {
    const result = await runScenario(
      wholeStack(undefined, { faults: [{ api: 'ecs.UpdateService', error: 'AccessDeniedException', times: 1 }] }),
    );
    expect(result.summary.runs[0]).toMatchObject({ kind: 'failover', status: 'failed' });
    expect(result.summary.runs[0].steps.map((step) => `${step.name} ${step.status}`)).toEqual([
      'ok-to-lose-data succeeded',
      'db succeeded',
      'web succeeded',
      'api failed',
      'http.waitHealthy#1 skipped',
      'route53.switch#1 skipped',
      'route53.waitInSync#1 skipped',
    ]);
    expect(smsTexts(result)).toContainEqual(expect.stringMatching(/FAILOVER FAILED at ecs\.setDesiredCount: .* - DNS unchanged$/));
    const failedAt = result.timeline.find((entry) => entry.kind === 'step' && entry.step === 'api' && entry.phase === 'failed')
      ?.t as number;
    const webDone = stepTimes(result, 'web').succeeded;
    expect(webDone).toBeGreaterThan(failedAt);
    const transition = result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'FAILOVER_FAILED');
    expect(transition?.t).toBeGreaterThanOrEqual(webDone);
  });

  test('branch outputs resolve after the group (${steps.<branch>.<key>})', async () => {
    const withNotify = (prepare: Entry[]) => {
      const at = prepare.findIndex((entry) => entry.id === 'scale-out');
      const tell = { notify: { message: 'front end at ${steps.web.inService} InService, API at ${steps.api.runningCount} tasks' } };
      return [...prepare.slice(0, at + 1), tell, ...prepare.slice(at + 1)];
    };
    const result = await runScenario(wholeStack(withNotify));
    expect(result.summary.runs[0]).toMatchObject({ kind: 'failover', status: 'succeeded' });
    expect(smsTexts(result)).toContain('[switchback] shop: front end at 4 InService, API at 6 tasks');
  });

  test('a group outlasting one orchestrator invocation is handed on: finished branches are not run again', async () => {
    // The approval waits in the group beside the scale-out and is answered at 20m, after a hand-off.
    const approvalInGroup = (prepare: Entry[]) => {
      const [ask, ...rest] = prepare;
      return rest.map((entry) =>
        entry.parallel
          ? { ...entry, parallel: [{ ...ask, approval: { ...(ask.approval as object), timeoutSeconds: 1500 } }, ...entry.parallel] }
          : entry,
      );
    };
    const control = { at: '20m', invoke: { function: 'control', payload: { action: 'approve', service: 'shop', by: 'carol' } } };
    const document = readScenarioDocument(FILE) as { events: Array<Record<string, unknown>> };
    const events = [...document.events.filter((event) => !('invoke' in event)), control];
    const result = await runScenario(wholeStack(approvalInGroup, { events, expect: undefined, duration: '25m' }));
    expect(result.summary.accessDenied).toEqual([]);
    expect(result.summary.errors).toEqual([]);
    const orchestrators = result.timeline.filter((entry) => entry.kind === 'invoke' && entry.function === 'switchback-sim-orchestrator');
    expect(orchestrators.length).toBeGreaterThanOrEqual(2);
    expect(result.summary.runs[0]).toMatchObject({ kind: 'failover', status: 'succeeded' });
    const attempts = Object.fromEntries(result.summary.runs[0].steps.map((step) => [step.name, step.attempts]));
    expect(attempts).toMatchObject({ db: 1, web: 1, api: 1 });
    expect(attempts['ok-to-lose-data']).toBeGreaterThanOrEqual(2);
    expect(smsTexts(result).filter((text) => text.includes('approve? us-east-1 down'))).toHaveLength(1);
    expect(smsTexts(result)).toContainEqual(expect.stringMatching(/approved by carol after \d+s; the failover continues$/));
  });

  test('a crash after a branch failed: the resumed run lets the branch in flight settle, then fails', async () => {
    let apiFailed = false;
    const crash = crashWebPollWhen(
      () => apiFailed,
      (ecs) => ({
        ...ecs,
        updateDesiredCount: (...args: Parameters<typeof ecs.updateDesiredCount>) =>
          ecs.updateDesiredCount(...args).catch((error: unknown) => {
            apiFailed = true;
            throw error;
          }),
      }),
    );
    const scenario = wholeStack(undefined, { faults: [{ api: 'ecs.UpdateService', error: 'AccessDeniedException', times: 1 }] });
    const result = await runScenario(scenario, { hooks: { wrapDeps: crash.wrapDeps } });
    expect(crash.crashed()).toBe(true);
    expect(result.summary.runs[0]).toMatchObject({ kind: 'failover', status: 'failed' });
    const steps = result.summary.runs[0].steps.map((step) => `${step.name} ${step.status} ×${step.attempts}`);
    expect(steps.slice(0, 4)).toEqual(['ok-to-lose-data succeeded ×1', 'db succeeded ×1', 'web succeeded ×2', 'api failed ×1']);
    expect(result.timeline.filter((entry) => entry.kind === 'step' && entry.step === 'api' && entry.phase === 'started')).toHaveLength(1);
  });
});
