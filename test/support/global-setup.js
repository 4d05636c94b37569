'use strict';
// Every `jest` run gets its own temporary directory: TMPDIR (and TMP/TEMP) for the workers and every
// process they start (the CLI, `sls package`). global-teardown.js removes it, so a run leaves nothing
// in the machine's temporary directory, even from a test that fails before its own clean-up or from
// serverless-esbuild's zip step (1.57 removes its per-function copy folder without `recursive`, which
// fails quietly and leaves one folder per function and packaging).
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchback-test-run-'));
  process.env.SWITCHBACK_TEST_RUN_TMPDIR = dir;
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = dir;
};
