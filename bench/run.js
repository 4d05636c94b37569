#!/usr/bin/env node
/**
 * `npm run bench`: every benchmark in its own Node process, one after the other (they measure time,
 * so they never share the CPU with each other). Prints JSON lines on stdout: first the machine,
 * then one object per figure { name, value, unit, goal?, met?, comparison?, note? }. Progress goes
 * to stderr. `npm run bench -- detection scale` runs only those.
 */
'use strict';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');

const { spawn } = require('node:child_process');
const readline = require('node:readline');
const { describeMachine, log } = require('./lib/report.ts');

/** In running order, with a generous time limit each (the whole run takes about 2 minutes here). */
const BENCHMARKS = {
  detection: 90_000,
  'decision-overhead': 90_000,
  'probe-throughput': 90_000,
  'cold-start': 300_000,
  'steady-state-cost': 180_000,
  scale: 90_000,
  rto: 180_000,
};

function runOne(name) {
  const benchmark = require(`./${name}.ts`);
  benchmark.run().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`[bench] ${name} failed: ${error && error.stack ? error.stack : error}\n`);
      process.exit(1);
    },
  );
}

function runInChild(name, timeoutMs) {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    const child = spawn(process.execPath, ['--expose-gc', __filename, '--one', name], { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => {
      log(`${name}: no result after ${timeoutMs / 1000} s, stopping it`);
      child.kill('SIGKILL');
    }, timeoutMs);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        JSON.parse(line);
        process.stdout.write(`${line}\n`);
      } catch {
        process.stderr.write(`[${name}] ${line}\n`);
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      log(`${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${Math.round((Date.now() - startedAt) / 100) / 10} s`);
      resolve(code === 0);
    });
  });
}

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    log(`unknown benchmark(s): ${unknown.join(', ')} (known: ${Object.keys(BENCHMARKS).join(', ')})`);
    process.exit(2);
  }
  const startedAt = Date.now();
  process.stdout.write(`${JSON.stringify({ name: 'machine', machine: describeMachine() })}\n`);
  let failed = 0;
  for (const [name, timeoutMs] of Object.entries(BENCHMARKS)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    if (!(await runInChild(name, timeoutMs))) failed += 1;
  }
  log(`all benchmarks: ${Math.round((Date.now() - startedAt) / 1000)} s${failed > 0 ? `, ${failed} failed` : ''}`);
  process.exit(failed > 0 ? 1 : 0);
}

if (process.argv[2] === '--one') runOne(process.argv[3]);
else void main();
