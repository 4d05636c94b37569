/** Which `switchback.yml` a deployment uses (no loading here: the esbuild plugin needs only the path). */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** Environment variable naming the config file (relative to the service directory, or absolute). */
export const CONFIG_ENV = 'SWITCHBACK_CONFIG';
export const DEFAULT_CONFIG_FILES = ['switchback.yml', 'switchback.example.yml'] as const;

/** `$SWITCHBACK_CONFIG`, else `switchback.yml` if it exists, else `switchback.example.yml`. */
export function resolveConfigPath(serviceDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[CONFIG_ENV];
  if (configured) return isAbsolute(configured) ? configured : resolve(serviceDir, configured);
  const [preferred, fallback] = DEFAULT_CONFIG_FILES.map((file) => resolve(serviceDir, file));
  return existsSync(preferred) ? preferred : fallback;
}
