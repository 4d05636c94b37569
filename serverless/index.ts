/**
 * The variable source behind `${file(./serverless/switchback-config.js):<name>}` in serverless.yml.
 * Each export is called by osls with `{ options, resolveVariable }`; the config file is loaded and
 * validated (shared/config/load.ts) once per `sls` run.
 */
import { relative, resolve } from 'node:path';
import type { SwitchbackConfig } from '../shared/config/types';
import { ConfigError, SwitchbackError } from '../shared/errors';
import { CONFIG_ENV, loadDeploymentConfig, resolveConfigPath } from './config-source';
import { buildFunctions, buildResources, type DeploymentContext, type GeneratedResources } from './deployment';
import type { DeployRole } from './naming';

export interface VariableSourceArgs {
  options: { region?: string; stage?: string; [key: string]: unknown };
  resolveVariable(address: string): Promise<unknown>;
}

const SERVICE_DIR = resolve(__dirname, '..');

/** Config files whose problems were already reported in this `sls` run (osls reports every failing variable). */
const reportedConfigFiles = new Set<string>();

/**
 * osls prints a rejection's stack: ours carry only the message, so the `path: message` list reads
 * cleanly, and the list is given once (the other variables that need the file point to it).
 * Anything else (osls's own "variable not resolvable yet" signals) passes through untouched.
 */
function cleanError(error: unknown): unknown {
  if (!(error instanceof SwitchbackError)) return error;
  let message = error.message;
  if (error instanceof ConfigError) {
    const file = String(error.context.file ?? configPath());
    message = reportedConfigFiles.has(file)
      ? `${file}: invalid configuration (the problems are listed once, in another variable's error)`
      : `${message}\n(switchback.yml is read from $${CONFIG_ENV}, else switchback.yml, else switchback.example.yml)`;
    reportedConfigFiles.add(file);
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

function config(): SwitchbackConfig {
  return loadDeploymentConfig(configPath());
}

async function deploymentContext(args: VariableSourceArgs): Promise<DeploymentContext> {
  const loaded = config();
  const [stage, role, tableName, tableDeletionPolicy, drillSchedule] = await Promise.all(
    ['sls:stage', 'param:role', 'param:tableName', 'param:tableDeletionPolicy', 'param:drillSchedule'].map((address) =>
      args.resolveVariable(address),
    ),
  );
  return {
    stage: String(stage),
    role: String(role) as DeployRole,
    region: args.options.region ?? loaded.controlRegion,
    tableName: String(tableName),
    tableDeletionPolicy: tableDeletionPolicy === 'Retain' ? 'Retain' : 'Delete',
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

export const functions = withCleanErrors(async (args) => buildFunctions(config(), await deploymentContext(args)));

export const resources = withCleanErrors(async (args): Promise<GeneratedResources> =>
  buildResources(config(), await deploymentContext(args)),
);
