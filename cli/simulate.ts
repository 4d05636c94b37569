import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError } from '../shared/errors';
import { formatSummary, formatTimeline } from '../sim/format';
import { describeViolation, runChecked } from '../sim/chaos/check';
import { checkExpectations, formatExpectationFailures } from '../sim/expect';
import { renderTimelineHtml } from '../sim/html';
import { runScenario } from '../sim/runner';
import { loadScenarioFile } from '../sim/scenario';
import { EXIT, type CliIo } from './io';

/** The built-in demo: scenarios/demo.yml next to the package root. */
export const DEMO_SCENARIO = join(__dirname, '..', 'scenarios', 'demo.yml');

export async function runSimulate(
  options: { scenario?: string; config?: string; json?: boolean; html?: string; check?: boolean },
  io: CliIo,
): Promise<number> {
  let scenario;
  try {
    // No scenario: the demo's events (on the given config, or the example).
    scenario = loadScenarioFile(options.scenario ?? DEMO_SCENARIO, { config: options.config });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.invalid;
    }
    throw error;
  }
  // --check: the chaos invariants over this run (the replay of a shrunk `switchback chaos` scenario).
  const checked = options.check ? await runChecked(scenario) : { result: await runScenario(scenario), violations: undefined };
  const { result, violations } = checked;
  delete result.trace;
  if (options.html) {
    const title = `switchback simulate: ${scenario.name ?? 'scenario'}`;
    writeFileSync(
      options.html,
      renderTimelineHtml({
        title,
        subtitle: scenario.description,
        durationSeconds: result.summary.durationSeconds,
        timeline: result.timeline,
      }),
    );
    io.stderr.write(`timeline picture written to ${options.html}\n`);
  }
  const failures = scenario.expect ? checkExpectations(scenario.expect, result) : [];
  if (options.json) {
    // `expectations` is there only when the scenario has `expect:`, `violations` only with --check (added fields).
    const output = {
      ...result,
      ...(scenario.expect ? { expectations: { met: failures.length === 0, failures } } : {}),
      ...(violations ? { violations } : {}),
    };
    io.stdout.write(`${JSON.stringify(output)}\n`);
  } else {
    io.stdout.write(
      `${scenario.name ? `scenario ${scenario.name}` : 'scenario'}: ${scenario.description ?? ''} (config ${relative(process.cwd(), scenario.configSource) || scenario.configSource})\n`,
    );
    io.stdout.write(`${formatTimeline(result)}\n\n${formatSummary(result)}\n`);
    if (scenario.expect && failures.length === 0) io.stdout.write('expectations: all met\n');
    if (violations) {
      io.stdout.write(violations.length === 0 ? 'invariants: all hold\n' : `invariants: ${violations.length} violation(s)\n`);
      for (const violation of violations) io.stdout.write(`  ${describeViolation(violation)}\n`);
    }
  }
  if (failures.length > 0) {
    io.stderr.write(`${formatExpectationFailures(failures)}\n`);
    return EXIT.failed;
  }
  return violations && violations.length > 0 ? EXIT.failed : EXIT.ok;
}
