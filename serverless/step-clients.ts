/**
 * esbuild plugin (serverless-esbuild `plugins`): bundle only the step clients the configured steps use.
 *
 * The functions that run steps (orchestrator, drill) reach RDS, Auto Scaling and ECS through
 * `shared/aws/step-adapters.ts`. Those three clients are ~130 KB of minified JavaScript that V8
 * compiles at every cold start, and most deployments have no step that calls them. The configuration
 * being packaged is the one compiled into every zip (its hash is checked at cold start), so its steps
 * are all the steps the bundle can ever run: a client none of them uses is replaced, in the imports of
 * `step-adapters.ts` only, by stand-ins that throw `StepClientNotBundledError` if ever called.
 *
 * Which clients the steps use is read from what they are granted (serverless/iam.ts `stepGrants`):
 * a step that calls RDS without an `rds:` grant would be refused by IAM on the first call, so the
 * grants name every service a step calls.
 */
import { dirname, join, resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import type { SwitchbackConfig } from '../shared/config/types';
import { stepGrants } from './iam';

/** The optional step clients: the module `step-adapters.ts` imports, the IAM prefix of their grants, the names it imports. */
export const OPTIONAL_STEP_CLIENTS = {
  rds: { module: './rds', iamPrefix: 'rds', label: 'RDS', importedNames: ['createRdsAdapter', 'rdsClientFactory'] },
  autoScaling: {
    module: './autoscaling',
    iamPrefix: 'autoscaling',
    label: 'Auto Scaling',
    importedNames: ['createAutoScalingAdapter', 'autoScalingClientFactory'],
  },
  ecs: { module: './ecs', iamPrefix: 'ecs', label: 'ECS', importedNames: ['createEcsAdapter', 'ecsClientFactory'] },
} as const;

export type OptionalStepClient = keyof typeof OPTIONAL_STEP_CLIENTS;

const REPO_ROOT = resolve(__dirname, '..');
const STEP_ADAPTERS = join(REPO_ROOT, 'shared', 'aws', 'step-adapters.ts');
const ABSENT_STEP_CLIENT = join(REPO_ROOT, 'shared', 'aws', 'absent-step-client.ts');
const NAMESPACE = 'switchback-absent-step-client';

/** The optional step clients some configured step (failover, failback, prepare or cleanup) calls. */
export function stepClientsUsed(config: SwitchbackConfig): OptionalStepClient[] {
  const prefixes = new Set(stepGrants(config).map((grant) => grant.action.split(':')[0]));
  return (Object.keys(OPTIONAL_STEP_CLIENTS) as OptionalStepClient[]).filter((name) => prefixes.has(OPTIONAL_STEP_CLIENTS[name].iamPrefix));
}

/** The module bundled instead of an unused client's adapter module. */
export function absentClientModule(name: OptionalStepClient): string {
  const { label, importedNames } = OPTIONAL_STEP_CLIENTS[name];
  return [
    `import { absentStepClient } from ${JSON.stringify(ABSENT_STEP_CLIENT)};`,
    ...importedNames.map((exported) => `export const ${exported} = absentStepClient(${JSON.stringify(label)});`),
    '',
  ].join('\n');
}

/** `config` is called once per build: serverless-esbuild builds each function on its own. */
export function stepClientsPlugin(config: () => SwitchbackConfig): Plugin {
  return {
    name: 'switchback-step-clients',
    setup(build) {
      let used: Set<OptionalStepClient> | undefined;
      build.onStart(() => {
        used = new Set(stepClientsUsed(config()));
      });
      const byModule = new Map<string, OptionalStepClient>(
        (Object.keys(OPTIONAL_STEP_CLIENTS) as OptionalStepClient[]).map((name) => [OPTIONAL_STEP_CLIENTS[name].module, name]),
      );
      const filter = new RegExp(`^(${[...byModule.keys()].map((module) => module.replace(/[./]/g, '\\$&')).join('|')})$`);
      build.onResolve({ filter }, (args) => {
        const name = byModule.get(args.path);
        if (!name || resolve(args.importer) !== STEP_ADAPTERS || !used || used.has(name)) return undefined;
        return { path: name, namespace: NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: absentClientModule(args.path as OptionalStepClient),
        loader: 'ts',
        resolveDir: dirname(ABSENT_STEP_CLIENT),
      }));
    },
  };
}
