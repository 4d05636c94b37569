'use strict';
// serverless-esbuild `custom.esbuild.plugins`: esbuild plugins for every function bundle.
// The logic is TypeScript (serverless/esbuild.ts, serverless/sdk-schemas.ts), loaded with tsx without hooking other requires.
const { require: tsxRequire } = require('tsx/cjs/api');

const { bundleConfigPlugin } = tsxRequire('./esbuild.ts', __filename);
const { resolveConfigPath } = tsxRequire('./config-path.ts', __filename);
const { sdkSchemaTreeShakePlugin } = tsxRequire('./sdk-schemas.ts', __filename);
const path = require('node:path');

module.exports = [bundleConfigPlugin(resolveConfigPath(path.resolve(__dirname, '..'))), sdkSchemaTreeShakePlugin()];
