/** Which `switchback.yml` a deployment uses (no loading here: the esbuild plugin needs only the path). */
import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';

/** Environment variable naming the config file (relative to the service directory, or absolute). */
export const CONFIG_ENV = 'SWITCHBACK_CONFIG';
export const EXAMPLE_CONFIG_FILE = 'switchback.example.yml';
export const DEFAULT_CONFIG_FILES = ['switchback.yml', EXAMPLE_CONFIG_FILE] as const;

/** `$SWITCHBACK_CONFIG`, else `switchback.yml` if it exists, else `switchback.example.yml`. */
export function resolveConfigPath(serviceDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[CONFIG_ENV];
  if (configured) return isAbsolute(configured) ? configured : resolve(serviceDir, configured);
  const [preferred, fallback] = DEFAULT_CONFIG_FILES.map((file) => resolve(serviceDir, file));
  return existsSync(preferred) ? preferred : fallback;
}

/**
 * The shipped example, by name or as an unedited copy: deploying it subscribes the example phone
 * numbers and points at the example zone, so packaging refuses it unless asked to on purpose.
 */
export function isExampleConfig(file: string, serviceDir: string): boolean {
  if (basename(file) === EXAMPLE_CONFIG_FILE) return true;
  const example = resolve(serviceDir, EXAMPLE_CONFIG_FILE);
  if (!existsSync(example) || !existsSync(file)) return false;
  return readFileSync(file, 'utf8').trim() === readFileSync(example, 'utf8').trim();
}
