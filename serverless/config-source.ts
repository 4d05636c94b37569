/**
 * Load the deployment's `switchback.yml` with the same loader the handlers use at cold start.
 * A bad file stops `sls package`/`sls deploy` with every problem as `path: message`.
 */
import { loadConfigFile } from '../shared/config/load';
import type { SwitchbackConfig } from '../shared/config/types';

export { CONFIG_ENV, DEFAULT_CONFIG_FILES, resolveConfigPath } from './config-path';

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
