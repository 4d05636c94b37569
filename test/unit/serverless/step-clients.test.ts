/**
 * serverless/step-clients.ts: the orchestrator and drill bundles hold the RDS, Auto Scaling and ECS
 * clients only when a configured step uses them. Bundled here with esbuild as serverless-esbuild does.
 */
import path from 'node:path';
import { build } from 'esbuild';
import { parseConfigText } from '../../../shared/config/load';
import type { SwitchbackConfig } from '../../../shared/config/types';
import { absentStepClient, StepClientNotBundledError } from '../../../shared/aws/absent-step-client';
import { createStepAdapters } from '../../../shared/aws/step-adapters';
import { createAwsClients } from '../../../shared/aws/clients';
import { lambdaBuildOptions } from '../../../serverless/esbuild-options';
import { stepClientsPlugin, stepClientsUsed } from '../../../serverless/step-clients';
import { EXAMPLE_CONFIG_TEXT, FULL_CONFIG_TEXT, REPO_ROOT } from './fixtures';

const example = parseConfigText(EXAMPLE_CONFIG_TEXT);
const full = parseConfigText(FULL_CONFIG_TEXT);

/** The example with more steps in the secondary's `prepare` list (and failback manual: a promotion is one-way). */
function exampleWith(...steps: string[]): SwitchbackConfig {
  const text = EXAMPLE_CONFIG_TEXT.replace('failback: { mode: auto', 'failback: { mode: manual').replace(
    '        - http.waitHealthy: { timeoutSeconds: 300 }\n',
    `        - http.waitHealthy: { timeoutSeconds: 300 }\n${steps.map((step) => `        - ${step}\n`).join('')}`,
  );
  return parseConfigText(text);
}

const RDS_STEP = 'rds.promoteReadReplica: { dbInstanceIdentifier: app-replica }';
const ECS_STEP = 'ecs.setDesiredCount: { cluster: web, service: api, desiredCount: 3 }';

async function bundledClients(entry: string, config: SwitchbackConfig): Promise<string[]> {
  const result = await build({
    ...lambdaBuildOptions(REPO_ROOT),
    entryPoints: [path.join(REPO_ROOT, 'functions', `${entry}.ts`)],
    minify: false,
    write: false,
    metafile: true,
    plugins: [stepClientsPlugin(() => config)],
  });
  const inputs = Object.keys(result.metafile.inputs);
  return [
    ...new Set(inputs.flatMap((input) => /node_modules\/@aws-sdk\/(client-(?:rds|ecs|auto-scaling))\//.exec(input)?.[1] ?? [])),
  ].sort();
}

describe('stepClientsUsed', () => {
  it('names the optional step clients the configured steps call, from their grants', () => {
    expect(stepClientsUsed(example)).toEqual([]);
    expect(stepClientsUsed(full)).toEqual(['autoScaling']);
    expect(stepClientsUsed(exampleWith(RDS_STEP))).toEqual(['rds']);
    expect(stepClientsUsed(exampleWith(RDS_STEP, ECS_STEP))).toEqual(['rds', 'ecs']);
  });
});

describe('the bundles of the functions that run steps', () => {
  it.each([
    ['the example (EC2 steps only)', example, []],
    ['a config with an Auto Scaling step', full, ['client-auto-scaling']],
    ['a config with RDS and ECS steps', exampleWith(RDS_STEP, ECS_STEP), ['client-ecs', 'client-rds']],
  ])('%s: the orchestrator and the drill hold exactly the step clients its steps use', async (_name, config, expected) => {
    expect(await bundledClients('orchestrator', config)).toEqual(expected);
    expect(await bundledClients('drill', config)).toEqual(expected);
  });

  it('an absent client fails where it is first used, naming what to do; until then nothing is built', () => {
    const stand = absentStepClient('RDS');
    expect(() => stand({ region: 'us-west-2' })).toThrow(StepClientNotBundledError);
    expect(() => stand()).toThrow(
      "the RDS client is not in this function's bundle: no step of the configuration it was packaged with uses RDS (sls package bundles only the step clients the configured steps use); package and deploy again with the configuration that has the step",
    );
    const clients = createAwsClients({ defaultRegion: 'us-west-2', factories: { rds: stand } });
    const adapters = createStepAdapters(clients);
    expect(() => adapters.rds()).not.toThrow();
    expect(() => clients.rds('us-west-2')).toThrow(StepClientNotBundledError);
  });
});
