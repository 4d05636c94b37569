/**
 * The AWS adapters a simulated function gets: every adapter, EC2, Route 53 and EventBridge included, built on
 * clients that talk to the embedded world, for the simulator's stage. One wiring for the runner, the
 * benchmarks and the app-level tests.
 */
import type { AwsAdapters } from '../../shared/app/deps';
import { createAwsAdapters } from '../../shared/app/runtime';
import type { AwsClients } from '../../shared/aws/clients';
import { createEc2Adapter } from '../../shared/aws/ec2';
import { createEventBridgeAdapter } from '../../shared/aws/eventbridge';
import { createIamAdapter } from '../../shared/aws/iam';
import { createRoute53Adapter } from '../../shared/aws/route53';
import { createStepAdapters } from '../../shared/aws/step-adapters';
import { SIM_STAGE } from './seed';

export function createSimAwsAdapters(clients: AwsClients): AwsAdapters {
  return createAwsAdapters(
    clients,
    () => createEc2Adapter(clients),
    () => createRoute53Adapter(clients),
    { stage: SIM_STAGE },
    () => createEventBridgeAdapter(clients, { stage: SIM_STAGE }),
    createStepAdapters(clients),
    () => createIamAdapter(clients),
  );
}
