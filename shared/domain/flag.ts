/**
 * Which value a `health-check-flag` service's flag must hold right now, from its stored state alone.
 * The probe republishes it every round (README "health-check-flag: a flag that holds"): Route 53's
 * health check follows the alarm's data, so the data must keep saying where traffic belongs.
 *
 * - A run that has switched DNS holds what it published (`route53.switch` output `flag`).
 * - SECONDARY holds 1; a failback that has not switched yet (it came from SECONDARY) still holds 1.
 * - PRIMARY holds nothing: the failback's 0 was the last word, and `LastKnownStatus` keeps it.
 * - A failover that has not switched yet holds nothing: traffic has not moved.
 * - FAILOVER_FAILED / FAILBACK_FAILED hold nothing: a human must look, and switchback does not
 *   assert either side; the last datapoint and `LastKnownStatus` keep traffic where it is.
 */
import { SERVICE_STATES, type Run, type ServiceState } from './types';

export type FlagValue = 0 | 1;

export interface HeldFlagDecision {
  value?: FlagValue;
  /** Why, in a sentence (logs and tests). */
  reason: string;
}

function switchedFlag(run: Run | undefined): FlagValue | undefined {
  if (!run) return undefined;
  for (const step of [...run.steps].reverse()) {
    if (step.action !== 'route53.switch' || step.status !== 'succeeded') continue;
    const flag = step.output?.flag;
    if (step.output?.strategy === 'health-check-flag' && (flag === 0 || flag === 1)) return flag;
  }
  return undefined;
}

export function flagToHold(state: ServiceState): HeldFlagDecision {
  const switched = switchedFlag(state.activeRun);
  if (switched !== undefined) return { value: switched, reason: `the ${state.activeRun?.kind} run switched the flag to ${switched}` };
  switch (state.state) {
    case SERVICE_STATES.SECONDARY:
      return { value: 1, reason: 'on the secondary' };
    case SERVICE_STATES.FAILING_BACK:
      return state.lastTransition?.from === SERVICE_STATES.SECONDARY
        ? { value: 1, reason: 'failing back, DNS not switched yet: still on the secondary' }
        : { reason: 'failing back from a failed state before the switch: traffic is where a human left it' };
    case SERVICE_STATES.FAILING_OVER:
      return { reason: 'failing over, DNS not switched yet' };
    case SERVICE_STATES.PRIMARY:
      return { reason: 'on the primary: the last published 0 holds' };
    default:
      return { reason: `${state.state}: a human must look; the last published flag holds` };
  }
}
