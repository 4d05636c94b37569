/**
 * Compiling a validated config into the file every function bundle carries (./compiled.ts), with
 * every service's failover and failback plans built here, at packaging, by `buildPlan`. Kept apart
 * from ./compiled.ts because `buildPlan` loads every step action module (and their zod schemas):
 * `sls package`, the CLI and tests import this; the functions only read the result.
 */
import { buildPlan } from '../domain/build-plan';
import { COMPILED_CONFIG_FORMAT, configHash, plansHash, type CompiledConfig, type CompiledPlans } from './compiled';
import type { SwitchbackConfig } from './types';

/** Every service's failover and failback plans, by service name, as the functions will run them. */
export function compilePlans(config: SwitchbackConfig): CompiledPlans {
  return Object.fromEntries(
    config.services.map((service) => [
      service.name,
      { failover: buildPlan(service, 'failover'), failback: buildPlan(service, 'failback') },
    ]),
  );
}

/** The file text for a validated, resolved config (from `loadConfigFile`), with its plans and both hashes. */
export function compileConfig(config: SwitchbackConfig, source: string): { text: string; sha256: string; plansSha256: string } {
  const sha256 = configHash(config);
  const plans = compilePlans(config);
  const plansSha256 = plansHash(plans);
  const compiled: CompiledConfig = { format: COMPILED_CONFIG_FORMAT, source, sha256, config, plansSha256, plans };
  return { text: `${JSON.stringify(compiled, null, 2)}\n`, sha256, plansSha256 };
}
