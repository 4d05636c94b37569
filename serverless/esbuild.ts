/**
 * esbuild plugin (serverless-esbuild `plugins`): put the deployment's configuration, compiled, at the
 * root of every function bundle, where the handlers read it (`SWITCHBACK_CONFIG_PATH=./switchback.compiled.json`,
 * relative to /var/task on Lambda and to the build directory under `sls invoke local`).
 * Whichever file the deployment used (`$SWITCHBACK_CONFIG`, switchback.yml or switchback.example.yml)
 * is validated with the full schema here, at packaging, and written as the resolved JSON with every
 * service's runbook plans and the content hashes (shared/config/compile.ts): the functions load no
 * YAML parser, no zod schema and no step action module.
 *
 * With `$SWITCHBACK_ESBUILD_METAFILE_DIR` set, each function's esbuild metafile (which modules went
 * into the bundle, and how many bytes each) is written there as `<function>.meta.json`, outside the
 * zips: the packaging test and the cold-start benchmark read it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { compileConfig } from '../shared/config/compile';
import { COMPILED_CONFIG_FILE } from '../shared/config/compiled';
import { loadDeploymentConfig } from './config-source';

export const METAFILE_DIR_ENV = 'SWITCHBACK_ESBUILD_METAFILE_DIR';

/** serverless-esbuild builds `functions/probe.ts` into `<buildDir>/functions/`: the zip root is `<buildDir>`. */
export function bundleRoot(outdir: string, entryPoint: string): string {
  return resolve(outdir, relative(dirname(entryPoint), '.'));
}

export function bundleConfigPlugin(configFile: string, env: NodeJS.ProcessEnv = process.env): Plugin {
  const metafileDir = env[METAFILE_DIR_ENV];
  return {
    name: 'switchback-config',
    setup(build) {
      if (metafileDir) build.initialOptions.metafile = true;
      build.onEnd((result) => {
        if (result.errors.length > 0) return;
        const { outdir, entryPoints } = build.initialOptions;
        const entry = Array.isArray(entryPoints) ? entryPoints[0] : undefined;
        if (!outdir || typeof entry !== 'string') {
          throw new Error('switchback-config plugin: expected serverless-esbuild to build one entry point into an outdir');
        }
        const root = bundleRoot(outdir, entry);
        mkdirSync(root, { recursive: true });
        // Validated once per `sls` run (cached); the variable source has already refused a bad file.
        const { text } = compileConfig(loadDeploymentConfig(configFile), basename(configFile));
        writeFileSync(join(root, COMPILED_CONFIG_FILE), text);
        if (metafileDir && result.metafile) {
          mkdirSync(metafileDir, { recursive: true });
          const name = basename(entry).replace(/\.[cm]?[jt]s$/, '');
          writeFileSync(join(metafileDir, `${name}.meta.json`), JSON.stringify(result.metafile));
        }
      });
    },
  };
}
