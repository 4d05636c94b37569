/** `ec2.start`: start standby instances and wait until they run. Starting a running instance changes nothing. */
import { defineInstanceStateAction } from './ec2-instance-state';

export const ec2Start = defineInstanceStateAction({ name: 'ec2.start', verb: 'start', operation: 'StartInstances', state: 'running' });
