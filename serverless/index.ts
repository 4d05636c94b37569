/**
 * The variable source behind `${file(./serverless/switchback-config.js):<name>}` in serverless.yml.
 * Each export is called by osls with `{ options, resolveVariable }`; the config file is loaded and
 * validated (shared/config/load.ts) once per `sls` run.
 */
import { relative, resolve } from 'node:path';
import { COMPILED_CONFIG_FILE, configHash } from '../shared/config/compiled';
import type { SwitchbackConfig } from '../shared/config/types';
import { ConfigError, SwitchbackError } from '../shared/errors';
import { CONFIG_ENV, checkNotExample, ExampleConfigError, loadDeploymentConfig, resolveConfigPath } from './config-source';
import { buildFunctions, buildResources, DeploymentError, type DeploymentContext, type GeneratedResources } from './deployment';
import type { DeployRole } from './naming';

export interface VariableSourceArgs {
  options: { region?: string; stage?: string; [key: string]: unknown };
  resolveVariable(address: string): Promise<unknown>;
}

const SERVICE_DIR = resolve(__dirname, '..');

/** Config files whose problems were already reported in this `sls` run (osls reports every failing variable). */
const reportedConfigFiles = new Set<string>();
/** Config files already named on stderr in this `sls` run. */
const announcedConfigFiles = new Set<string>();

/**
 * osls prints a rejection's stack: ours carry only the message, so the `path: message` list reads
 * cleanly, and the list is given once (the other variables that need the file point to it).
 * Anything else (osls's own "variable not resolvable yet" signals) passes through untouched.
 */
function cleanError(error: unknown): unknown {
  if (!(error instanceof SwitchbackError)) return error;
  let message = error.message;
  if (error instanceof ConfigError || error instanceof ExampleConfigError) {
    const file = String(error.context.file ?? configPath());
    const key = `${error.name}:${file}`;
    message = reportedConfigFiles.has(key)
      ? error instanceof ConfigError
        ? `${file}: invalid configuration (the problems are listed once, in another variable's error)`
        : `${file}: refusing to deploy the example configuration (see the first error)`
      : `${message}\n(switchback.yml is read from $${CONFIG_ENV}, else switchback.yml, else switchback.example.yml)`;
    reportedConfigFiles.add(key);
  }
  const clean = new Error(message);
  clean.stack = message;
  return clean;
}

function withCleanErrors<Result>(work: (args: VariableSourceArgs) => Promise<Result> | Result) {
  return async (args: VariableSourceArgs): Promise<Result> => {
    try {
      return await work(args);
    } catch (error) {
      throw cleanError(error);
    }
  };
}

export function configPath(): string {
  return resolveConfigPath(SERVICE_DIR);
}

/** The validated config, named on stderr once per `sls` run: whoever deploys sees which file went out. */
function config(): SwitchbackConfig {
  const file = configPath();
  const first = !announcedConfigFiles.has(file);
  if (first) {
    announcedConfigFiles.add(file);
    process.stderr.write(`switchback: deploying config ${file}\n`);
  }
  const loaded = loadDeploymentConfig(file);
  // The hash every function checks (and logs) at cold start; `switchback validate` prints the same.
  if (first) process.stderr.write(`switchback: compiled config ${configHash(loaded)} (into every function as ${COMPILED_CONFIG_FILE})\n`);
  return loaded;
}

/**
 * What the functions and resources are generated from: the config, refused when it is the shipped
 * example unless `--param allowExampleConfig=true`. (Not checked for provider.region: osls resolves
 * `param:` only after the region is known, so asking for it there never answers.)
 */
async function deployableConfig(args: VariableSourceArgs): Promise<SwitchbackConfig> {
  const loaded = config();
  checkNotExample(configPath(), SERVICE_DIR, await args.resolveVariable('param:allowExampleConfig'));
  return loaded;
}

const TABLE_DELETION_POLICIES = ['Retain', 'Delete'] as const;

function tableDeletionPolicy(value: unknown): DeploymentContext['tableDeletionPolicy'] {
  const policy = TABLE_DELETION_POLICIES.find((known) => known === value);
  if (!policy) throw new DeploymentError(`--param tableDeletionPolicy=${String(value)}: must be Retain or Delete`);
  return policy;
}

async function deploymentContext(args: VariableSourceArgs): Promise<DeploymentContext> {
  const loaded = await deployableConfig(args);
  const [stage, role, tableName, deletionPolicy, drillSchedule] = await Promise.all(
    ['sls:stage', 'param:role', 'param:tableName', 'param:tableDeletionPolicy', 'param:drillSchedule'].map((address) =>
      args.resolveVariable(address),
    ),
  );
  return {
    stage: String(stage),
    role: String(role) as DeployRole,
    region: args.options.region ?? loaded.controlRegion,
    tableName: String(tableName),
    tableDeletionPolicy: tableDeletionPolicy(deletionPolicy),
    drillSchedule: String(drillSchedule),
  };
}

/** provider.region: the control region (a probe location overrides it with --region). */
export const controlRegion = withCleanErrors(() => config().controlRegion);

/** SWITCHBACK_TABLE_REGION: the table lives in the control region, also for probe locations. */
export const tableRegion = withCleanErrors(() => config().controlRegion);

/** SWITCHBACK_LOCATION: the region this stack probes from. */
export const location = withCleanErrors((args) => args.options.region ?? config().controlRegion);

/** The config file used, relative to the service directory (for logs; the bundle always gets it as switchback.yml). */
export const configFile = withCleanErrors(() => relative(SERVICE_DIR, configPath()) || configPath());

export const functions = withCleanErrors(async (args) => buildFunctions(await deployableConfig(args), await deploymentContext(args)));

export const resources = withCleanErrors(async (args): Promise<GeneratedResources> =>
  buildResources(await deployableConfig(args), await deploymentContext(args)),
);
