import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseDocument } from 'yaml';
import { parseConfig } from '../shared/config/load';
import { ConfigError } from '../shared/errors';
import { describeViolation, runChaos, type ChaosConfig } from '../sim/chaos/chaos';
import { EXIT, type CliIo } from './io';

export interface ChaosCommandOptions {
  runs?: number;
  seed?: number;
  from?: number;
  config?: string;
  json?: boolean;
  out?: string;
  shrink?: boolean;
}

export const DEFAULT_CHAOS_OUT = 'chaos-out';

function readConfig(file: string): ChaosConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`], { file });
  }
  const document = parseDocument(text).toJS() as Record<string, unknown>;
  parseConfig(structuredClone(document), file); // refuse a bad config before running anything
  return { name: basename(file).replace(/\.ya?ml$/, ''), document };
}

/** `switchback chaos`: random schedules on the embedded world, checked against the invariants. */
export async function runChaosCommand(options: ChaosCommandOptions, io: CliIo): Promise<number> {
  const runs = options.runs ?? 100;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(runs) || runs < 1) {
    io.stderr.write('--runs: must be a whole number ≥ 1\n');
    return EXIT.invalid;
  }
  if (!Number.isInteger(seed) || seed < 0) {
    io.stderr.write('--seed: must be a whole number ≥ 0\n');
    return EXIT.invalid;
  }
  const from = options.from ?? 0;
  if (!Number.isInteger(from) || from < 0) {
    io.stderr.write('--from: must be a whole number ≥ 0\n');
    return EXIT.invalid;
  }
  let configs: ChaosConfig[] | undefined;
  try {
    configs = options.config ? [readConfig(options.config)] : undefined;
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.invalid;
    }
    throw error;
  }
  const outDir = options.out ?? DEFAULT_CHAOS_OUT;
  const report = await runChaos({
    runs,
    seed,
    from,
    ...(configs ? { configs } : {}),
    outDir,
    shrink: options.shrink !== false,
    onRun: (run) => {
      if (options.json) return;
      const status = run.violations.length === 0 ? 'ok' : `${run.violations.length} violation(s)`;
      io.stdout.write(
        `run ${run.index} ${run.config} seed ${run.seed}: ${status} (${(run.realMs / 1000).toFixed(1)}s, summary ${run.digest})\n`,
      );
      for (const violation of run.violations) io.stdout.write(`  ${describeViolation(violation)}\n`);
      if (run.reproduce) io.stdout.write(`  shrunk to ${run.scenarioFile}\n  reproduce: ${run.reproduce}\n`);
    },
  });
  if (options.json) {
    io.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    const counts = Object.entries(report.byInvariant).map(([name, count]) => `${name} ${count}`);
    io.stdout.write(
      `${report.runs} runs (seed ${report.seed}) in ${report.realSeconds}s, ${report.runsPerSecond} runs/s: ${report.violations} violation(s)${counts.length ? ` (${counts.join(', ')})` : ''}\n`,
    );
  }
  return report.violations === 0 ? EXIT.ok : EXIT.failed;
}
