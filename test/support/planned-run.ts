/** A new run with the plan `buildPlan` makes for its service and kind, as the state machine starts one. */
import { buildPlan } from '../../shared/domain/build-plan';
import { newRun } from '../../shared/domain/plan';
import type { Run } from '../../shared/domain/types';

export function plannedRun(args: Omit<Parameters<typeof newRun>[0], 'plan'>): Run {
  return newRun({ ...args, plan: buildPlan(args.service, args.kind) });
}
