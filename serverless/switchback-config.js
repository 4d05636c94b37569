'use strict';
// osls variable source: `${file(./serverless/switchback-config.js):<export>}` in serverless.yml.
// Loads switchback.yml ($SWITCHBACK_CONFIG, else switchback.yml, else switchback.example.yml),
// validates it with shared/config/load.ts and generates functions, IAM roles and resources.
// The logic is TypeScript (serverless/index.ts), loaded with tsx without hooking other requires.
const { require: tsxRequire } = require('tsx/cjs/api');

module.exports = { ...tsxRequire('./index.ts', __filename) };
