'use strict';
// serverless-esbuild `custom.esbuild.plugins`: esbuild plugins for every function bundle.
// The logic is TypeScript (serverless/esbuild.ts, sdk-schemas.ts, step-clients.ts), loaded with tsx without hooking other requires.
const { require: tsxRequire } = require('tsx/cjs/api');

const { bundleConfigPlugin } = tsxRequire('./esbuild.ts', __filename);
const { resolveConfigPath } = tsxRequire('./config-path.ts', __filename);
const { loadDeploymentConfig } = tsxRequire('./config-source.ts', __filename);
const { sdkSchemaTreeShakePlugin } = tsxRequire('./sdk-schemas.ts', __filename);
const { stepClientsPlugin } = tsxRequire('./step-clients.ts', __filename);
const path = require('node:path');

const configFile = resolveConfigPath(path.resolve(__dirname, '..'));

module.exports = [bundleConfigPlugin(configFile), sdkSchemaTreeShakePlugin(), stepClientsPlugin(() => loadDeploymentConfig(configFile))];
