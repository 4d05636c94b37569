/**
 * The `control` function's use case (and `switchback control`): freeze, unfreeze, manual failover or
 * failback, approve a manual failback, abort a run. Each goes through the state machine as a command;
 * the answer carries the same reason sentence it logged.
 */
import * as z from './event-schema';
import { COMMANDS } from '../domain/state-machine';
import type { ServiceState } from '../domain/types';
import { decideAndApply } from './apply-decision';
import type { AppDeps } from './deps';
import { findService, parseInput } from './operator-input';

/** The control actions are the state machine's commands. */
export const CONTROL_ACTIONS = COMMANDS;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

const controlInputSchema = z.strictObject({
  action: z.enum(CONTROL_ACTIONS, { error: `must be one of ${CONTROL_ACTIONS.join(', ')}` }),
  service: z.string({ error: 'is required' }).check(z.minLength(1)),
  by: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});

export interface ControlOutcome {
  service: string;
  action: ControlAction;
  accepted: boolean;
  state: ServiceState['state'];
  frozen: boolean;
  reason: string;
  runId?: string;
}

export async function runControl(deps: AppDeps, input: unknown): Promise<ControlOutcome> {
  const command = parseInput(controlInputSchema, input, 'control');
  const service = findService(deps, command.service);
  const applied = await decideAndApply(deps, service, { kind: 'command', command: command.action, by: command.by ?? 'operator' });
  const started = applied.decision.effects.find((effect) => effect.type === 'startRun');
  return {
    service: service.name,
    action: command.action,
    accepted: applied.decision.accepted,
    state: applied.state.state,
    frozen: applied.state.frozen,
    reason: applied.decision.reason,
    ...(started && started.type === 'startRun' ? { runId: started.run.id } : {}),
  };
}
