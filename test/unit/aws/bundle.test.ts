/**
 * Cold start: the probe/alarm functions wire clients + the small adapters only; their bundles must
 * not contain @aws-sdk/client-ec2 (1.5 MB). Bundled with esbuild the way serverless-esbuild does.
 */
import path from 'node:path';
import { build } from 'esbuild';

const repoRoot = path.resolve(__dirname, '../../..');

async function bundledInputs(source: string): Promise<string[]> {
  const result = await build({
    stdin: { contents: source, resolveDir: repoRoot, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

const usesPackage = (inputs: string[], name: string) => inputs.some((input) => input.includes(`node_modules/${name}/`));

describe('bundles', () => {
  it('a probe-style entry (clients, errors, retry, sns, cloudwatch, lambda) does not pull in EC2 or Route 53', async () => {
    const inputs = await bundledInputs(`
      import { createAwsClients } from './shared/aws/clients';
      import { withRetry } from './shared/aws/retry';
      import { classifyAwsError } from './shared/aws/errors';
      import { createSnsAdapter, snsClientFactory } from './shared/aws/sns';
      import { createCloudWatchAdapter, cloudWatchClientFactory } from './shared/aws/cloudwatch';
      import { createLambdaAdapter, lambdaClientFactory } from './shared/aws/lambda';
      const clients = createAwsClients({ defaultRegion: 'us-east-1', factories: { sns: snsClientFactory, cloudWatch: cloudWatchClientFactory, lambda: lambdaClientFactory } });
      export const wired = [createSnsAdapter(clients), createCloudWatchAdapter(clients), createLambdaAdapter(clients), withRetry, classifyAwsError];
    `);
    expect(usesPackage(inputs, '@aws-sdk/client-sns')).toBe(true);
    expect(usesPackage(inputs, '@aws-sdk/client-ec2')).toBe(false);
    expect(usesPackage(inputs, '@aws-sdk/client-route-53')).toBe(false);
  });

  it('clients.ts alone loads no SDK client package at all', async () => {
    const inputs = await bundledInputs(`export { createAwsClients } from './shared/aws/clients';`);
    expect(inputs.filter((input) => input.includes('node_modules/@aws-sdk/client-'))).toEqual([]);
  });

  const STEP_SDKS = ['@aws-sdk/client-rds', '@aws-sdk/client-auto-scaling', '@aws-sdk/client-ecs'];

  it.each(['probe', 'alarm'])('the %s function bundles no RDS, Auto Scaling or ECS client (the step registry is pure)', async (name) => {
    const inputs = await bundledInputs(`export { handler } from './functions/${name}';`);
    expect(STEP_SDKS.filter((sdk) => usesPackage(inputs, sdk))).toEqual([]);
  });

  it.each(['orchestrator', 'drill'])('the %s function, which runs database and fleet steps, bundles their clients', async (name) => {
    const inputs = await bundledInputs(`export { handler } from './functions/${name}';`);
    expect(STEP_SDKS.filter((sdk) => usesPackage(inputs, sdk))).toEqual(STEP_SDKS);
  });

  it('an entry that imports the EC2 adapter does contain it (the check above can fail)', async () => {
    const inputs = await bundledInputs(`export { createEc2Adapter } from './shared/aws/ec2';`);
    expect(usesPackage(inputs, '@aws-sdk/client-ec2')).toBe(true);
  });
});
