/**
 * Scenario files that say what must happen (`expect:`) are checked here, each run with the real
 * handlers on the embedded world: the same check `switchback simulate` makes in a user's CI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkExpectations } from '../../sim/expect';
import { runScenario } from '../../sim/runner';
import { loadScenarioFile } from '../../sim/scenario';
import { SCENARIOS } from './scenario-kit';

const files = [
  ...readdirSync(SCENARIOS).map((name) => join(SCENARIOS, name)),
  ...readdirSync(join(SCENARIOS, 'suite')).map((name) => join(SCENARIOS, 'suite', name)),
].filter((file) => file.endsWith('.yml') && /^expect:/m.test(readFileSync(file, 'utf8')));

describe('scenario files with expect:', () => {
  it('include the demo and suite files', () => {
    expect(files.map((file) => file.slice(SCENARIOS.length + 1))).toEqual(expect.arrayContaining(['demo.yml', 'suite/secondary-down.yml']));
  });

  it.each(files.map((file) => [file.slice(SCENARIOS.length + 1), file]))('%s meets its expectations', async (_name, file) => {
    const scenario = loadScenarioFile(file);
    const result = await runScenario(scenario);
    expect(checkExpectations(scenario.expect ?? {}, result)).toEqual([]);
  });
});
