/**
 * serverless.yml's `custom.esbuild` block as esbuild options, for the code that builds a function
 * bundle the way `sls package` does without running it (the cold-start benchmark, the bundle tests).
 * Read from serverless.yml itself, so they cannot drift from what is deployed. The plugins are left
 * to the caller: serverless/esbuild-plugins.js needs a configuration file to compile.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { parse as parseYaml } from 'yaml';

interface EsbuildBlock {
  bundle: boolean;
  minify: boolean;
  sourcemap: boolean;
  target: string;
  platform: 'node';
  format: 'cjs';
  mainFields: string[];
  exclude: string[];
}

export function lambdaBuildOptions(repoRoot: string = join(__dirname, '..')): BuildOptions {
  const block = (parseYaml(readFileSync(join(repoRoot, 'serverless.yml'), 'utf8')) as { custom: { esbuild: EsbuildBlock } }).custom.esbuild;
  return {
    bundle: block.bundle,
    minify: block.minify,
    sourcemap: block.sourcemap,
    target: block.target,
    platform: block.platform,
    format: block.format,
    mainFields: block.mainFields,
    external: block.exclude,
    absWorkingDir: repoRoot,
    logLevel: 'silent',
  };
}
