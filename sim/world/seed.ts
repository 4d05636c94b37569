/**
 * Build the AWS side of a switchback.yml in the world: what an operator would have set up before
 * deploying switchback. Everything is create-if-absent, so seeding twice (or seeding a config that
 * shares a zone with another) changes nothing that exists.
 *
 * - Route 53: the hosted zone; for `record-swap` the record pointing at the primary target (already
 *   INSYNC); for `health-check-flag` PRIMARY/SECONDARY failover records, the PRIMARY one guarded by
 *   a CLOUDWATCH_METRIC health check that follows the stage's flag alarm (`flagAlarmName`), as
 *   `serverless.yml` creates them (FLAG_ALARM).
 * - CloudWatch: the flag alarm in the control region (OK), every alarm a site names (OK; a plain
 *   name lives in the site's region, an ARN in its own).
 * - EC2: instances named by `ec2.*` steps (secondary side stopped, primary side running), the
 *   volumes, Elastic IPs (public IP = the site's first IPv4 target), AMIs and subnets they name.
 *   Zones as an operator who set this up correctly would have them: a subnet's zone derives from
 *   its id, an instance's from its id, and a volume to attach lives in the zone of the instance it
 *   is attached to (a literal instance, or the subnet of the launch step it refers to; a launch
 *   without a subnet lands in the default subnet's zone, `<region>a`).
 * - RDS: every Aurora global database an `rds.*GlobalCluster` step names, its writer in the primary's
 *   region (the cluster a primary-side step switches back to, else `<global id>-primary`) and the
 *   cluster a secondary-side step fails over to as its secondary.
 * - Auto Scaling groups and ECS services the fleet steps name, as a pilot light: no instances or
 *   tasks, a maximum that allows the largest size a step asks for.
 * - SNS: the notify topic.
 */
import type { CloudWatchRegion, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { isIP } from 'node:net';
import { toRecordType } from '../../shared/aws/route53';
import type { ServiceConfig, SiteConfig, SiteRole, SwitchbackConfig } from '../../shared/config/types';
import { SwitchbackError } from '../../shared/errors';
import type { CloudWatchWorld } from './cloudwatch';
import type { Ec2World } from './ec2';
import {
  FLAG_ALARM,
  FLAG_METRIC,
  failoverSetIdentifier,
  flagAlarmName,
  flagDimensions,
  flagHealthCheckReference,
} from '../../shared/aws/flag';
import { normalizeDnsName } from '../../shared/aws/route53';
import type { AutoScalingWorld } from './autoscaling';
import type { EcsWorld } from './ecs';
import type { RdsWorld } from './rds';
import type { Route53World } from './route53';
import type { SnsWorld } from './sns';

export interface SeedTargets {
  route53: Route53World;
  ec2: Ec2World;
  sns: SnsWorld;
  cloudWatch: CloudWatchWorld;
  rds?: RdsWorld;
  autoScaling?: AutoScalingWorld;
  ecs?: EcsWorld;
}

/** The stage the simulator deploys as: flag names and dimensions carry it, as in a real deployment. */
export const SIM_STAGE = 'sim';

/** Weight given to a seeded record-swap record that has a SetIdentifier (a weighted set of one). */
const SEEDED_WEIGHT = 100;

function isLiteral(value: unknown): value is string {
  return typeof value === 'string' && !value.includes('${');
}

/** `app.example.com` → `example.com`; a two-label name is its own zone. */
function zoneNameFor(recordName: string): string {
  const labels = normalizeDnsName(recordName).split('.');
  return labels.length > 2 ? labels.slice(1).join('.') : labels.join('.');
}

function commonSuffix(a: string, b: string): string {
  const left = a.split('.').reverse();
  const right = b.split('.').reverse();
  const shared: string[] = [];
  for (let i = 0; i < Math.min(left.length, right.length) && left[i] === right[i]; i++) shared.push(left[i]);
  return shared.reverse().join('.');
}

function ensureZone(route53: Route53World, hostedZoneId: string, recordName: string): void {
  const name = normalizeDnsName(recordName);
  const existing = route53.hostedZones().find((zone) => zone.id === hostedZoneId);
  if (!existing) {
    route53.createHostedZone({ id: hostedZoneId, name: zoneNameFor(recordName) });
    return;
  }
  if (name !== existing.name && !name.endsWith(`.${existing.name}`)) {
    const widened = commonSuffix(existing.name, name);
    if (!widened) throw new SwitchbackError(`world.seed: ${recordName} cannot share hosted zone ${hostedZoneId} with ${existing.name}`);
    route53.createHostedZone({ id: hostedZoneId, name: widened });
  }
}

function recordFor(service: ServiceConfig, site: SiteConfig): ResourceRecordSet {
  const { dns } = service;
  const target = site.target;
  const base = { Name: dns.recordName, Type: toRecordType(dns.type) };
  if (typeof target === 'object' && !Array.isArray(target)) {
    return {
      ...base,
      AliasTarget: {
        DNSName: target.alias.dnsName,
        HostedZoneId: target.alias.hostedZoneId,
        EvaluateTargetHealth: target.alias.evaluateTargetHealth,
      },
    };
  }
  const values = typeof target === 'string' ? [target] : target;
  return { ...base, TTL: dns.ttl, ResourceRecords: values.map((Value) => ({ Value })) };
}

function recordExists(route53: Route53World, hostedZoneId: string, record: ResourceRecordSet): boolean {
  const name = normalizeDnsName(record.Name ?? '');
  return route53
    .records(hostedZoneId)
    .some(
      (existing) =>
        normalizeDnsName(existing.Name ?? '') === name && existing.Type === record.Type && existing.SetIdentifier === record.SetIdentifier,
    );
}

function putIfAbsent(route53: Route53World, hostedZoneId: string, record: ResourceRecordSet): void {
  if (!recordExists(route53, hostedZoneId, record)) route53.putRecord(hostedZoneId, record);
}

function seedDns(targets: SeedTargets, config: SwitchbackConfig, service: ServiceConfig, stage: string): void {
  const { route53, cloudWatch } = targets;
  const { dns } = service;
  ensureZone(route53, dns.hostedZoneId, dns.recordName);
  if (dns.strategy === 'record-swap') {
    const record = recordFor(service, service.primary);
    putIfAbsent(
      route53,
      dns.hostedZoneId,
      dns.setIdentifier !== undefined ? { ...record, SetIdentifier: dns.setIdentifier, Weight: SEEDED_WEIGHT } : record,
    );
    return;
  }
  const alarmName = flagAlarmName(stage, service.name);
  if (!cloudWatch.alarm(alarmName, config.controlRegion)) {
    cloudWatch.putAlarm({
      name: alarmName,
      region: config.controlRegion,
      state: 'OK',
      metric: {
        namespace: FLAG_METRIC.namespace,
        metricName: FLAG_METRIC.metricName,
        dimensions: flagDimensions(stage, service.name),
        statistic: FLAG_ALARM.statistic,
        periodSeconds: FLAG_ALARM.periodSeconds,
        evaluationPeriods: FLAG_ALARM.evaluationPeriods,
        datapointsToAlarm: FLAG_ALARM.datapointsToAlarm,
        threshold: FLAG_ALARM.threshold,
        comparisonOperator: FLAG_ALARM.comparisonOperator,
        treatMissingData: FLAG_ALARM.treatMissingData,
      },
    });
  }
  const healthCheckId = route53.createHealthCheck(flagHealthCheckReference(stage, service.name), {
    Type: 'CLOUDWATCH_METRIC',
    AlarmIdentifier: { Region: config.controlRegion as CloudWatchRegion, Name: alarmName },
    InsufficientDataHealthStatus: FLAG_ALARM.insufficientDataHealthStatus,
  });
  putIfAbsent(route53, dns.hostedZoneId, {
    ...recordFor(service, service.primary),
    SetIdentifier: failoverSetIdentifier(service.name, 'primary'),
    Failover: 'PRIMARY',
    HealthCheckId: healthCheckId,
  });
  putIfAbsent(route53, dns.hostedZoneId, {
    ...recordFor(service, service.secondary),
    SetIdentifier: failoverSetIdentifier(service.name, 'secondary'),
    Failover: 'SECONDARY',
  });
}

function seedSite(targets: SeedTargets, service: ServiceConfig, role: SiteRole): void {
  const { ec2, cloudWatch } = targets;
  const site = service[role];
  const state = role === 'secondary' ? 'stopped' : 'running';
  const firstIpv4 = Array.isArray(site.target) ? site.target.find((address) => isIP(address) === 4) : undefined;
  const instance = (region: string, instanceId: unknown) => {
    if (isLiteral(instanceId) && !ec2.instances(region).some((existing) => existing.instanceId === instanceId)) {
      ec2.addInstance({ region, instanceId, state, tags: { Name: `${service.name}-${role}` } });
    }
  };
  const steps = [...site.prepare, ...site.cleanup];
  /** Where the instance a step names will be: a literal instance's zone, or the zone its launch step's subnet gives it. */
  const zoneForInstance = (region: string, instanceId: unknown): string | undefined => {
    if (isLiteral(instanceId)) return ec2.instance(instanceId)?.availabilityZone;
    const ref = typeof instanceId === 'string' ? /^\$\{steps\.([^.}]+)\.instanceIds?\}$/.exec(instanceId) : null;
    const launch = ref && steps.find((candidate) => candidate.id === ref[1] && candidate.action === 'ec2.launchFromAmi');
    if (!launch) return undefined;
    const subnetId = launch.params.subnetId;
    return isLiteral(subnetId) ? ec2.addSubnet({ region, subnetId }) : `${region}a`;
  };
  for (const step of steps) {
    const params = step.params;
    const region = typeof params.region === 'string' ? params.region : site.region;
    switch (step.action) {
      case 'ec2.start':
      case 'ec2.stop':
        for (const id of (params.instanceIds as unknown[]) ?? []) instance(region, id);
        break;
      case 'ec2.attachVolume': {
        instance(region, params.instanceId);
        const availabilityZone = zoneForInstance(region, params.instanceId);
        if (isLiteral(params.volumeId)) ec2.addVolume({ region, volumeId: params.volumeId, ...(availabilityZone && { availabilityZone }) });
        break;
      }
      case 'ec2.associateAddress':
        instance(region, params.instanceId);
        if (isLiteral(params.allocationId)) {
          const taken = ec2.addresses().some((address) => address.publicIp === firstIpv4);
          ec2.addAddress({ region, allocationId: params.allocationId, ...(firstIpv4 && !taken && { publicIp: firstIpv4 }) });
        }
        break;
      case 'ec2.launchFromAmi':
        if (isLiteral(params.imageId)) ec2.addImage(region, params.imageId);
        if (isLiteral(params.subnetId)) ec2.addSubnet({ region, subnetId: params.subnetId });
        break;
      default:
        break;
    }
  }
  for (const alarm of site.alarms) {
    if (!cloudWatch.alarm(alarm.name, alarm.region)) cloudWatch.putAlarm({ name: alarm.name, region: alarm.region, state: 'OK' });
  }
}

const GLOBAL_CLUSTER_ACTIONS: ReadonlySet<string> = new Set(['rds.failoverGlobalCluster', 'rds.switchoverGlobalCluster']);

/** The Aurora global databases the steps of a service name: writer on the primary side, secondary on the other. */
function seedGlobalClusters(rds: RdsWorld, service: ServiceConfig): void {
  const byId = new Map<string, { writer?: string; secondaries: Set<string>; account?: string }>();
  for (const role of ['primary', 'secondary'] as const) {
    for (const step of [...service[role].prepare, ...service[role].cleanup]) {
      if (!GLOBAL_CLUSTER_ACTIONS.has(step.action)) continue;
      const id = step.params.globalClusterIdentifier;
      const target = step.params.targetDbClusterArn;
      if (!isLiteral(id) || !isLiteral(target)) continue;
      const entry = byId.get(id) ?? { secondaries: new Set<string>() };
      entry.account ??= /^arn:aws[a-z-]*:rds:[a-z0-9-]+:(\d{12}):/.exec(target)?.[1];
      // A step in the primary's list moves the writer back to the primary: that cluster is the writer now.
      if (role === 'primary') entry.writer ??= target;
      else entry.secondaries.add(target);
      byId.set(id, entry);
    }
  }
  for (const [id, entry] of byId) {
    if (rds.globalCluster(id)) continue;
    const writer = entry.writer ?? `arn:aws:rds:${service.primary.region}:${entry.account ?? '123456789012'}:cluster:${id}-primary`;
    rds.addGlobalCluster({
      globalClusterIdentifier: id,
      writerArn: writer,
      secondaryArns: [...entry.secondaries].filter((arn) => arn !== writer),
    });
  }
}

/** The read replicas `rds.promoteReadReplica` steps name, each replicating from `<id>-source` in the primary's region. */
function seedReadReplicas(rds: RdsWorld, service: ServiceConfig): void {
  for (const role of ['primary', 'secondary'] as const) {
    for (const step of [...service[role].prepare, ...service[role].cleanup]) {
      if (step.action !== 'rds.promoteReadReplica' || !isLiteral(step.params.dbInstanceIdentifier)) continue;
      const region = typeof step.params.region === 'string' ? step.params.region : service[role].region;
      const source = `${step.params.dbInstanceIdentifier}-source`;
      rds.addDbInstance({ region: service.primary.region, dbInstanceIdentifier: source });
      rds.addDbInstance({
        region,
        dbInstanceIdentifier: step.params.dbInstanceIdentifier,
        replicaOf: `arn:aws:rds:${service.primary.region}:123456789012:db:${source}`,
      });
    }
  }
}

/** Auto Scaling groups and ECS services the steps name, at zero (pilot light). */
function seedFleets(targets: SeedTargets, service: ServiceConfig): void {
  for (const role of ['primary', 'secondary'] as const) {
    for (const step of [...service[role].prepare, ...service[role].cleanup]) {
      const params = step.params;
      const region = typeof params.region === 'string' ? params.region : service[role].region;
      if (step.action === 'autoscaling.setCapacity' && isLiteral(params.autoScalingGroupName)) {
        const largest = [...service.primary.prepare, ...service.primary.cleanup, ...service.secondary.prepare, ...service.secondary.cleanup]
          .filter(
            (other) => other.action === 'autoscaling.setCapacity' && other.params.autoScalingGroupName === params.autoScalingGroupName,
          )
          .reduce((max, other) => Math.max(max, typeof other.params.maxSize === 'number' ? other.params.maxSize : 0), 0);
        targets.autoScaling?.addGroup({ region, name: params.autoScalingGroupName, minSize: 0, desiredCapacity: 0, maxSize: largest });
      }
      if (step.action === 'ecs.setDesiredCount' && isLiteral(params.cluster) && isLiteral(params.service))
        targets.ecs?.addService({ region, cluster: params.cluster, name: params.service, desiredCount: 0 });
    }
  }
}

/** Create everything the config refers to that does not exist yet, as stage `stage` (default `sim`) would. */
export function seedWorld(targets: SeedTargets, config: SwitchbackConfig, stage = SIM_STAGE): void {
  for (const service of config.services) {
    seedDns(targets, config, service, stage);
    // The standby first: an instance named on both sides keeps the standby's state (stopped).
    seedSite(targets, service, 'secondary');
    seedSite(targets, service, 'primary');
    if (targets.rds) seedGlobalClusters(targets.rds, service);
    if (targets.rds) seedReadReplicas(targets.rds, service);
    seedFleets(targets, service);
  }
  if (config.notify.topicArn) targets.sns.createTopic(config.notify.topicArn);
}
