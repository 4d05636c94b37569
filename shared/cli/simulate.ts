import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors';
import { formatSummary, formatTimeline } from '../sim/format';
import { runScenario } from '../sim/runner';
import { loadScenarioFile, parseScenario } from '../sim/scenario';
import { EXIT, type CliIo } from './io';

/** The built-in demo: scenarios/demo.yml next to the package root. */
export const DEMO_SCENARIO = join(__dirname, '..', '..', 'scenarios', 'demo.yml');

export async function runSimulate(options: { scenario?: string; config?: string; json?: boolean }, io: CliIo): Promise<number> {
  let scenario;
  try {
    if (options.scenario) {
      scenario = loadScenarioFile(options.scenario);
      if (options.config) scenario = parseScenario({ ...scenarioDocument(options.scenario), config: options.config }, process.cwd(), options.scenario);
    } else {
      // No scenario: the demo's events on the given config (or the example).
      const demo = scenarioDocument(DEMO_SCENARIO);
      scenario = options.config ? parseScenario({ ...demo, config: options.config }, process.cwd(), 'demo') : loadScenarioFile(DEMO_SCENARIO);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.invalid;
    }
    throw error;
  }
  const result = await runScenario(scenario);
  if (options.json) {
    io.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    io.stdout.write(`${scenario.name ? `scenario ${scenario.name}` : 'scenario'}: ${scenario.description ?? ''} (config ${relative(process.cwd(), scenario.configSource) || scenario.configSource})\n`);
    io.stdout.write(`${formatTimeline(result)}\n\n${formatSummary(result)}\n`);
  }
  return EXIT.ok;
}

function scenarioDocument(file: string): Record<string, unknown> {
  try {
    return parseDocument(readFileSync(file, 'utf8')).toJS() as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError([`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`], { file });
  }
}
