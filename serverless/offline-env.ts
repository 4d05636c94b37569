/**
 * The environment under which `sls package` runs offline: dummy credentials (nothing is called),
 * no telemetry or notifications, the config to package and a private esbuild work folder (so
 * concurrent packagings do not collide). Used by the package test and the cold-start benchmark.
 */
export function offlinePackagingEnv(
  configFile: string,
  esbuildWorkFolder: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'dummy-secret-for-offline-packaging',
    AWS_REGION: 'us-west-2',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SWITCHBACK_CONFIG: configFile,
    SWITCHBACK_ESBUILD_DIR: esbuildWorkFolder,
  };
  delete env.AWS_PROFILE;
  return env;
}
