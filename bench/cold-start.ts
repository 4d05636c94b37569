/**
 * Cold start: `sls package` once (osls + serverless-esbuild, offline, dummy credentials, the
 * example config), then for each function: the zip size, the size of its main .js, and the time
 * to `require` the unzipped bundle in a fresh Node process (hrtime around require; node's own
 * start-up and the first invocation's dependency building are not included). Runs go round-robin
 * over the functions and a baseline, one discarded pass first (file cache), then the median of 10.
 *
 * The baseline is a bare `DynamoDBClient` bundled with the same esbuild options: every function
 * loads it, and it does not change with our code. Each require time is also given as a ratio to
 * the baseline's in the same run, which is what the goals compare: the shared machine's load moves
 * both alike, so the ratio is steadier than milliseconds.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { lambdaBuildOptions } from '../serverless/esbuild-options';
import { FUNCTION_KEYS } from '../serverless/naming';
import { sdkSchemaTreeShakePlugin } from '../serverless/sdk-schemas';
import { offlinePackagingEnv } from '../serverless/offline-env';
import { readZip } from '../serverless/zip';
import { emitFigure, log, round } from './lib/report';
import { median } from './lib/stats';

const REPO_ROOT = join(__dirname, '..');
const RUNS = 10;
const SMALL_FUNCTIONS = new Set(['probe', 'alarm', 'status', 'control']);
const GOAL_ZIP_KIB = 250;
/**
 * Require time ÷ baseline require time of the small functions before the config was compiled at
 * package time (commit 3523855 measured with this benchmark: median of 10 per-round ratios, on the
 * shared 2-core machine at a load average of ~11). The four bundles were then nearly the same code
 * (1.49–1.52 MB of JS), so the spread between them (2.4–3.4) is the noise of one run under that load.
 * The goal is a ratio under 60 % of these.
 */
const BEFORE_REQUIRE_RATIO: Record<string, number> = { probe: 3.42, alarm: 2.44, status: 3.01, control: 3.22 };
const GOAL_RATIO_FRACTION = 0.6;

/**
 * Issue 18 asked for `orchestrator` and `drill` under 140 ms when its machine took 185 and 181 ms
 * to require them (this benchmark at commit 67c9986, whose README reported those figures). That
 * machine is not this one: the same commit's bundles, packaged by its own `sls package` and
 * required here in the same rounds as the baseline (`COLD_START_COMPARE_PACKAGE`, Node 24, four
 * runs of 10 rounds on 2026-12-02 at a load average of about 1), took 518–560 ms and 518–561 ms,
 * about three times as long (its `probe`, quoted in the issue at ~107 ms, took 289–310 ms), while
 * the baseline took 94–108 ms. So the goal is the cut it asked for, in the same-run terms the other
 * four use: a ratio to the baseline under 140/185 (140/181) of that commit's ratio, the median of
 * those runs (5.42–5.55 and 5.28–5.47).
 */
const GOAL_LARGE_REQUIRE_MS = 140;
const AT_ISSUE_COMMIT = '67c9986';
const AT_ISSUE: Record<string, { requireMs: number; ratio: number }> = {
  orchestrator: { requireMs: 185, ratio: 5.51 },
  drill: { requireMs: 181, ratio: 5.42 },
};

/** The goal for a large bundle's ratio to the baseline, and the sentence that states it. */
function largeGoal(name: string): { ratio: number; text: string } {
  const atIssue = AT_ISSUE[name];
  if (!atIssue) throw new Error(`cold start: no goal for ${name}: add it to SMALL_FUNCTIONS or AT_ISSUE`);
  const ratio = (atIssue.ratio * GOAL_LARGE_REQUIRE_MS) / atIssue.requireMs;
  return {
    ratio,
    text: `< ${round(ratio, 2)} (${GOAL_LARGE_REQUIRE_MS}/${atIssue.requireMs} of ${atIssue.ratio} at ${AT_ISSUE_COMMIT}: the issue's ${GOAL_LARGE_REQUIRE_MS} ms where that bundle took ${atIssue.requireMs} ms)`,
  };
}

/**
 * `COLD_START_COMPARE_PACKAGE=<dir>`: the zips of another `sls package --package <dir>` (another
 * commit's, say), required in the same rounds and reported as ratios to the baseline with no goal.
 * That is how the AT_ISSUE ratios were measured.
 */
const COMPARE_PACKAGE_ENV = 'COLD_START_COMPARE_PACKAGE';

/**
 * A bare DynamoDB client, bundled like the functions were when BEFORE_REQUIRE_RATIO was recorded
 * (serverless.yml `custom.esbuild` then: keepNames, and the whole default credential chain bundled).
 * The functions now leave the profile/SSO/process/web-identity providers out and are built without
 * keepNames; the baseline keeps both as they were, so it stays the same yardstick the recorded
 * ratios were measured with (what the functions dropped shows as their ratios going down).
 */
async function buildBaseline(outfile: string): Promise<void> {
  await build({
    stdin: { contents: "export { DynamoDBClient } from '@aws-sdk/client-dynamodb';", resolveDir: REPO_ROOT, loader: 'ts' },
    outfile,
    bundle: true,
    minify: true,
    keepNames: true,
    target: 'node24',
    platform: 'node',
    format: 'cjs',
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
}

/**
 * The orchestrator as `sls package` builds it for a configuration whose steps use RDS, Auto Scaling
 * and ECS: serverless.yml's `custom.esbuild` options and the SDK schema plugin, without the plugin that
 * leaves out step clients no step uses (the example configuration's steps are EC2 and HTTP only, so
 * its orchestrator holds none of them). Written where the zip's would be unzipped.
 */
async function buildOrchestratorWithEveryStepClient(outdir: string): Promise<string> {
  await build({
    ...lambdaBuildOptions(REPO_ROOT),
    entryPoints: [join(REPO_ROOT, 'functions', 'orchestrator.ts')],
    outdir,
    plugins: [sdkSchemaTreeShakePlugin()],
  });
  return join(outdir, 'orchestrator.js');
}

/**
 * The AWS SDK clients a minified bundle holds, by the `serviceId` default each client's runtime
 * config carries (class names do not survive minification without keepNames).
 */
function sdkClientsIn(js: string): string[] {
  return [...new Set([...js.matchAll(/serviceId:[\w$]+\?\.serviceId\?\?"([^"]+)"/g)].map((match) => match[1]))].sort();
}

function slsPackage(outputDir: string, tempDir: string): Promise<void> {
  const workFolder = `.esbuild-bench-${process.pid}`;
  mkdirSync(tempDir, { recursive: true });
  const env = offlinePackagingEnv(join(REPO_ROOT, 'switchback.example.yml'), workFolder, { tempDir });
  delete env.AWS_SESSION_TOKEN;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        require.resolve('osls/bin/serverless.js'),
        'package',
        '--stage',
        'bench',
        '--package',
        outputDir,
        '--param',
        'allowExampleConfig=true',
      ],
      {
        cwd: REPO_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      rmSync(join(REPO_ROOT, workFolder), { recursive: true, force: true });
      if (code === 0) resolve();
      else reject(new Error(`sls package exited ${code}:\n${output.slice(-2000)}`));
    });
  });
}

/** `unzip` when the machine has it, else a minimal reader (stored and deflated entries). */
function extract(zipFile: string, into: string): void {
  mkdirSync(into, { recursive: true });
  if (spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0) {
    execFileSync('unzip', ['-q', '-o', zipFile, '-d', into]);
    return;
  }
  for (const [name, entry] of readZip(zipFile)) {
    if (name.endsWith('/')) continue;
    const target = join(into, name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, entry.data());
  }
}

/** Each function's zip in `packageDir` unzipped under `into`, with its sizes and main .js. */
function unzipFunctions(packageDir: string, into: string) {
  return FUNCTION_KEYS.map((name) => {
    const zip = join(packageDir, `${name}.zip`);
    if (!existsSync(zip)) throw new Error(`cold start: ${packageDir} has no ${name}.zip`);
    const dir = join(into, name);
    extract(zip, dir);
    const main = join(dir, 'functions', `${name}.js`);
    if (!existsSync(main)) throw new Error(`cold start: ${name}.zip has no functions/${name}.js`);
    return { name, zipBytes: statSync(zip).size, mainBytes: statSync(main).size, main, times: [] as number[] };
  });
}

function timeRequire(file: string): Promise<number> {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], {
      cwd: dirname(file),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (errors += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Number(output)) : reject(new Error(`require ${file} failed (${code}): ${errors.slice(0, 500)}`)),
    );
  });
}

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'switchback-bench-'));
  try {
    const packaged = join(work, 'package');
    const startedAt = Date.now();
    await slsPackage(packaged, join(work, 'tmp'));
    log(`cold start: sls package took ${round((Date.now() - startedAt) / 1000)} s`);
    const bundles = unzipFunctions(packaged, work);
    const comparePackage = process.env[COMPARE_PACKAGE_ENV];
    const compared = comparePackage ? unzipFunctions(comparePackage, join(work, 'compared')) : [];
    const baseline = { name: 'baseline (bare DynamoDBClient)', main: join(work, 'baseline', 'dynamodb-client.js'), times: [] as number[] };
    await buildBaseline(baseline.main);
    const everyStepClientMain = await buildOrchestratorWithEveryStepClient(join(work, 'orchestrator-every-step-client', 'functions'));
    const everyStepClient = {
      name: 'orchestratorEveryStepClient',
      mainBytes: statSync(everyStepClientMain).size,
      main: everyStepClientMain,
      times: [] as number[],
    };
    for (let pass = 0; pass <= RUNS; pass++) {
      for (const measured of [baseline, ...bundles, everyStepClient, ...compared]) {
        const ms = await timeRequire(measured.main);
        if (pass > 0) measured.times.push(ms);
      }
    }
    const baselineMs = median(baseline.times);
    const spreadOf = (times: number[]) =>
      `median of ${RUNS} fresh processes (min ${round(Math.min(...times))}, max ${round(Math.max(...times))})`;
    log(`cold start baseline: require ${round(baselineMs)} ms (${baseline.times.map((ms) => round(ms)).join(', ')})`);
    emitFigure({
      name: 'coldStart.baseline.requireTime',
      value: round(baselineMs),
      unit: 'ms',
      note: `a bare DynamoDBClient bundled like the functions; ${spreadOf(baseline.times)}`,
    });
    // The median of the per-round ratios: each pairs a bundle with the baseline required just before it.
    const ratioToBaseline = (times: number[]) => median(times.map((ms, pass) => ms / baseline.times[pass]));
    const largeNote = (name: string) =>
      `issue 18's ${GOAL_LARGE_REQUIRE_MS} ms was set where this bundle took ${AT_ISSUE[name].requireMs} ms (${AT_ISSUE_COMMIT}); that commit's bundle took about three times as long where its ratio was recorded, so the goal is the requireRatio`;
    for (const bundle of bundles) {
      const small = SMALL_FUNCTIONS.has(bundle.name);
      const zipKiB = bundle.zipBytes / 1024;
      const requireMs = median(bundle.times);
      const ratio = ratioToBaseline(bundle.times);
      const clients = sdkClientsIn(readFileSync(bundle.main, 'utf8'));
      const sizes = `zip ${round(zipKiB)} KiB, main .js ${round(bundle.mainBytes / 1024)} KiB, SDK clients ${clients.join(', ')}`;
      const timing = `${round(requireMs)} ms; ${round(ratio, 2)} × the baseline (${round(baselineMs)} ms) required in the same rounds (median of per-round ratios); ${spreadOf(bundle.times)}`;
      log(
        `cold start ${bundle.name}: ${sizes}, require ${round(requireMs)} ms, ${round(ratio, 2)} × baseline (${bundle.times.map((ms) => round(ms)).join(', ')})`,
      );
      if (small) {
        emitFigure({ name: `coldStart.${bundle.name}.requireTime`, value: round(requireMs), unit: 'ms', note: timing });
        emitFigure({
          name: `coldStart.${bundle.name}.zipSize`,
          value: round(zipKiB),
          unit: 'KiB',
          goal: `< ${GOAL_ZIP_KIB} KiB`,
          met: zipKiB < GOAL_ZIP_KIB,
          note: sizes,
        });
        const before = BEFORE_REQUIRE_RATIO[bundle.name];
        const goalRatio = before * GOAL_RATIO_FRACTION;
        emitFigure({
          name: `coldStart.${bundle.name}.requireRatio`,
          value: round(ratio, 2),
          unit: '× baseline',
          goal: `< ${round(goalRatio, 2)} (${GOAL_RATIO_FRACTION * 100} % of ${before} before)`,
          met: ratio < goalRatio,
          comparison: { name: 'before (3523855)', value: before },
          note: timing,
        });
      } else {
        const name = bundle.name;
        const goal = largeGoal(name);
        emitFigure({ name: `coldStart.${name}.requireTime`, value: round(requireMs), unit: 'ms', note: `${timing}; ${largeNote(name)}` });
        emitFigure({
          name: `coldStart.${name}.requireRatio`,
          value: round(ratio, 2),
          unit: '× baseline',
          goal: goal.text,
          met: ratio < goal.ratio,
          comparison: { name: `at issue 18 (${AT_ISSUE_COMMIT})`, value: AT_ISSUE[name].ratio },
          note: `${sizes}; ${timing}`,
        });
      }
    }
    const variantMs = median(everyStepClient.times);
    const variantRatio = ratioToBaseline(everyStepClient.times);
    const variantClients = sdkClientsIn(readFileSync(everyStepClient.main, 'utf8'));
    const variantGoal = largeGoal('orchestrator');
    log(
      `cold start orchestrator with every step client: main .js ${round(everyStepClient.mainBytes / 1024)} KiB, SDK clients ${variantClients.join(', ')}, require ${round(variantMs)} ms, ${round(variantRatio, 2)} × baseline`,
    );
    const variantNote = `the orchestrator for a configuration with RDS, Auto Scaling and ECS steps (built with serverless.yml's esbuild options, not zipped): main .js ${round(everyStepClient.mainBytes / 1024)} KiB, SDK clients ${variantClients.join(', ')}; ${round(variantMs)} ms, ${round(variantRatio, 2)} × the baseline; ${spreadOf(everyStepClient.times)}`;
    emitFigure({ name: `coldStart.${everyStepClient.name}.requireTime`, value: round(variantMs), unit: 'ms', note: variantNote });
    emitFigure({
      name: `coldStart.${everyStepClient.name}.requireRatio`,
      value: round(variantRatio, 2),
      unit: '× baseline',
      goal: variantGoal.text,
      met: variantRatio < variantGoal.ratio,
      comparison: { name: `orchestrator at issue 18 (${AT_ISSUE_COMMIT})`, value: AT_ISSUE.orchestrator.ratio },
      note: variantNote,
    });
    for (const other of compared) {
      const ratio = ratioToBaseline(other.times);
      log(`cold start ${other.name} from ${comparePackage}: require ${round(median(other.times))} ms, ${round(ratio, 2)} × baseline`);
      emitFigure({
        name: `coldStart.compared.${other.name}.requireRatio`,
        value: round(ratio, 2),
        unit: '× baseline',
        note: `${other.name}.zip from ${COMPARE_PACKAGE_ENV}: zip ${round(other.zipBytes / 1024)} KiB, main .js ${round(other.mainBytes / 1024)} KiB; ${round(median(other.times))} ms; ${spreadOf(other.times)}`,
      });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
