/**
 * The Lambda composition root's plan source (AppDeps `planOf`, read from the compiled config that
 * `sls package` wrote) gives every service of the shipped configurations exactly the plans
 * `buildPlan` makes: the functions run the plans the CLI's `switchback plan` and the simulator show.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { buildLambdaDeps } from '../../../shared/app/runtime';
import { loadConfigFile } from '../../../shared/config/load';
import { buildPlan } from '../../../shared/domain/build-plan';
import { noSelfMetrics } from '../../../shared/self-metrics';
import { EXAMPLE_CONFIG_PATH, writeCompiledConfig } from '../../support/compiled-config';

const ROOT = join(__dirname, '..', '..', '..');
const EXAMPLES = join(ROOT, 'examples');
/** The configurations the repository ships (examples/broken.yml is invalid on purpose: `validate`'s demo). */
const CONFIGS = [
  EXAMPLE_CONFIG_PATH,
  ...readdirSync(EXAMPLES)
    .filter((file) => file.endsWith('.yml') && file !== 'broken.yml')
    .map((file) => join(EXAMPLES, file)),
];

function lambdaDeps(configFile: string) {
  return buildLambdaDeps({
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: noSelfMetrics,
    env: {
      SWITCHBACK_CONFIG_PATH: writeCompiledConfig(configFile),
      SWITCHBACK_TABLE: 'switchback-test',
      SWITCHBACK_STAGE: 'test',
      SWITCHBACK_ORCHESTRATOR_FUNCTION: 'switchback-test-orchestrator',
      AWS_REGION: 'us-east-1',
    },
  });
}

it('covers the example and every examples/*.yml configuration', () => {
  expect(CONFIGS.map((file) => relative(ROOT, file))).toEqual(
    expect.arrayContaining(['switchback.example.yml', 'examples/whole-stack.yml']),
  );
});

it.each(CONFIGS.map((file) => [relative(ROOT, file), file]))(
  'the deployed plan source gives what buildPlan makes for every service of %s',
  (_name, file) => {
    const deps = lambdaDeps(file);
    const validated = loadConfigFile(file);
    expect(deps.config).toEqual(validated);
    for (const service of deps.config.services) {
      for (const kind of ['failover', 'failback'] as const) {
        const expected = buildPlan(
          validated.services.find((candidate) => candidate.name === service.name)!,
          kind,
        );
        expect({ service: service.name, kind, plan: deps.planOf(service, kind) }).toEqual({ service: service.name, kind, plan: expected });
      }
    }
  },
);
