/**
 * The compiled configuration `sls package` writes into every bundle: it reads back as exactly the
 * config that was validated, with every service's failover and failback plans as `buildPlan` makes
 * them, and a file edited after packaging (config or plans), missing, of format 1 or without a
 * service's plan is refused at cold start with the file and the reason.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileConfig } from '../../../shared/config/compile';
import {
  COMPILED_CONFIG_FILE,
  compiledPlanSource,
  configHash,
  plansHash,
  readCompiledConfig,
  type CompiledPlans,
} from '../../../shared/config/compiled';
import { parseConfigText } from '../../../shared/config/load';
import { buildPlan } from '../../../shared/domain/build-plan';
import { EXAMPLE_CONFIG_TEXT, FULL_CONFIG_TEXT } from '../serverless/fixtures';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'switchback-compiled-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeCompiled(text: string): string {
  const file = join(dir, COMPILED_CONFIG_FILE);
  writeFileSync(file, text);
  return file;
}

describe('compiled configuration', () => {
  it.each([
    ['the example', EXAMPLE_CONFIG_TEXT],
    ['the full fixture', FULL_CONFIG_TEXT],
  ])('reads %s back exactly as validated, with the hash packaging printed', (_name, yml) => {
    const config = parseConfigText(yml, 'switchback.yml');
    const { text, sha256 } = compileConfig(config, 'switchback.yml');
    expect(sha256).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(sha256).toBe(configHash(config));
    const read = readCompiledConfig(writeCompiled(text));
    // Equal but for keys holding undefined (JSON drops them); nothing JSON would change (a Date, a Map).
    expect(read.config).toEqual(config);
    expect(read.config).toStrictEqual(JSON.parse(JSON.stringify(config)));
    expect(read).toMatchObject({ sha256, source: 'switchback.yml' });
    // The plans travel with it, built by the same code the CLI and the simulator run.
    expect(Object.keys(read.plans)).toEqual(config.services.map((service) => service.name));
    for (const service of config.services) {
      expect(read.plans[service.name]).toEqual({ failover: buildPlan(service, 'failover'), failback: buildPlan(service, 'failback') });
    }
  });

  it('serves each plan as buildPlan returns it, a fresh copy every time (a run never shares its plan)', () => {
    const config = parseConfigText(FULL_CONFIG_TEXT);
    const { plans } = readCompiledConfig(writeCompiled(compileConfig(config, 'switchback.yml').text));
    const planOf = compiledPlanSource(plans);
    for (const service of config.services) {
      for (const kind of ['failover', 'failback'] as const) expect(planOf(service, kind)).toEqual(buildPlan(service, kind));
    }
    const first = planOf(config.services[0], 'failover');
    first[0].params.edited = true;
    expect(planOf(config.services[0], 'failover')).toEqual(buildPlan(config.services[0], 'failover'));
    expect(() => planOf({ ...config.services[0], name: 'elsewhere' }, 'failover')).toThrow(
      'the compiled configuration has no failover plan for service "elsewhere": package it again',
    );
  });

  it('keeps the hash when only the layout changes (re-indented)', () => {
    const config = parseConfigText(EXAMPLE_CONFIG_TEXT);
    const { text, sha256 } = compileConfig(config, 'switchback.yml');
    const file = writeCompiled(JSON.stringify(JSON.parse(text)));
    expect(readCompiledConfig(file).sha256).toBe(sha256);
  });

  it('refuses a hand-edited file at cold start, naming the file, both hashes and where to edit instead', () => {
    const config = parseConfigText(EXAMPLE_CONFIG_TEXT);
    const { text, sha256 } = compileConfig(config, 'my-switchback.yml');
    const edited = JSON.parse(text);
    edited.config.services[0].policy.probe.failureThreshold = 1;
    const file = writeCompiled(JSON.stringify(edited, null, 2));
    const editedHash = configHash(edited.config);
    expect(() => readCompiledConfig(file)).toThrow(
      `${file}: invalid configuration:\n  content hash mismatch: the file records ${sha256} but its config hashes to ${editedHash}; ` +
        'it was edited after `sls package` compiled it from my-switchback.yml. Edit my-switchback.yml and redeploy',
    );
  });

  it('refuses a hand-edited plan the same way, naming the file and both plan hashes', () => {
    const config = parseConfigText(EXAMPLE_CONFIG_TEXT);
    const compiled = compileConfig(config, 'my-switchback.yml');
    const edited = JSON.parse(compiled.text);
    expect(edited.plansSha256).toBe(compiled.plansSha256);
    edited.plans.web.failover[0].timeoutMs = 1;
    const file = writeCompiled(JSON.stringify(edited, null, 2));
    expect(() => readCompiledConfig(file)).toThrow(
      `${file}: invalid configuration:\n  plans hash mismatch: the file records ${compiled.plansSha256} but its plans hash to ` +
        `${plansHash(edited.plans)}; they were edited after \`sls package\` compiled them from my-switchback.yml. ` +
        'Edit my-switchback.yml and redeploy',
    );
  });

  it("refuses a file without a configured service's plan, or with a plan for a service it does not configure, even with a matching hash", () => {
    const config = parseConfigText(EXAMPLE_CONFIG_TEXT);
    const { text } = compileConfig(config, 'switchback.yml');
    const withPlans = (plans: object) =>
      writeCompiled(JSON.stringify({ ...JSON.parse(text), plans, plansSha256: plansHash(plans as CompiledPlans) }));
    const { plans } = JSON.parse(text);
    expect(() => readCompiledConfig(withPlans({}))).toThrow(
      'no failover plan for service "web" (every configured service has a failover and a failback plan): package it again',
    );
    expect(() => readCompiledConfig(withPlans({ web: { failover: plans.web.failover } }))).toThrow(
      'no failback plan for service "web" (every configured service has a failover and a failback plan): package it again',
    );
    expect(() => readCompiledConfig(withPlans({ ...plans, api: plans.web }))).toThrow(
      'a plan for service "api", which switchback.yml does not configure: package it again',
    );
    const withoutPlans = JSON.parse(text);
    delete withoutPlans.plans;
    expect(() => readCompiledConfig(writeCompiled(JSON.stringify(withoutPlans)))).toThrow(
      '`plans` is not the plans `sls package` writes (an object of failover and failback plans per service): package it again',
    );
  });

  it('refuses a missing file, one that is not JSON, another format, and one without a config', () => {
    const config = parseConfigText(EXAMPLE_CONFIG_TEXT);
    const { text } = compileConfig(config, 'switchback.yml');
    const missing = join(dir, 'nowhere', COMPILED_CONFIG_FILE);
    expect(() => readCompiledConfig(missing)).toThrow(
      `${missing}: invalid configuration:\n  cannot read the compiled configuration (ENOENT): \`sls package\` writes it into every function bundle`,
    );
    expect(() => readCompiledConfig(writeCompiled(text.slice(0, -10)))).toThrow(/: invalid configuration:\n {2}not JSON \(/);
    // Format 1 (before the plans travelled in it) and a later one alike.
    expect(() => readCompiledConfig(writeCompiled(JSON.stringify({ ...JSON.parse(text), format: 1 })))).toThrow(
      'format 1, but this release reads format 2: package it again',
    );
    expect(() => readCompiledConfig(writeCompiled(JSON.stringify({ ...JSON.parse(text), format: 3 })))).toThrow(
      'format 3, but this release reads format 2: package it again',
    );
    expect(() =>
      readCompiledConfig(writeCompiled(readFileSync(join(__dirname, '..', '..', '..', 'switchback.example.yml'), 'utf8'))),
    ).toThrow('not JSON');
    expect(() => readCompiledConfig(writeCompiled(JSON.stringify({ ...JSON.parse(text), config: { services: [] } })))).toThrow(
      '`config` is not a compiled configuration (no controlRegion or services): edit switchback.yml and redeploy',
    );
  });
});
