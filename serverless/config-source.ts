/**
 * Load the deployment's `switchback.yml` with the same loader the handlers use at cold start.
 * A bad file stops `sls package`/`sls deploy` with every problem as `path: message`.
 */
import { loadConfigFile } from '../shared/config/load';
import type { SwitchbackConfig } from '../shared/config/types';
import { SwitchbackError } from '../shared/errors';
import { EXAMPLE_CONFIG_FILE, isExampleConfig } from './config-path';

export { CONFIG_ENV, DEFAULT_CONFIG_FILES, EXAMPLE_CONFIG_FILE, isExampleConfig, resolveConfigPath } from './config-path';

/** The example configuration was about to be deployed without `--param allowExampleConfig=true`. */
export class ExampleConfigError extends SwitchbackError {
  override readonly name: string = 'ExampleConfigError';
}

const cache = new Map<string, SwitchbackConfig>();

/**
 * Load and validate once per process (osls asks the variable source several times per run).
 * Throws the loader's ConfigError: its message starts with the file and lists every `path: message`.
 */
export function loadDeploymentConfig(file: string): SwitchbackConfig {
  const cached = cache.get(file);
  if (cached) return cached;
  const config = loadConfigFile(file);
  cache.set(file, config);
  return config;
}

/** Refuse the shipped example unless the deployment says `--param allowExampleConfig=true`. */
export function checkNotExample(file: string, serviceDir: string, allowExampleConfig: unknown): void {
  if (String(allowExampleConfig) === 'true' || !isExampleConfig(file, serviceDir)) return;
  throw new ExampleConfigError(
    `${file}: refusing to deploy the example configuration (its phone numbers, hosted zone and sites are placeholders). ` +
      `Copy it to switchback.yml and edit it (or point $SWITCHBACK_CONFIG at your file); ` +
      `to deploy ${EXAMPLE_CONFIG_FILE} on purpose (a demo stage), pass --param allowExampleConfig=true`,
    { context: { file } },
  );
}
