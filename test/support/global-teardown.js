'use strict';
// Removes the run's temporary directory (see global-setup.js).
const { rmSync } = require('node:fs');

module.exports = async () => {
  const dir = process.env.SWITCHBACK_TEST_RUN_TMPDIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
};
