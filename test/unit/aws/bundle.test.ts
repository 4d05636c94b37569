/**
 * Cold start: the probe/alarm functions wire clients + the small adapters only; their bundles must
 * not contain @aws-sdk/client-ec2 (1.5 MB), probe, alarm, control and status none of the step action
 * modules (their plans come from the compiled config), and no function classic zod (schemas in Lambda
 * code use zod's mini build). Bundled with esbuild the way serverless-esbuild does.
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

  // shared/actions (every step action, ~36 KB) is compiled by V8 at every cold start of a function that
  // bundles it. These functions only start runs: the plan comes from the compiled config (AppDeps
  // planOf), never from buildPlan.
  const PLANNING_ONLY = /^shared\/actions\/|^shared\/domain\/build-plan\.ts$|node_modules\/zod\/v4\/classic\//;
  // Classic zod (~80 KB minified, compiled at every cold start) in any function: handler events, step
  // params and the drill input are checked with zod's mini build (shared/app/event-schema.ts).
  const CLASSIC_ZOD = /node_modules\/zod\/v4\/classic\//;

  /** The import chains from the function's entry to the first module matching `pattern` on each way (the rest come with it). */
  function chainsTo(metafile: Metafile, entry: string, pattern: RegExp): string[] {
    const chains = new Set(
      Object.keys(metafile.inputs)
        .filter((input) => pattern.test(input))
        .map((input) => importChain(metafile, entry, input).split(' → '))
        .map((chain) => chain.slice(0, chain.findIndex((input) => pattern.test(input)) + 1).join(' → ')),
    );
    return [...chains];
  }

  it.each(['probe', 'alarm', 'control', 'status'])(
    'the %s function bundles no step action module and no classic zod (plans come from the compiled config)',
    async (name) => {
      const metafile = await deployedBundle(name);
      const entry = `functions/${name}.ts`;
      expect(Object.keys(metafile.inputs)).toContain(entry);
      // Each chain names the import to replace, e.g. by the plan from AppDeps `planOf` or the DecisionContext's.
      expect({ name, chains: chainsTo(metafile, entry, PLANNING_ONLY) }).toEqual({ name, chains: [] });
    },
  );

  it.each(['orchestrator', 'drill'])(
    'the %s function, which validates step params, bundles the step actions but no classic zod (their schemas are zod mini)',
    async (name) => {
      const metafile = await deployedBundle(name);
      const entry = `functions/${name}.ts`;
      // The step actions are there (so the check for probe, alarm, control and status above can fail) …
      expect(Object.keys(metafile.inputs).filter((input) => PLANNING_ONLY.test(input))).toContain('shared/actions/index.ts');
      expect(importChain(metafile, entry, 'shared/actions/index.ts')).toMatch(
        new RegExp(`^functions/${name}\\.ts → .* → shared/actions/index\\.ts$`),
      );
      // … classic zod is not. A chain ends at the first classic zod module: the import that still uses
      // `zod` instead of shared/app/event-schema.ts.
      expect({ name, chains: chainsTo(metafile, entry, CLASSIC_ZOD) }).toEqual({ name, chains: [] });
    },
  );

  it('an entry that validates with a classic zod schema does bundle classic zod (the checks above can fail)', async () => {
    const result = await build({
      ...lambdaBuildOptions(repoRoot),
      stdin: { contents: `import * as z from 'zod';\nexport const check = z.string().min(1);`, resolveDir: repoRoot, loader: 'ts' },
      write: false,
      metafile: true,
    });
    expect(chainsTo(result.metafile, '<stdin>', CLASSIC_ZOD)).toEqual([
      expect.stringMatching(/^<stdin> → .*node_modules\/zod\/v4\/classic\//),
    ]);
  });

  it('an entry that imports the EC2 adapter does contain it (the check above can fail)', async () => {
    const inputs = await bundledInputs(`export { createEc2Adapter } from './shared/aws/ec2';`);
    expect(usesPackage(inputs, '@aws-sdk/client-ec2')).toBe(true);
  });
});
