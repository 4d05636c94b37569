/**
 * esbuild plugin (serverless-esbuild `plugins`): put the deployment's switchback.yml at the root of
 * every function bundle, where the handlers read it (`SWITCHBACK_CONFIG_PATH=./switchback.yml`,
 * relative to /var/task on Lambda and to the build directory under `sls invoke local`).
 * Whichever file the deployment used (`$SWITCHBACK_CONFIG`, switchback.yml or switchback.example.yml)
 * is copied under the fixed name `switchback.yml`.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Plugin } from 'esbuild';

export const BUNDLED_CONFIG_NAME = 'switchback.yml';

/** serverless-esbuild builds `functions/probe.ts` into `<buildDir>/functions/`: the zip root is `<buildDir>`. */
export function bundleRoot(outdir: string, entryPoint: string): string {
  return resolve(outdir, relative(dirname(entryPoint), '.'));
}

export function bundleConfigPlugin(configFile: string): Plugin {
  return {
    name: 'switchback-config',
    setup(build) {
      build.onEnd((result) => {
        if (result.errors.length > 0) return;
        const { outdir, entryPoints } = build.initialOptions;
        const entry = Array.isArray(entryPoints) ? entryPoints[0] : undefined;
        if (!outdir || typeof entry !== 'string') {
          throw new Error('switchback-config plugin: expected serverless-esbuild to build one entry point into an outdir');
        }
        const root = bundleRoot(outdir, entry);
        mkdirSync(root, { recursive: true });
        copyFileSync(configFile, join(root, BUNDLED_CONFIG_NAME));
      });
    },
  };
}
