/** Builders shared by the domain tests: the example service, evidence, and states reached the real way. */
import { join } from 'node:path';
import { loadConfigFile } from '../../../shared/config/load';
import type { ServiceConfig, ServicePolicy } from '../../../shared/config/types';
import { buildPlan } from '../../../shared/domain/build-plan';
import { decide, finishRun, type DecisionContext, type DecisionInput } from '../../../shared/domain/state-machine';
import {
  initialServiceState,
  type Evidence,
  type LocationObservation,
  type Run,
  type ServiceState,
  type SiteHealth,
} from '../../../shared/domain/types';

export const EXAMPLE_FILE = join(__dirname, '../../../switchback.example.yml');
export const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

const exampleConfig = loadConfigFile(EXAMPLE_FILE);

type PolicyOverrides = { [K in keyof ServicePolicy]?: Partial<ServicePolicy[K]> };

/** The example's `web` service (probe trigger, auto failback, hold-down 900 s, cooldown 1800 s, cap 3, quorum 1). */
export function exampleService(overrides: PolicyOverrides = {}): ServiceConfig {
  const service = structuredClone(exampleConfig.services[0]);
  const policy = service.policy as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    policy[key] = typeof value === 'object' && value !== null ? { ...(policy[key] as object), ...value } : value;
  }
  return service;
}

export function site(status: SiteHealth['status'], consecutive: number): SiteHealth {
  return { status, consecutive, sinceEpochMs: T0 };
}

type SiteSpec = [SiteHealth['status'], number];

export function location(name: string, primary: SiteSpec, secondary: SiteSpec, fresh = true): LocationObservation {
  return { location: name, fresh, observedAtEpochMs: T0, primary: site(...primary), secondary: site(...secondary) };
}

export function evidence(...locations: LocationObservation[]): Evidence {
  return { locations, alarmFiring: false };
}

/** One location (the example has one), thresholds 3 down / 5 up. */
export const SEEN = {
  down: evidence(location('us-west-2', ['down', 3], ['up', 5])),
  degraded: evidence(location('us-west-2', ['down', 1], ['up', 5])),
  healthy: evidence(location('us-west-2', ['up', 2], ['up', 5])),
  recovered: evidence(location('us-west-2', ['up', 5], ['up', 5])),
  cutoff: evidence(location('us-west-2', ['down', 3], ['down', 3])),
  none: evidence(location('us-west-2', ['up', 5], ['up', 5], false)),
  downSecondaryUnknown: evidence(location('us-west-2', ['down', 3], ['unknown', 0])),
} as const;

export const observe = (seen: Evidence): DecisionInput => ({ kind: 'observe', evidence: seen });
export const command = (name: Extract<DecisionInput, { kind: 'command' }>['command'], by = 'alice'): DecisionInput => ({
  kind: 'command',
  command: name,
  by,
});

export function context(service: ServiceConfig, nowEpochMs: number, extra: Partial<DecisionContext> = {}): DecisionContext {
  return { nowEpochMs, service, newRunId: `run-${nowEpochMs}`, planOf: (kind) => buildPlan(service, kind), ...extra };
}

/** Finish the active run: succeeded, failed at the first step, or failed/aborted after the DNS switch. */
export function endRun(
  state: ServiceState,
  nowEpochMs: number,
  outcome: 'succeeded' | 'failed' | 'aborted' | 'failedAfterSwitch',
): { state: ServiceState; reason: string } {
  const active = state.activeRun as Run;
  const switchIndex = active.steps.findIndex((step) => step.action === 'route53.switch');
  const steps = active.steps.map((step, index) => {
    if (outcome === 'succeeded') return { ...step, status: 'succeeded' as const, attempts: 1 };
    if (outcome === 'failedAfterSwitch') {
      if (index <= switchIndex) return { ...step, status: 'succeeded' as const, attempts: 1 };
      if (index === switchIndex + 1) return { ...step, status: 'failed' as const, attempts: 3, error: 'Throttling' };
      return step;
    }
    if (index === 0 && outcome === 'failed') {
      return {
        ...step,
        status: 'failed' as const,
        attempts: 4,
        error: step.action.startsWith('ec2.') ? 'InsufficientInstanceCapacity' : 'Throttling',
      };
    }
    return step;
  });
  const status = outcome === 'failedAfterSwitch' ? 'failed' : outcome;
  return finishRun(state, { ...active, steps, status, endedAtEpochMs: nowEpochMs }, nowEpochMs);
}

/** States reached through the real functions, all at T0 (lastTransition at T0). */
export function statesFor(service: ServiceConfig): Record<string, ServiceState> {
  const primary = initialServiceState(service.name, T0 - HOUR);
  const failingOver = decide(primary, observe(SEEN.down), context(service, T0 - 2 * MINUTE)).state;
  const secondary = endRun(failingOver, T0, 'succeeded').state;
  const failingBack = decide(secondary, command('failback'), context(service, T0 - MINUTE)).state;
  const failbackFailed = endRun(failingBack, T0, 'failed').state;
  const failoverFailed = endRun(failingOver, T0, 'failed').state;
  const drilling = decide(primary, { kind: 'drill', holdSeconds: 600, by: 'bob' }, context(service, T0 - 2 * MINUTE)).state;
  const drillHold = endRun(drilling, T0, 'succeeded').state;
  const back = endRun(decide(secondary, command('failback'), context(service, T0 - MINUTE)).state, T0, 'succeeded').state;
  return {
    PRIMARY: primary,
    FAILING_OVER: failingOver,
    SECONDARY: secondary,
    DRILL_HOLD: drillHold,
    FAILING_BACK: failingBack,
    FAILOVER_FAILED: failoverFailed,
    FAILBACK_FAILED: failbackFailed,
    BACK_ON_PRIMARY: back,
  };
}
