/**
 * What `sls package` puts into every bundle, for tests that run the deployed composition root
 * (`buildLambdaDeps`, `lambdaHandler`): a config file compiled into a temporary directory.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { compileConfig } from '../../shared/config/compile';
import { COMPILED_CONFIG_FILE } from '../../shared/config/compiled';
import { loadConfigFile } from '../../shared/config/load';

export const EXAMPLE_CONFIG_PATH = join(__dirname, '..', '..', 'switchback.example.yml');

/** Compile `file` (default the example) and return the compiled file's path, for `SWITCHBACK_CONFIG_PATH`. */
export function writeCompiledConfig(file: string = EXAMPLE_CONFIG_PATH): string {
  const compiled = join(mkdtempSync(join(tmpdir(), 'switchback-compiled-')), COMPILED_CONFIG_FILE);
  writeFileSync(compiled, compileConfig(loadConfigFile(file), basename(file)).text);
  return compiled;
}
