/** `ec2.stop`: stop instances (the standby after failback) and wait until they are stopped. Stopping a stopped instance changes nothing. */
import { defineInstanceStateAction } from './ec2-instance-state';

export const ec2Stop = defineInstanceStateAction({ name: 'ec2.stop', verb: 'stop', operation: 'StopInstances', state: 'stopped' });
