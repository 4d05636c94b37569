/**
 * The engine on the embedded world: dynalite (one table per kit), the in-memory AWS models behind
 * the real SDK clients, and a manual clock whose sleep moves time forward at once (so a 15 s EC2
 * start or a 300 s DNS wait costs nothing).
 */
import { join } from 'node:path';
import { DEPLOYED_CLIENT_TIMEOUTS } from '../../../shared/app/runtime';
import { ALL_AWS_CLIENT_FACTORIES } from '../../../shared/aws/all-client-factories';
import { createAwsClients } from '../../../shared/aws/clients';
import { createCloudWatchAdapter } from '../../../shared/aws/cloudwatch';
import { createEc2Adapter } from '../../../shared/aws/ec2';
import { createLambdaAdapter } from '../../../shared/aws/lambda';
import { createRoute53Adapter } from '../../../shared/aws/route53';
import { createSnsAdapter } from '../../../shared/aws/sns';
import { createStepAdapters } from '../../../shared/aws/step-adapters';
import type { Clock } from '../../../shared/clock';
import { loadConfigFile } from '../../../shared/config/load';
import { buildConfig, PHONE } from '../../support/config-builder';
import type { ProbeSpec, SwitchbackConfig } from '../../../shared/config/types';
import { plannedRun } from '../../support/planned-run';
import type { Run, RunKind, RunTrigger, ServiceState } from '../../../shared/domain/types';
import { executeRun, type EngineAws, type EngineDeps, type EngineOutcome } from '../../../shared/engine';
import type { ControllerEvent } from '../../../shared/events';
import type { ProbeResult } from '../../../shared/probes/types';
import type { EmbeddedDynamo } from '../../../sim/dynamo';
import { createWorld, SIM_STAGE, type World } from '../../../sim/world';
import { createStore, type Store } from '../../../shared/store';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export const EXAMPLE_CONFIG_FILE = join(__dirname, '../../../switchback.example.yml');
export const SERVICE = 'web';
export { PHONE };

/** Time that only moves when someone sleeps (or the test advances it). */
export class ManualClock implements Clock {
  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  async sleep(ms: number): Promise<void> {
    this.current += Math.max(0, ms);
    // Let other work (a concurrent owner, I/O callbacks) have a turn, as a real sleep would.
    await new Promise((resolve) => setImmediate(resolve));
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/** A prober answering from a table of site health (by probe URL); `hook` runs inside each probe. */
export class FakeProber {
  readonly calls: ProbeSpec[] = [];
  private readonly down = new Set<string>();
  hook?: (spec: ProbeSpec) => Promise<void>;

  constructor(private readonly clock: Clock) {}

  setDown(url: string, down: boolean): void {
    if (down) this.down.add(url);
    else this.down.delete(url);
  }

  async probe(spec: ProbeSpec): Promise<ProbeResult> {
    this.calls.push(spec);
    await this.hook?.(spec);
    const url = spec.type === 'tcp' ? `${spec.host}:${spec.port}` : spec.url;
    const ok = !this.down.has(url);
    return { ok, latencyMs: 12, checkedAtEpochMs: this.clock.now(), ...(ok ? { status: 200 } : { cause: 'ECONNREFUSED' }) };
  }
}

/** A richer service: launch from an AMI, attach its data volume, move the EIP, check health, then DNS. */
export function launchConfig(overrides: { inSyncTimeoutSeconds?: number } = {}): SwitchbackConfig {
  return buildConfig({
    sms: [PHONE, '+15555550111'],
    services: [
      {
        name: SERVICE,
        dns: { inSyncTimeoutSeconds: overrides.inSyncTimeoutSeconds ?? 300 },
        secondary: {
          prepare: [
            {
              id: 'launch',
              'ec2.launchFromAmi': {
                imageId: 'ami-0abc1234',
                instanceType: 't3.small',
                subnetId: 'subnet-0abc1234',
                tags: { Team: 'web' },
              },
            },
            { id: 'data', 'ec2.attachVolume': { volumeId: 'vol-0abc1234', instanceId: '${steps.launch.instanceId}', device: '/dev/sdf' } },
            {
              id: 'eip',
              'ec2.associateAddress': {
                allocationId: 'eipalloc-0abc1234',
                instanceId: '${steps.launch.instanceId}',
                allowReassociation: true,
              },
            },
            { 'http.waitHealthy': { timeoutSeconds: 120, intervalSeconds: 5 } },
          ],
          cleanup: [{ 'ec2.stop': { instanceIds: ['${failover.launch.instanceId}'] } }],
        },
      },
    ],
  });
}

export interface KitOptions {
  config?: SwitchbackConfig;
  route53ChangeDelayMs?: number;
  ec2TransitionDelayMs?: number;
  leaseTtlMs?: number;
  handoffMarginMs?: number;
  /** Shape the world before the config is seeded (seeding never replaces what exists). */
  prepareWorld?(world: World): void;
}

export interface EngineKit {
  config: SwitchbackConfig;
  clock: ManualClock;
  world: World;
  store: Store;
  prober: FakeProber;
  events: ControllerEvent[];
  /** AWS adapter calls per owner (`route53.upsertRecord` …). */
  callsBy(owner: string): string[];
  deps(owner: string, overrides?: Partial<EngineDeps>): EngineDeps;
  /** Put a new run in the service's state, as a decision would. */
  startRun(kind: RunKind, options?: { id?: string; trigger?: RunTrigger; reason?: string }): Promise<Run>;
  execute(owner: string, overrides?: Partial<EngineDeps> & { deadlineEpochMs?: number }): Promise<EngineOutcome>;
  state(): Promise<ServiceState>;
  /** SMS texts sent to the first number, in order. */
  texts(): string[];
  dnsAnswer(): unknown;
}

export function loadExampleConfig(): SwitchbackConfig {
  return loadConfigFile(EXAMPLE_CONFIG_FILE);
}

/** `adapter` with every method call (but those named in `except`) recorded in `calls` as `<name>.<method>`. */
export function recordingCalls<T extends object>(name: string, adapter: T, calls: string[], except: string[] = []): T {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || except.includes(String(property))) return value;
      return (...args: unknown[]) => {
        calls.push(`${name}.${String(property)}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Wrap every adapter method so calls are recorded (per owner, for fencing checks). */
function countingAdapters(aws: EngineAws, calls: string[]): EngineAws {
  const wrap = <T extends object>(name: string, adapter: T): T => recordingCalls(name, adapter, calls);
  const ec2 = typeof aws.ec2 === 'function' ? aws.ec2() : aws.ec2;
  return {
    route53: wrap('route53', aws.route53),
    ec2: wrap('ec2', ec2),
    sns: wrap('sns', aws.sns),
    cloudWatch: wrap('cloudWatch', aws.cloudWatch),
    lambda: wrap('lambda', aws.lambda),
    ...(aws.steps && {
      steps: {
        rds: () => wrap('rds', aws.steps!.rds()),
        autoScaling: () => wrap('autoScaling', aws.steps!.autoScaling()),
        ecs: () => wrap('ecs', aws.steps!.ecs()),
      },
    }),
  };
}

let tableCount = 0;

export async function createEngineKit(dynamo: EmbeddedDynamo, options: KitOptions = {}): Promise<EngineKit> {
  const config = options.config ?? loadExampleConfig();
  const clock = new ManualClock(T0);
  const world = createWorld({
    now: () => clock.now(),
    sleep: (ms) => clock.sleep(ms),
    route53ChangeDelayMs: options.route53ChangeDelayMs ?? 10_000,
    ec2TransitionDelayMs: options.ec2TransitionDelayMs ?? 15_000,
  });
  options.prepareWorld?.(world);
  world.seed(config);
  const tableName = `engine-${++tableCount}`;
  await dynamo.createTable(tableName);
  const store = createStore({ client: dynamo.client, tableName, now: () => clock.now() });
  const prober = new FakeProber(clock);
  const events: ControllerEvent[] = [];
  const callsByOwner = new Map<string, string[]>();
  const service = config.services[0];

  function adaptersFor(owner: string): EngineAws {
    // The deployed clients' timeouts: the world cuts a slow answer at them, as the SDK would.
    const clients = createAwsClients({
      defaultRegion: config.controlRegion,
      factories: ALL_AWS_CLIENT_FACTORIES,
      ...DEPLOYED_CLIENT_TIMEOUTS,
      ...world.awsOptions(),
    });
    const calls = callsByOwner.get(owner) ?? [];
    callsByOwner.set(owner, calls);
    return countingAdapters(
      {
        route53: createRoute53Adapter(clients),
        ec2: () => createEc2Adapter(clients),
        sns: createSnsAdapter(clients),
        cloudWatch: createCloudWatchAdapter(clients, { stage: SIM_STAGE }),
        lambda: createLambdaAdapter(clients),
        steps: createStepAdapters(clients),
      },
      calls,
    );
  }

  function deps(owner: string, overrides: Partial<EngineDeps> = {}): EngineDeps {
    return {
      config,
      store,
      clock,
      random: () => 0.5,
      aws: adaptersFor(owner),
      prober,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      emit: (event) => events.push(event),
      ...(options.leaseTtlMs !== undefined && { leaseTtlMs: options.leaseTtlMs }),
      ...(options.handoffMarginMs !== undefined && { handoffMarginMs: options.handoffMarginMs }),
      ...overrides,
    };
  }

  return {
    config,
    clock,
    world,
    store,
    prober,
    events,
    callsBy: (owner) => callsByOwner.get(owner) ?? [],
    deps,
    async startRun(kind, runOptions = {}) {
      const run = plannedRun({
        id: runOptions.id ?? `${kind}-1`,
        service,
        kind,
        trigger: runOptions.trigger ?? 'auto',
        reason:
          runOptions.reason ??
          (kind === 'failover' ? 'primary failed 3/3 probes from 1/1 locations; secondary healthy' : 'primary healthy for 900s'),
        nowEpochMs: clock.now(),
      });
      await store.startRun(
        SERVICE,
        run,
        (state) => ({ ...state, state: kind === 'failover' ? 'FAILING_OVER' : 'FAILING_BACK', activeRun: run }),
        clock.now(),
      );
      return run;
    },
    execute(owner, overrides = {}) {
      const { deadlineEpochMs, ...rest } = overrides;
      return executeRun(SERVICE, deps(owner, rest), { owner, deadlineEpochMs: deadlineEpochMs ?? clock.now() + 900_000 });
    },
    async state() {
      return (await store.getState(SERVICE)) as ServiceState;
    },
    texts: () =>
      world.sns
        .published()
        .filter((message) => message.phoneNumber === PHONE)
        .map((message) => message.message),
    dnsAnswer: () => world.route53.resolve(service.dns.recordName, 'A'),
  };
}
