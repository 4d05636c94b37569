/**
 * Shared bits for the adapter tests: AWS-shaped errors and a fake clock whose sleep advances time.
 */
import type { AwsClients } from '../../../shared/aws/clients';

/** An error shaped like the SDK's ServiceException (name = AWS code, $fault, $metadata). */
export function awsError(
  name: string,
  options: { fault?: 'client' | 'server'; status?: number; message?: string; extra?: Record<string, unknown> } = {},
): Error {
  const status = options.status ?? (options.fault === 'server' ? 500 : 400);
  const error = new Error(options.message ?? `${name} happened`);
  return Object.assign(error, {
    name,
    $fault: options.fault ?? (status >= 500 ? 'server' : 'client'),
    $metadata: { httpStatusCode: status, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 },
    ...options.extra,
  });
}

/** A Node socket error as the HTTP handler surfaces it. */
export function networkError(code: string, message = `connect ${code} 203.0.113.10:443`): Error {
  return Object.assign(new Error(message), { code, errno: -1, syscall: 'connect' });
}

export interface FakeClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  sleeps: number[];
}

export function createFakeClock(startEpochMs = 1_700_000_000_000): FakeClock {
  let current = startEpochMs;
  const sleeps: number[] = [];
  return {
    now: () => current,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      current += ms;
    },
    sleeps,
  };
}

/** AwsClients whose methods return the given client objects and record the regions asked for. */
export function recordingClients(
  clients: Partial<Record<keyof AwsClients, unknown>>,
): AwsClients & { regions: Array<[string, string | undefined]> } {
  const regions: Array<[string, string | undefined]> = [];
  const pick = (service: keyof AwsClients) => (region?: string) => {
    regions.push([service, region]);
    const client = clients[service];
    if (!client) throw new Error(`test did not provide a ${service} client`);
    return client as never;
  };
  return {
    route53: pick('route53'),
    ec2: pick('ec2'),
    sns: pick('sns'),
    cloudWatch: pick('cloudWatch'),
    lambda: pick('lambda'),
    eventBridge: pick('eventBridge'),
    rds: pick('rds'),
    autoScaling: pick('autoScaling'),
    ecs: pick('ecs'),
    iam: pick('iam'),
    sqs: pick('sqs'),
    regions,
  };
}
