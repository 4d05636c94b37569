/**
 * A world on a hand-driven clock, with REAL SDK clients (createAwsClients + every factory) plugged
 * into it the way the simulator does.
 */
import { type AwsClients, createAwsClients } from '../../../../shared/aws/clients';
import { ALL_AWS_CLIENT_FACTORIES } from '../../../../shared/aws/all-client-factories';
import { createWorld, type World, type WorldOptions } from '../../../../sim/world';

export const START_EPOCH_MS = Date.UTC(2026, 0, 15, 12, 0, 0);

export interface TestClock {
  now(): number;
  /** Advances the clock: an injected sleep never waits for real. */
  sleep(ms: number): Promise<void>;
  advance(ms: number): void;
  sleeps: number[];
}

export function createTestClock(startEpochMs = START_EPOCH_MS): TestClock {
  let current = startEpochMs;
  const sleeps: number[] = [];
  return {
    now: () => current,
    sleep: async (ms) => {
      sleeps.push(ms);
      current += ms;
    },
    advance: (ms) => {
      current += ms;
    },
    sleeps,
  };
}

export interface TestWorld {
  world: World;
  clients: AwsClients;
  clock: TestClock;
}

/** `clientTimeouts`: the clients' request timeouts, as deployed clients have them (default: none). */
export function createTestWorld(
  options: Partial<WorldOptions> = {},
  clientTimeouts: { requestTimeoutMs?: number; requestTimeoutMsByService?: Partial<Record<'lambda' | 'sns', number>> } = {},
): TestWorld {
  const clock = createTestClock();
  const world = createWorld({ now: clock.now, sleep: clock.sleep, route53ChangeDelayMs: 10_000, ec2TransitionDelayMs: 15_000, ...options });
  const clients = createAwsClients({
    defaultRegion: 'us-west-2',
    factories: ALL_AWS_CLIENT_FACTORIES,
    ...clientTimeouts,
    ...world.awsOptions(),
  });
  return { world, clients, clock };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
