/**
 * The environment under which `sls package` runs offline: dummy credentials (nothing is called),
 * no telemetry or notifications, the config to package and a private esbuild work folder (so
 * concurrent packagings do not collide). Used by the package test and the cold-start benchmark.
 *
 * `tempDir`: the temporary directory of the `sls` process (TMPDIR, TMP, TEMP). serverless-esbuild
 * 1.57 leaves a copy folder per function there at every packaging (its clean-up removes the folder
 * without `recursive` and ignores the failure), so a caller that removes its own work folder passes
 * one inside it.
 */
export function offlinePackagingEnv(
  configFile: string,
  esbuildWorkFolder: string,
  options: { tempDir?: string; base?: NodeJS.ProcessEnv } = {},
): NodeJS.ProcessEnv {
  const base = options.base ?? process.env;
  const temp = options.tempDir ? { TMPDIR: options.tempDir, TMP: options.tempDir, TEMP: options.tempDir } : {};
  const env: NodeJS.ProcessEnv = {
    ...base,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'dummy-secret-for-offline-packaging',
    AWS_REGION: 'us-west-2',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SWITCHBACK_CONFIG: configFile,
    SWITCHBACK_ESBUILD_DIR: esbuildWorkFolder,
    ...temp,
  };
  delete env.AWS_PROFILE;
  return env;
}
