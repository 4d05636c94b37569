/** Every step action the plan can name, by name. */
import { associateAddress, attachVolume, launchFromAmi, startInstances, stopInstances } from './ec2';
import { waitHealthy } from './http';
import { invokeHook } from './lambda';
import { notifyOnCall } from './notify';
import { switchDns, waitInSync } from './route53';
import type { ActionRegistry } from './types';

export const STEP_ACTION_HANDLERS: ActionRegistry = {
  'ec2.start': startInstances,
  'ec2.stop': stopInstances,
  'ec2.launchFromAmi': launchFromAmi,
  'ec2.attachVolume': attachVolume,
  'ec2.associateAddress': associateAddress,
  'http.waitHealthy': waitHealthy,
  'lambda.invoke': invokeHook,
  notify: notifyOnCall,
  'route53.switch': switchDns,
  'route53.waitInSync': waitInSync,
};

export { clientTokenFor } from './ec2';
export { userMessage } from './notify';
export type { ActionContext, ActionResult, StepActionHandler } from './types';
