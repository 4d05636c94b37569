'use strict';
// A serverless plugin for stacks without functions (`--param role=alarm-forwarder`): serverless-esbuild
// copies <outputWorkFolder>/.serverless back after packaging but creates that folder only when it
// bundles a function, so packaging a functionless stack would fail on a missing folder.
const fs = require('node:fs');
const path = require('node:path');

class FunctionlessStack {
  constructor(serverless) {
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => {
        if (Object.keys(serverless.service.functions ?? {}).length > 0) return;
        const workFolder = serverless.service.custom?.esbuild?.outputWorkFolder ?? '.esbuild';
        const serviceDir = serverless.serviceDir ?? serverless.config.servicePath;
        fs.mkdirSync(path.join(serviceDir, workFolder, '.serverless'), { recursive: true });
      },
    };
  }
}

module.exports = FunctionlessStack;
