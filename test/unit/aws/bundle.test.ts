/**
 * Cold start: the probe/alarm functions wire clients + the small adapters only; their bundles must
 * not contain @aws-sdk/client-ec2 (1.5 MB), and probe, alarm, control and status none of the step
 * action modules or classic zod (their plans come from the compiled config). Bundled with esbuild the
 * way serverless-esbuild does.
 */
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { lambdaBuildOptions } from '../../../serverless/esbuild-options';
import { sdkSchemaTreeShakePlugin } from '../../../serverless/sdk-schemas';

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

/** `functions/<name>.ts` bundled with serverless.yml's esbuild options (ESM builds first, minified, the SDK schema plugin). */
async function deployedBundle(name: string): Promise<Metafile> {
  const result = await build({
    ...lambdaBuildOptions(repoRoot),
    entryPoints: [path.join(repoRoot, 'functions', `${name}.ts`)],
    plugins: [sdkSchemaTreeShakePlugin()],
    write: false,
    metafile: true,
  });
  return result.metafile;
}

/** The shortest chain of imports from `entry` to `target` in a metafile, as `a → b → c`. */
function importChain(metafile: Metafile, entry: string, target: string): string {
  const cameFrom = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  while (queue.length > 0) {
    const input = queue.shift() as string;
    if (input === target) break;
    for (const { path: imported } of metafile.inputs[input]?.imports ?? []) {
      if (!cameFrom.has(imported) && imported in metafile.inputs) {
        cameFrom.set(imported, input);
        queue.push(imported);
      }
    }
  }
  const chain: string[] = [];
  for (let at: string | undefined = target; at !== undefined; at = cameFrom.get(at)) chain.unshift(at);
  return chain.join(' → ');
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

  it.each(['orchestrator', 'drill'])(
    'the %s function, bundled without the step-clients plugin of sls package, holds the database and fleet clients',
    async (name) => {
      const inputs = await bundledInputs(`export { handler } from './functions/${name}';`);
      expect(STEP_SDKS.filter((sdk) => usesPackage(inputs, sdk))).toEqual(STEP_SDKS);
    },
  );

  // shared/actions (every step action, ~36 KB) and classic zod (their param schemas, ~77 KB) are
  // compiled by V8 at every cold start of a function that bundles them. These functions only start
  // runs: the plan comes from the compiled config (AppDeps planOf), never from buildPlan.
  const PLANNING_ONLY = /^shared\/actions\/|^shared\/domain\/build-plan\.ts$|node_modules\/zod\/v4\/classic\//;

  it.each(['probe', 'alarm', 'control', 'status'])(
    'the %s function bundles no step action module and no classic zod (plans come from the compiled config)',
    async (name) => {
      const metafile = await deployedBundle(name);
      const entry = `functions/${name}.ts`;
      expect(Object.keys(metafile.inputs)).toContain(entry);
      // Each chain ends at the first such module on the way (the rest come with it): the import to
      // replace, e.g. by the plan from AppDeps `planOf` or the DecisionContext's.
      const chains = new Set(
        Object.keys(metafile.inputs)
          .filter((input) => PLANNING_ONLY.test(input))
          .map((input) => importChain(metafile, entry, input).split(' → '))
          .map((chain) => chain.slice(0, chain.findIndex((input) => PLANNING_ONLY.test(input)) + 1).join(' → ')),
      );
      expect({ name, chains: [...chains] }).toEqual({ name, chains: [] });
    },
  );

  it('the orchestrator, which validates step params, does bundle the step actions and classic zod (the check above can fail)', async () => {
    const metafile = await deployedBundle('orchestrator');
    const entry = 'functions/orchestrator.ts';
    const planning = Object.keys(metafile.inputs).filter((input) => PLANNING_ONLY.test(input));
    expect(planning).toContain('shared/actions/index.ts');
    expect(planning.some((input) => input.includes('node_modules/zod/v4/classic/'))).toBe(true);
    expect(importChain(metafile, entry, 'shared/actions/index.ts')).toMatch(
      /^functions\/orchestrator\.ts → .* → shared\/actions\/index\.ts$/,
    );
  });

  it('an entry that imports the EC2 adapter does contain it (the check above can fail)', async () => {
    const inputs = await bundledInputs(`export { createEc2Adapter } from './shared/aws/ec2';`);
    expect(usesPackage(inputs, '@aws-sdk/client-ec2')).toBe(true);
  });
});
