/**
 * ECS in memory: services whose running count converges on the desired count over time.
 *
 * - UpdateService with a new `desiredCount` makes the scheduler start tasks (PROVISIONING →
 *   PENDING → RUNNING: `pendingCount` first, then `runningCount`) or stop surplus ones; an unknown
 *   service is ServiceNotFoundException, an unknown cluster ClusterNotFoundException, a service that
 *   is not ACTIVE ServiceNotActiveException:
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
 * - DescribeServices answers a missing service in `failures` (reason MISSING), not with an error:
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html
 * - Task states: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
 *
 * A `stuck` fault on UpdateService: the new tasks never reach RUNNING (no capacity, an image that
 * cannot be pulled).
 */
import type { DescribeServicesRequest, UpdateServiceRequest } from '@aws-sdk/client-ecs';
import { SwitchbackError } from '../../shared/errors';
import type { WorldContext } from './context';
import { operationTable, type ServiceModel } from './model';

export interface EcsTimings {
  /** Placement + image pull + container start, per task. */
  taskStartMs: number;
  /** Between two task starts of one update. */
  staggerMs: number;
  /** Draining a stopping task. */
  taskStopMs: number;
}

export const DEFAULT_ECS_TIMINGS: EcsTimings = { taskStartMs: 45_000, staggerMs: 3_000, taskStopMs: 30_000 };

export interface EcsServiceWorldView {
  region: string;
  cluster: string;
  name: string;
  arn: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
}

export interface EcsWorld {
  addService(input: { region: string; cluster: string; name: string; desiredCount?: number }): void;
  service(region: string, cluster: string, name: string): EcsServiceWorldView | undefined;
  services(): EcsServiceWorldView[];
}

interface Task {
  runningAtEpochMs: number;
  stoppingSinceEpochMs?: number;
}

interface Service {
  region: string;
  cluster: string;
  name: string;
  arn: string;
  desired: number;
  tasks: Task[];
}

/** `arn:aws:ecs:<region>:<account>:cluster/<name>` or a plain name → the name. */
export function clusterName(cluster: string): string {
  return cluster.startsWith('arn:') ? cluster.replace(/^.*:cluster\//, '') : cluster;
}

/** A service given by name or ARN (`…:service/<cluster>/<name>`) → the name. */
function serviceName(service: string): string {
  return service.startsWith('arn:') ? service.replace(/^.*\//, '') : service;
}

export function createEcsModel(ctx: WorldContext, timings: EcsTimings = DEFAULT_ECS_TIMINGS): { model: ServiceModel; world: EcsWorld } {
  const services = new Map<string, Service>();
  const clusters = new Set<string>();
  const key = (region: string, cluster: string, name: string) => `${region}|${cluster}|${name}`;
  const fail = (code: string, message: string) => ctx.error('ecs', code, message);

  function settle(service: Service): void {
    const now = ctx.now();
    service.tasks = service.tasks.filter(
      (task) => task.stoppingSinceEpochMs === undefined || now < task.stoppingSinceEpochMs + timings.taskStopMs,
    );
  }

  function counts(service: Service): { running: number; pending: number } {
    settle(service);
    const now = ctx.now();
    const live = service.tasks.filter((task) => task.stoppingSinceEpochMs === undefined);
    const running = live.filter((task) => now >= task.runningAtEpochMs).length;
    return { running, pending: live.length - running };
  }

  function describe(service: Service) {
    const { running, pending } = counts(service);
    return {
      serviceArn: service.arn,
      serviceName: service.name,
      clusterArn: `arn:aws:ecs:${service.region}:${ctx.accountId}:cluster/${service.cluster}`,
      status: 'ACTIVE',
      desiredCount: service.desired,
      runningCount: running,
      pendingCount: pending,
      launchType: 'FARGATE',
    };
  }

  function requireCluster(region: string, cluster: unknown): string {
    const name = clusterName(typeof cluster === 'string' && cluster.length > 0 ? cluster : 'default');
    if (!clusters.has(`${region}|${name}`)) throw fail('ClusterNotFoundException', 'Cluster not found.');
    return name;
  }

  function update(input: UpdateServiceRequest, region: string, stuck: boolean) {
    const cluster = requireCluster(region, input.cluster);
    const service = typeof input.service === 'string' ? services.get(key(region, cluster, serviceName(input.service))) : undefined;
    if (!service) throw fail('ServiceNotFoundException', 'Service not found.');
    if (input.desiredCount !== undefined) {
      if (!Number.isInteger(input.desiredCount) || input.desiredCount < 0)
        throw fail('InvalidParameterException', 'desiredCount must be a whole number ≥ 0.');
      settle(service);
      service.desired = input.desiredCount;
      const now = ctx.now();
      const live = service.tasks.filter((task) => task.stoppingSinceEpochMs === undefined);
      for (let index = 0; index < service.desired - live.length; index++)
        service.tasks.push({ runningAtEpochMs: stuck ? Number.POSITIVE_INFINITY : now + timings.taskStartMs + index * timings.staggerMs });
      const surplus = live.length - service.desired;
      if (surplus > 0)
        for (const task of [...live].sort((a, b) => b.runningAtEpochMs - a.runningAtEpochMs).slice(0, surplus))
          task.stoppingSinceEpochMs = now;
    }
    return { service: describe(service) };
  }

  function describeServices(input: DescribeServicesRequest, region: string) {
    const cluster = requireCluster(region, input.cluster);
    const wanted = input.services ?? [];
    if (wanted.length === 0 || wanted.length > 10) throw fail('InvalidParameterException', 'services must list 1 to 10 services.');
    const found: Array<ReturnType<typeof describe>> = [];
    const failures: Array<{ arn: string; reason: string }> = [];
    for (const name of wanted) {
      const service = services.get(key(region, cluster, serviceName(name)));
      if (service) found.push(describe(service));
      else
        failures.push({
          arn: name.startsWith('arn:') ? name : `arn:aws:ecs:${region}:${ctx.accountId}:service/${cluster}/${name}`,
          reason: 'MISSING',
        });
    }
    return { services: found, failures };
  }

  const view = (service: Service): EcsServiceWorldView => {
    const { running, pending } = counts(service);
    return {
      region: service.region,
      cluster: service.cluster,
      name: service.name,
      arn: service.arn,
      desiredCount: service.desired,
      runningCount: running,
      pendingCount: pending,
    };
  };

  const world: EcsWorld = {
    addService(input) {
      const cluster = clusterName(input.cluster);
      if (services.has(key(input.region, cluster, input.name))) return;
      const desired = input.desiredCount ?? 0;
      if (!(Number.isInteger(desired) && desired >= 0))
        throw new SwitchbackError(`world.ecs.addService: desiredCount ${desired} must be ≥ 0`);
      clusters.add(`${input.region}|${cluster}`);
      services.set(key(input.region, cluster, input.name), {
        region: input.region,
        cluster,
        name: input.name,
        arn: `arn:aws:ecs:${input.region}:${ctx.accountId}:service/${cluster}/${input.name}`,
        desired,
        // Tasks that exist already are running.
        tasks: Array.from({ length: desired }, () => ({ runningAtEpochMs: ctx.now() })),
      });
    },
    service: (region, cluster, name) => {
      const service = services.get(key(region, clusterName(cluster), name));
      return service && view(service);
    },
    services: () => [...services.values()].map(view),
  };

  const model = operationTable(ctx, 'ecs', {
    DescribeServices: (input, call) => describeServices(input as DescribeServicesRequest, call.region),
    UpdateService: (input, call) => update(input as UpdateServiceRequest, call.region, call.stuck),
  });

  return { model, world };
}
