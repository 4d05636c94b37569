/**
 * The `switchback` CLI end to end: validate, plan, simulate, and the operator commands that invoke
 * a deployed stage's functions (here the real Lambda client talks to the embedded world).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { startLocalTable } from '../../../cli/local-table';
import { configHash } from '../../../shared/config/compiled';
import { parseConfigText } from '../../../shared/config/load';
import { main } from '../../../cli/main';
import { createWorld } from '../../../sim/world';
import { runScenario } from '../../../sim/runner';
import { builtInConfigs, runSeed } from '../../../sim/chaos/chaos';
import { loadScenarioFile } from '../../../sim/scenario';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = join(__dirname, '..', '..', '..');
const EXAMPLE = join(ROOT, 'switchback.example.yml');

async function cli(args: string[], remote = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(
    args,
    { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } },
    remote,
  );
  return { code, stdout, stderr };
}

describe('switchback CLI', () => {
  test('validate: OK and one line per service for the example', async () => {
    const result = await cli(['validate', '-c', EXAMPLE]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^OK .*switchback\.example\.yml: 1 service, control region us-west-2\n  web: app\.example\.com A via record-swap; us-east-1 → us-west-2; down after 3×10s/,
    );
    expect(result.stdout).toContain('alarm forwarders needed in us-east-1 (alarm events stay in their own region):');
    // The hash `sls package` compiles into every bundle and each function logs at cold start.
    const hash = configHash(parseConfigText(readFileSync(EXAMPLE, 'utf8')));
    expect(result.stdout).toContain(`\ncompiled config ${hash} (sls package prints it too; every function logs it at cold start)\n`);
  });

  test('validate: a broken copy exits 2 listing every problem as path: message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchback-cli-'));
    const broken = readFileSync(EXAMPLE, 'utf8')
      .replace('region: us-east-1', 'region: us-west-2')
      .replace('"+15555550100"', '"5555550100"')
      .replace('ttl: 30', 'tll: 30');
    writeFileSync(join(dir, 'broken.yml'), broken);
    const result = await cli(['validate', '-c', join(dir, 'broken.yml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('notify.sms[0]: "5555550100" is not an E.164 number (like +15551234567)');
    expect(result.stderr).toContain('services[0].dns.tll: unknown key (did you mean "ttl"?)');
    // The cross-field check is reported with the schema's problems, not after they are fixed.
    expect(result.stderr).toContain('services[0].primary.region: must differ from controlRegion us-west-2');
    expect(result.stderr).toContain('broken.yml: 3 problems');
  });

  test('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await cli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });

  test.each([
    [['plan', '-s', 'web', 'sideways'], "argument 'kind'. Allowed choices are failover, failback."],
    [['control', 'reboot', '-s', 'web'], "argument 'action'. Allowed choices are freeze, unfreeze, failover, failback, approve, abort."],
    [['drill', 'wet-run', '-s', 'web'], "argument 'mode'. Allowed choices are dry-run, live, report."],
    [['invoke', 'prober'], "argument 'function'. Allowed choices are status, control, drill, probe, alarm, orchestrator."],
  ])('%j: an enumerated argument outside its choices exits 2 naming them', async (args, message) => {
    const result = await cli([...args, '-c', EXAMPLE]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  test('plan: numbered failover steps; unknown service names the known ones', async () => {
    const plan = await cli(['plan', '-s', 'web', 'failover', '-c', EXAMPLE]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('failover plan for web (app.example.com):');
    expect(plan.stdout).toMatch(/1\. .*i-0abc1234def567890/);
    expect(plan.stdout).toContain('alarm forwarders needed in us-east-1 (alarm events stay in their own region):');
    expect(plan.stdout).toContain('  us-east-1: sls deploy --stage <stage> --region us-east-1 --param role=alarm-forwarder');
    const unknown = await cli(['plan', '-s', 'api', '-c', EXAMPLE]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown service "api"; known services: web');
  });

  test('simulate: a scenario whose expect: is met exits 0; one that is not exits 1 with one line per difference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchback-expect-'));
    const scenario = (expectations: string) =>
      [
        'name: expect-check',
        `config: ${EXAMPLE}`,
        'duration: 5m',
        'events:',
        '  - { at: 1m, site: web/primary, health: down }',
        'expect:',
        expectations,
      ].join('\n');
    writeFileSync(join(dir, 'met.yml'), scenario('  services: { web: { finalState: SECONDARY, failovers: 1 } }\n  sms: { maxCount: 2 }'));
    writeFileSync(
      join(dir, 'unmet.yml'),
      scenario(
        '  services: { web: { finalState: PRIMARY, failovers: 0, maxDetectionSeconds: 5 } }\n  sms: { maxCount: 1 }\n  noApiCalls: [route53.ChangeResourceRecordSets]',
      ),
    );
    const met = await cli(['simulate', '--scenario', join(dir, 'met.yml')]);
    expect(met.code).toBe(0);
    expect(met.stdout).toContain('expectations: all met');
    const unmet = await cli(['simulate', '--scenario', join(dir, 'unmet.yml')]);
    expect(unmet.code).toBe(1);
    expect(unmet.stderr).toContain('expectations: 5 not met');
    expect(unmet.stderr).toContain('  services.web.finalState: expected PRIMARY, got SECONDARY');
    expect(unmet.stderr).toContain('  services.web.failovers: expected 0, got 1');
    expect(unmet.stderr).toMatch(/ {2}services\.web\.maxDetectionSeconds: expected at most 5s, got \d+s/);
    expect(unmet.stderr).toContain('  sms.maxCount: expected at most 1, got 2');
    expect(unmet.stderr).toMatch(/ {2}noApiCalls: expected no route53\.ChangeResourceRecordSets, got \d+ calls?/);
    const json = await cli(['simulate', '--json', '--scenario', join(dir, 'unmet.yml')]);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { expectations: { met: boolean; failures: unknown[] } }).expectations).toMatchObject({
      met: false,
      failures: expect.arrayContaining([{ path: 'services.web.failovers', expected: '0', actual: '1' }]),
    });
  });

  test('simulate: expect: naming an unknown service is refused before running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchback-expect-'));
    writeFileSync(join(dir, 'typo.yml'), `config: ${EXAMPLE}\nduration: 1m\nexpect: { services: { wbe: { failovers: 0 } } }\n`);
    const result = await cli(['simulate', '--scenario', join(dir, 'typo.yml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expect.services.wbe: unknown service (web)');
  });

  test('simulate --json prints exactly one JSON object with timeline and summary (and nothing else when the scenario has no expect:)', async () => {
    const result = await cli(['simulate', '--json', '--scenario', join(ROOT, 'scenarios', 'suite', 'capacity-error.yml')]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(Object.keys(output)).toEqual(['timeline', 'summary']);
    expect(output.summary.services.web.finalState).toBe('FAILOVER_FAILED');
  });

  test('simulate: an invalid scenario exits 2 with path-qualified problems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchback-cli-'));
    writeFileSync(join(dir, 'bad.yml'), `config: ${EXAMPLE}\nduration: 5x\nevents:\n  - { at: 1m, site: web/tertiary, health: down }\n`);
    const result = await cli(['simulate', '--scenario', join(dir, 'bad.yml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('duration: "5x" is not a duration');
    expect(result.stderr).toContain('events[0]');
  });

  test('status / control / drill invoke the deployed stage functions in the control region', async () => {
    const world = createWorld({ now: () => Date.now() });
    const calls: Array<{ name: string; payload: unknown }> = [];
    for (const fn of ['status', 'control', 'drill']) {
      world.lambda.register(`switchback-prod-${fn}`, async (payload: unknown) => {
        calls.push({ name: fn, payload });
        return (payload as { service?: string }).service === 'nope'
          ? { ok: false, error: 'unknown service "nope"; known services: web' }
          : { ok: true, echo: payload };
      });
    }
    const remote = { awsOptions: world.awsOptions() };
    const status = await cli(['status', '-c', EXAMPLE, '--stage', 'prod', '-s', 'web'], remote);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({ ok: true, echo: { service: 'web' } });
    const control = await cli(['control', 'freeze', '-s', 'web', '--by', 'alice', '-c', EXAMPLE, '--stage', 'prod'], remote);
    expect(control.code).toBe(0);
    const drill = await cli(['drill', 'live', '-s', 'web', '--hold', '600', '-c', EXAMPLE, '--stage', 'prod'], remote);
    expect(drill.code).toBe(0);
    const refused = await cli(['control', 'freeze', '-s', 'nope', '-c', EXAMPLE, '--stage', 'prod'], remote);
    expect(refused.code).toBe(2);
    expect(calls).toEqual([
      { name: 'status', payload: { service: 'web' } },
      { name: 'control', payload: { action: 'freeze', service: 'web', by: 'alice' } },
      { name: 'drill', payload: { service: 'web', mode: 'live', holdSeconds: 600 } },
      { name: 'control', payload: expect.objectContaining({ action: 'freeze', service: 'nope' }) },
    ]);
    const missing = await cli(['status', '-c', EXAMPLE, '--stage', 'staging'], remote);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/switchback-staging-status/);
  });

  test('status prints a table for people (state, why, probes per location, active run progress, last runs); --json for machines', async () => {
    const world = createWorld({ now: () => Date.now() });
    const answer = {
      ok: true,
      services: [
        {
          service: 'web',
          state: 'FAILING_OVER',
          since: '2026-12-01T10:00:00.000Z',
          frozen: false,
          reason: 'failing over: primary failed 3/3 probes from 2/2 locations; secondary healthy',
          locations: [
            { location: 'us-west-2', primary: 'down ×3 (timeout)', secondary: 'up ×40', observedAt: '2026-12-01T10:00:50.000Z' },
            { location: 'eu-west-1', primary: 'down ×4 (ECONNREFUSED)', secondary: 'up ×41', observedAt: '2026-12-01T10:00:55.000Z' },
          ],
          activeRun: {
            id: 'r42',
            kind: 'failover',
            trigger: 'probe',
            status: 'running',
            reason: 'failing over',
            startedAt: '2026-12-01T10:00:00.000Z',
            currentStep: 'attach (ec2.attachVolume)',
            stepsDone: 2,
            stepsTotal: 5,
          },
          recentRuns: [
            {
              id: 'r41',
              kind: 'failback',
              trigger: 'auto',
              status: 'succeeded',
              reason: 'failing back: primary healthy for 900s (hold-down 900s)',
              startedAt: '2026-11-30T10:00:00.000Z',
              durationSeconds: 71.5,
              stepsDone: 3,
              stepsTotal: 3,
            },
          ],
        },
      ],
    };
    world.lambda.register('switchback-prod-status', async () => answer);
    const remote = { awsOptions: world.awsOptions(), now: () => Date.parse('2026-12-01T10:01:00.000Z') };
    const human = await cli(['status', '-c', EXAMPLE, '--stage', 'prod'], remote);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe(
      [
        'web: FAILING_OVER since 2026-12-01T10:00:00.000Z (60s ago)',
        '  why: failing over: primary failed 3/3 probes from 2/2 locations; secondary healthy',
        '  probes:',
        '    location   primary                 secondary  observed',
        '    us-west-2  down ×3 (timeout)       up ×40     10s ago',
        '    eu-west-1  down ×4 (ECONNREFUSED)  up ×41     5s ago',
        '  active run: r42 failover (probe) running, step 3 of 5: attach (ec2.attachVolume), started 60s ago',
        '  last runs:',
        '    run  kind      trigger  status     took   started  reason',
        '    r41  failback  auto     succeeded  71.5s  24h ago  failing back: primary healthy for 900s (hold-down 900s)',
        '',
      ].join('\n'),
    );
    const machine = await cli(['status', '--json', '-c', EXAMPLE, '--stage', 'prod'], remote);
    expect(machine.code).toBe(0);
    expect(JSON.parse(machine.stdout)).toEqual(answer);
  });

  test('drill report --html draws the last live drill: state bands, a bar per step, SMS pins, the INSYNC mark', async () => {
    // A real report: the live-drill scenario asks the drill function for it at the end.
    const drill = await runScenario(loadScenarioFile(join(ROOT, 'scenarios', 'suite', 'live-drill.yml')));
    const report = drill.timeline.find(
      (entry) =>
        entry.kind === 'invoke' &&
        entry.function === 'drill' &&
        entry.result !== undefined &&
        (entry.result as { mode?: string }).mode === 'report',
    )?.result as {
      failover: { steps: unknown[]; texts: unknown[] };
    };
    expect(report.failover.texts).toEqual([
      { stage: 'started', atEpochMs: expect.any(Number), ok: true },
      { stage: 'succeeded', atEpochMs: expect.any(Number), ok: true },
    ]);
    const world = createWorld({ now: () => Date.now(), sleep: async () => undefined });
    world.lambda.register('switchback-prod-drill', async () => report);
    const file = join(mkdtempSync(join(tmpdir(), 'switchback-drill-')), 'drill.html');
    const result = await cli(['drill', 'report', '-s', 'web', '--html', file, '-c', EXAMPLE, '--stage', 'prod'], {
      awsOptions: world.awsOptions(),
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`drill picture written to ${file}\n`);
    const html = readFileSync(file, 'utf8');
    const states = [...html.matchAll(/class="state-band" data-state="([A-Z_]+)"/g)].map((match) => match[1]);
    expect(states).toEqual(['PRIMARY', 'FAILING_OVER', 'SECONDARY', 'FAILING_BACK', 'PRIMARY']);
    const steps = [...html.matchAll(/class="step-bar" data-step="([^"]+)" data-status="([a-z]+)"/g)].map(
      (match) => `${match[1]} ${match[2]}`,
    );
    expect(steps).toHaveLength(report.failover.steps.length + (report as { failback?: { steps: unknown[] } }).failback!.steps.length);
    expect(steps.every((step) => step.endsWith(' succeeded'))).toBe(true);
    expect(html.match(/class="sms-pin"/g)).toHaveLength(4);
    expect(html.match(/class="dns-change"/g)).toHaveLength(2);

    const refused = await cli(['drill', 'live', '-s', 'web', '--html', file, '-c', EXAMPLE, '--stage', 'prod'], {
      awsOptions: world.awsOptions(),
    });
    expect(refused).toMatchObject({ code: 2, stderr: 'drill: --html draws a live drill report: use it with `drill report`\n' });
  });

  test('local-table: an embedded DynamoDB on a loopback port with the stage table, and how to point sls invoke local at it', async () => {
    let stdout = '';
    const dynamo = await startLocalTable(
      { port: 0, table: 'switchback-dev' },
      { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } },
    );
    try {
      expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const described = await dynamo.rawClient.send(new DescribeTableCommand({ TableName: 'switchback-dev' }));
      expect(described.Table?.TableStatus).toBe('ACTIVE');
      expect(stdout).toContain(`export AWS_ENDPOINT_URL_DYNAMODB=${dynamo.endpoint}`);
      expect(stdout).toContain('npx sls invoke local -f status --path events/status.json');
    } finally {
      await dynamo.close();
    }
  });

  test('chaos --from runs one run of a batch alone, with the schedule it has in the whole batch; a bad --from exits 2', async () => {
    const result = await cli(['chaos', '--seed', '1', '--from', '7', '--runs', '1', '--json', '--no-shrink']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { runs: number; results: Array<{ index: number; seed: number; config: string }> };
    expect(report.runs).toBe(1);
    expect(report.results[0]).toMatchObject({ index: 7, seed: runSeed(1, 7), config: builtInConfigs()[7 % builtInConfigs().length].name });
    const bad = await cli(['chaos', '--from', '-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('--from: must be a whole number ≥ 0\n');
  });
});
