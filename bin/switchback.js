#!/usr/bin/env node
// The `switchback` CLI. Sources are TypeScript, loaded through tsx so no build step is needed.
// The CLI runs the embedded world on the developer's Node (npm scripts use the pinned Node 24); deployed functions run on nodejs24.x.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
const { main } = require('../cli/main.ts');

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(
      `switchback: ${process.env.SWITCHBACK_DEBUG && error && error.stack ? error.stack : (error && error.message) || error}\n`,
    );
    process.exitCode = 1;
  },
);
