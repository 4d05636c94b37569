/**
 * Cold start: `sls package` once (osls + serverless-esbuild, offline, dummy credentials, the
 * example config), then for each function: the zip size, the size of its main .js, and the time
 * to `require` the unzipped bundle in a fresh Node process (hrtime around require; node's own
 * start-up and the first invocation's dependency building are not included). Runs go round-robin
 * over the functions, one discarded pass first (file cache), then the median of 10.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FUNCTION_KEYS } from '../serverless/naming';
import { offlinePackagingEnv } from '../serverless/offline-env';
import { readZip } from '../serverless/zip';
import { emitFigure, log, round } from './lib/report';
import { median } from './lib/stats';

const REPO_ROOT = join(__dirname, '..');
const RUNS = 10;
const SMALL_FUNCTIONS = new Set(['probe', 'alarm']);
const GOAL_KIB = 400;
const GOAL_REQUIRE_MS = 100;

function slsPackage(outputDir: string): Promise<void> {
  const workFolder = `.esbuild-bench-${process.pid}`;
  const env = offlinePackagingEnv(join(REPO_ROOT, 'switchback.example.yml'), workFolder);
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
    await slsPackage(packaged);
    log(`cold start: sls package took ${round((Date.now() - startedAt) / 1000)} s`);
    const bundles = FUNCTION_KEYS.map((name) => {
      const zip = join(packaged, `${name}.zip`);
      const dir = join(work, name);
      extract(zip, dir);
      const main = join(dir, 'functions', `${name}.js`);
      if (!existsSync(main)) throw new Error(`cold start: ${name}.zip has no functions/${name}.js`);
      return { name, zipBytes: statSync(zip).size, mainBytes: statSync(main).size, main, times: [] as number[] };
    });
    for (let pass = 0; pass <= RUNS; pass++) {
      for (const bundle of bundles) {
        const ms = await timeRequire(bundle.main);
        if (pass > 0) bundle.times.push(ms);
      }
    }
    for (const bundle of bundles) {
      const small = SMALL_FUNCTIONS.has(bundle.name);
      const zipKiB = bundle.zipBytes / 1024;
      const requireMs = median(bundle.times);
      const hasEc2Client = readFileSync(bundle.main, 'utf8').includes('StartInstancesCommand');
      const sizes = `zip ${round(zipKiB)} KiB, main .js ${round(bundle.mainBytes / 1024)} KiB, EC2 client ${hasEc2Client ? 'bundled' : 'absent'}`;
      const spread = `median of ${RUNS} fresh processes (min ${round(Math.min(...bundle.times))}, max ${round(Math.max(...bundle.times))})`;
      log(`cold start ${bundle.name}: ${sizes}, require ${round(requireMs)} ms (${bundle.times.map((ms) => round(ms)).join(', ')})`);
      if (small) {
        emitFigure({
          name: `coldStart.${bundle.name}.zipSize`,
          value: round(zipKiB),
          unit: 'KiB',
          goal: `< ${GOAL_KIB} KiB`,
          met: zipKiB < GOAL_KIB,
          note: sizes,
        });
        emitFigure({
          name: `coldStart.${bundle.name}.requireTime`,
          value: round(requireMs),
          unit: 'ms',
          goal: `< ${GOAL_REQUIRE_MS} ms`,
          met: requireMs < GOAL_REQUIRE_MS,
          note: spread,
        });
      } else {
        emitFigure({ name: `coldStart.${bundle.name}.requireTime`, value: round(requireMs), unit: 'ms', note: `${sizes}; ${spread}` });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
