/**
 * AppDeps for app-level tests on the embedded world: the real SDK clients answered by `world`, the
 * given store and clock, every site answering its probe, no logs, no events, no metrics.
 */
import { DEPLOY_ROLES, ignoreEvents, silentLogger, type AppDeps } from '../../shared/app/deps';
import { ALL_AWS_CLIENT_FACTORIES } from '../../shared/aws/all-client-factories';
import { createAwsClients } from '../../shared/aws/clients';
import type { Clock } from '../../shared/clock';
import type { SwitchbackConfig } from '../../shared/config/types';
import { buildPlan } from '../../shared/domain/build-plan';
import { noSelfMetrics } from '../../shared/self-metrics';
import type { Store } from '../../shared/store';
import { createSimAwsAdapters, type World } from '../../sim/world';

export function simAppDeps(options: { config: SwitchbackConfig; world: World; store: Store; clock: Clock }): AppDeps {
  const { config, world, store, clock } = options;
  const clients = createAwsClients({ defaultRegion: config.controlRegion, factories: ALL_AWS_CLIENT_FACTORIES, ...world.awsOptions() });
  let nextId = 0;
  return {
    config,
    planOf: buildPlan,
    store,
    clock,
    random: () => 0.5,
    newId: () => `r${++nextId}`,
    location: config.controlRegion,
    role: DEPLOY_ROLES.controller,
    prober: {
      probe: async () => ({ ok: true, latencyMs: 1, checkedAtEpochMs: clock.now() }),
      probeAll: async (specs) => specs.map(() => ({ ok: true, latencyMs: 1, checkedAtEpochMs: clock.now() })),
      close: async () => {},
    },
    aws: createSimAwsAdapters(clients),
    functions: { orchestrator: 'orchestrator', probe: 'probe' },
    logger: silentLogger,
    emit: ignoreEvents,
    metrics: noSelfMetrics,
  };
}
