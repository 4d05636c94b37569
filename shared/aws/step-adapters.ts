/**
 * The database and fleet adapters (RDS, Auto Scaling, ECS) for the functions that run runbook steps
 * (orchestrator, drill). Importing this module loads those three SDK clients: `probe` and `alarm`
 * never import it (a bundle test checks).
 */
import type { StepAdapters } from '../engine/types';
import { autoScalingClientFactory, createAutoScalingAdapter, type AutoScalingAdapter } from './autoscaling';
import type { AwsClientFactories, AwsClients } from './clients';
import { createEcsAdapter, ecsClientFactory, type EcsAdapter } from './ecs';
import { createRdsAdapter, rdsClientFactory, type RdsAdapter } from './rds';

export const STEP_CLIENT_FACTORIES: Pick<Required<AwsClientFactories>, 'rds' | 'autoScaling' | 'ecs'> = {
  rds: rdsClientFactory,
  autoScaling: autoScalingClientFactory,
  ecs: ecsClientFactory,
};

/** Each adapter built on first use. */
export function createStepAdapters(clients: AwsClients): StepAdapters {
  let rds: RdsAdapter | undefined;
  let autoScaling: AutoScalingAdapter | undefined;
  let ecs: EcsAdapter | undefined;
  return {
    rds: () => (rds ??= createRdsAdapter(clients)),
    autoScaling: () => (autoScaling ??= createAutoScalingAdapter(clients)),
    ecs: () => (ecs ??= createEcsAdapter(clients)),
  };
}
