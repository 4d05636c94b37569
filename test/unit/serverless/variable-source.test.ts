import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { resolveConfigPath } from '../../../serverless/config-path';
import { bundleConfigPlugin, bundleRoot } from '../../../serverless/esbuild';
import * as source from '../../../serverless/index';
import { compilePlans } from '../../../shared/config/compile';
import { COMPILED_CONFIG_FILE, configHash, readCompiledConfig } from '../../../shared/config/compiled';
import { parseConfigText } from '../../../shared/config/load';
import { BROKEN_CONFIG_PROBLEMS, BROKEN_CONFIG_TEXT, EXAMPLE_CONFIG_TEXT, FULL_CONFIG_TEXT, REPO_ROOT } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'switchback-variable-source-'));
const savedConfigEnv = process.env.SWITCHBACK_CONFIG;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (savedConfigEnv === undefined) delete process.env.SWITCHBACK_CONFIG;
  else process.env.SWITCHBACK_CONFIG = savedConfigEnv;
});

function useConfig(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  process.env.SWITCHBACK_CONFIG = file;
  return file;
}

/** What osls passes to a JS variable source: CLI options and a resolver for other variables. */
function args(options: Record<string, string> = {}, variables: Record<string, unknown> = {}) {
  const defaults: Record<string, unknown> = {
    'sls:stage': 'dev',
    'param:role': 'controller',
    'param:tableName': 'switchback-dev',
    'param:tableDeletionPolicy': 'Delete',
    'param:drillSchedule': 'cron(0 15 * * ? *)',
    'param:allowExampleConfig': false,
  };
  const all = { ...defaults, ...variables };
  return {
    options,
    resolveVariable: async (address: string) => {
      if (!(address in all)) throw new Error(`unexpected variable ${address}`);
      return all[address];
    },
  };
}

describe('resolveConfigPath', () => {
  it('prefers $SWITCHBACK_CONFIG (absolute, or relative to the service directory)', () => {
    expect(resolveConfigPath('/srv/app', { SWITCHBACK_CONFIG: '/etc/switchback.yml' })).toBe('/etc/switchback.yml');
    expect(resolveConfigPath('/srv/app', { SWITCHBACK_CONFIG: 'deploy/prod.yml' })).toBe('/srv/app/deploy/prod.yml');
  });

  it('uses switchback.yml when it exists, else switchback.example.yml', () => {
    const service = join(dir, 'service');
    mkdirSync(service);
    expect(resolveConfigPath(service, {})).toBe(join(service, 'switchback.example.yml'));
    writeFileSync(join(service, 'switchback.yml'), EXAMPLE_CONFIG_TEXT);
    expect(resolveConfigPath(service, {})).toBe(join(service, 'switchback.yml'));
  });
});

describe('the serverless.yml variable source', () => {
  it('answers the control region, the table region and the probe location', async () => {
    useConfig('full.yml', FULL_CONFIG_TEXT);
    await expect(source.controlRegion(args())).resolves.toBe('us-west-2');
    await expect(source.tableRegion(args({ region: 'eu-west-1' }))).resolves.toBe('us-west-2');
    await expect(source.location(args())).resolves.toBe('us-west-2');
    await expect(source.location(args({ region: 'eu-west-1' }))).resolves.toBe('eu-west-1');
  });

  it('generates functions and resources for the stage and role osls resolves', async () => {
    useConfig('full-2.yml', FULL_CONFIG_TEXT);
    const functions = await source.functions(args({ region: 'eu-west-1' }, { 'sls:stage': 'prod', 'param:role': 'probe-only' }));
    expect(Object.keys(functions)).toEqual(['probe']);
    expect(functions.probe.name).toBe('switchback-prod-probe');
    const resources = await source.resources(args({}, { 'param:tableDeletionPolicy': 'Retain' }));
    expect((resources.Resources.SwitchbackTable as { DeletionPolicy: string }).DeletionPolicy).toBe('Retain');
  });

  it('rejects a broken file with every path: message once, without a stack trace', async () => {
    const file = useConfig('broken.yml', BROKEN_CONFIG_TEXT);
    const first = await source.controlRegion(args()).catch((error: Error) => error);
    expect(first).toBeInstanceOf(Error);
    const message = (first as Error).message;
    expect(message.startsWith(`${file}: invalid configuration:`)).toBe(true);
    for (const problem of BROKEN_CONFIG_PROBLEMS) expect(message).toContain(problem);
    expect((first as Error).stack).toBe(message);
    // Other variables of the same run point to the list instead of repeating it.
    await expect(source.functions(args())).rejects.toThrow(
      `${file}: invalid configuration (the problems are listed once, in another variable's error)`,
    );
  });

  it('rejects a deployment that does not fit the config with its reason', async () => {
    useConfig('full-3.yml', FULL_CONFIG_TEXT);
    await expect(source.resources(args({ region: 'us-west-2' }, { 'param:role': 'probe-only' }))).rejects.toThrow(
      /role probe-only cannot deploy to controlRegion us-west-2/,
    );
  });

  it("passes osls's own errors through untouched (e.g. a variable not resolvable yet)", async () => {
    useConfig('full-4.yml', FULL_CONFIG_TEXT);
    const notYet = Object.assign(new Error('Cannot resolve variable'), { code: 'MISSING_VARIABLE_DEPENDENCY' });
    const failing = { options: {}, resolveVariable: async () => Promise.reject(notYet) };
    await expect(source.functions(failing)).rejects.toBe(notYet);
  });

  it('names the config file relative to the service directory', async () => {
    process.env.SWITCHBACK_CONFIG = 'switchback.example.yml';
    await expect(source.configFile(args())).resolves.toBe('switchback.example.yml');
  });

  it('refuses switchback.example.yml (by name or as an unedited copy) unless --param allowExampleConfig=true', async () => {
    process.env.SWITCHBACK_CONFIG = 'switchback.example.yml';
    const refusal =
      /switchback\.example\.yml: refusing to deploy the example configuration .*Copy it to switchback\.yml.*--param allowExampleConfig=true/s;
    await expect(source.functions(args())).rejects.toThrow(refusal);
    await expect(source.resources(args())).rejects.toThrow(/refusing to deploy the example configuration \(see the first error\)/);
    await expect(source.functions(args({}, { 'param:allowExampleConfig': 'true' }))).resolves.toHaveProperty('probe');
    // `cp switchback.example.yml switchback.yml` without editing it is still the example.
    useConfig('copied.yml', EXAMPLE_CONFIG_TEXT);
    await expect(source.resources(args())).rejects.toThrow(/copied\.yml: refusing to deploy the example configuration/);
    await expect(source.resources(args({}, { 'param:allowExampleConfig': 'true' }))).resolves.toHaveProperty('Resources');
  });

  it('keeps the table by default and deletes it only when a throwaway stage asks', async () => {
    useConfig('full-5.yml', FULL_CONFIG_TEXT);
    const policy = async (value: unknown) =>
      ((await source.resources(args({}, { 'param:tableDeletionPolicy': value }))).Resources.SwitchbackTable as { DeletionPolicy: string })
        .DeletionPolicy;
    await expect(policy('Retain')).resolves.toBe('Retain');
    await expect(policy('Delete')).resolves.toBe('Delete');
    await expect(policy('retain')).rejects.toThrow('--param tableDeletionPolicy=retain: must be Retain or Delete');
    const yml = readFileSync(join(REPO_ROOT, 'serverless.yml'), 'utf8');
    expect(yml).toMatch(/default:\n(?:    .*\n)*    tableDeletionPolicy: Retain/);
  });
});

describe('the esbuild plugin', () => {
  it('knows the bundle root from the entry point and the outdir serverless-esbuild uses', () => {
    expect(bundleRoot('/svc/.esbuild/.build/functions', 'functions/probe.ts')).toBe('/svc/.esbuild/.build');
    expect(bundleRoot('/svc/.esbuild/.build/src/handlers', 'src/handlers/probe.ts')).toBe('/svc/.esbuild/.build');
  });

  it('compiles the deployment config into the bundle root (resolved JSON with its plans and hashes), and writes the metafile outside it when asked', async () => {
    const project = join(dir, 'project');
    mkdirSync(join(project, 'functions'), { recursive: true });
    writeFileSync(join(project, 'functions', 'probe.ts'), 'export const handler = async () => "ok";\n');
    const config = join(dir, 'custom-name.yml');
    writeFileSync(config, FULL_CONFIG_TEXT);
    const metafiles = join(dir, 'metafiles');
    await build({
      absWorkingDir: project,
      entryPoints: ['functions/probe.ts'],
      outdir: join(project, '.build', 'functions'),
      bundle: true,
      platform: 'node',
      logLevel: 'silent',
      plugins: [bundleConfigPlugin(config, { SWITCHBACK_ESBUILD_METAFILE_DIR: metafiles })],
    });
    expect(readdirSync(join(project, '.build')).sort()).toEqual(['functions', COMPILED_CONFIG_FILE]);
    const compiled = readCompiledConfig(join(project, '.build', COMPILED_CONFIG_FILE));
    const validated = parseConfigText(FULL_CONFIG_TEXT);
    expect(compiled).toEqual({
      config: validated,
      sha256: configHash(validated),
      source: 'custom-name.yml',
      plans: compilePlans(validated),
    });
    expect(readFileSync(join(project, '.build', 'functions', 'probe.js'), 'utf8')).toContain('"ok"');
    const meta = JSON.parse(readFileSync(join(metafiles, 'probe.meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
    expect(Object.keys(meta.inputs)).toEqual(['functions/probe.ts']);
  });

  it('is what serverless.yml wires in', () => {
    const yml = readFileSync(join(REPO_ROOT, 'serverless.yml'), 'utf8');
    expect(yml).toContain('plugins: ./serverless/esbuild-plugins.js');
    expect(yml).toContain('SWITCHBACK_CONFIG_PATH: ./switchback.compiled.json');
  });
});
