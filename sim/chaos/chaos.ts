/**
 * `switchback chaos`: generate random schedules over a config, run each on the embedded world with
 * the real handlers, check the invariants, and shrink any failing schedule to a minimal scenario
 * file that `switchback simulate --scenario <file> --check` replays.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig } from '../../shared/config/load';
import { CHAOS_CONFIGS } from './configs';
import { generateSchedule, type ScenarioDocument } from './generate';
import { describeViolation, parseSchedule, runChecked, summaryDigest, type RunOptions } from './check';
import type { Violation } from './invariants';
import { shrinkSchedule } from './shrink';

export { describeViolation, parseSchedule, runChecked, summaryDigest, type RunOptions };

export interface ChaosConfig {
  name: string;
  document: Record<string, unknown>;
}

/** The seed of run `index` of a batch started with `seed`. */
export function runSeed(seed: number, index: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

export interface ChaosRunReport {
  index: number;
  seed: number;
  config: string;
  digest: string;
  violations: Violation[];
  realMs: number;
  /** The shrunk scenario file, when a violation was shrunk and written. */
  scenarioFile?: string;
  reproduce?: string;
}

export interface ChaosOptions extends RunOptions {
  runs: number;
  seed: number;
  /** The index of the first run (default 0): run `from + k` has the same schedule in any batch of the seed. */
  from?: number;
  configs?: ChaosConfig[];
  /** Where shrunk scenarios are written (default: not written). */
  outDir?: string;
  /** Shrink failing schedules (default true). */
  shrink?: boolean;
  /** Largest number of re-runs one shrink may use (default 60). */
  shrinkRuns?: number;
  onRun?(report: ChaosRunReport): void;
}

export interface ChaosReport {
  seed: number;
  runs: number;
  realSeconds: number;
  runsPerSecond: number;
  violations: number;
  byInvariant: Record<string, number>;
  results: ChaosRunReport[];
}

export function builtInConfigs(): ChaosConfig[] {
  return Object.entries(CHAOS_CONFIGS).map(([name, document]) => ({ name, document }));
}

export function scheduleFor(config: ChaosConfig, seed: number): ScenarioDocument {
  const parsed = parseConfig(structuredClone(config.document), config.name);
  return generateSchedule({ configName: config.name, configDocument: config.document, config: parsed, seed });
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const configs = options.configs ?? builtInConfigs();
  const startedAt = Date.now();
  const results: ChaosRunReport[] = [];
  const from = options.from ?? 0;
  for (let index = from; index < from + options.runs; index++) {
    const config = configs[index % configs.length];
    const seed = runSeed(options.seed, index);
    const document = scheduleFor(config, seed);
    const runStartedAt = Date.now();
    const checked = await runChecked(parseSchedule(document), options);
    const report: ChaosRunReport = {
      index,
      seed,
      config: config.name,
      digest: summaryDigest(checked.result),
      violations: checked.violations,
      realMs: Date.now() - runStartedAt,
    };
    if (checked.violations.length > 0 && options.shrink !== false) {
      const target = checked.violations[0];
      const shrunk = await shrinkSchedule(document, target, options, { maxRuns: options.shrinkRuns ?? 60 });
      if (options.outDir) {
        report.scenarioFile = writeScenarioFile(options.outDir, shrunk.document, shrunk.violation);
        report.reproduce = `switchback simulate --scenario ${report.scenarioFile} --check`;
      }
    }
    results.push(report);
    options.onRun?.(report);
  }
  const realSeconds = (Date.now() - startedAt) / 1000;
  const byInvariant: Record<string, number> = {};
  for (const result of results)
    for (const violation of result.violations) byInvariant[violation.invariant] = (byInvariant[violation.invariant] ?? 0) + 1;
  return {
    seed: options.seed,
    runs: results.length,
    realSeconds: Math.round(realSeconds * 10) / 10,
    runsPerSecond: Math.round((results.length / Math.max(realSeconds, 0.001)) * 100) / 100,
    violations: results.reduce((sum, result) => sum + result.violations.length, 0),
    byInvariant,
    results,
  };
}

/** Write a scenario file whose header says what it shows and how to replay it. */
export function writeScenarioFile(outDir: string, document: ScenarioDocument, violation: Violation): string {
  mkdirSync(outDir, { recursive: true });
  const name = `chaos-${violation.invariant}-${String(document.seed ?? 'x')}`;
  const file = join(outDir, `${name}.yml`);
  const described = { ...document, name, description: `shrunk by switchback chaos: ${describeViolation(violation)}` };
  const header = [`# ${describeViolation(violation)}`, `# replay: switchback simulate --scenario ${file} --check`, ''].join('\n');
  writeFileSync(file, `${header}${stringify(described, { lineWidth: 0 })}`);
  return file;
}
