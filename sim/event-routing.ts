/**
 * The EventBridge rules `sls deploy` creates for alarms, put into the embedded world from the same
 * generators (serverless/deployment.ts), so the simulator routes an alarm exactly as the deployment
 * would:
 * - in the control region, the `alarm` function's rules (alarmEventPatterns: the configured alarm
 *   ARNs), each targeting the function;
 * - in every other region that holds a configured alarm (alarmForwarders), the forwarder stack's rule
 *   (forwarderResources: same ARNs, target the control region's default bus) and its role, allowed
 *   only events:PutEvents on that bus. A region left out (`missingForwarderRegions`) plays an account
 *   where that stack was never deployed: its alarms reach no rule and are lost.
 */
import { alarmForwarders } from '../shared/config/alarm-routing';
import type { SwitchbackConfig } from '../shared/config/types';
import { SwitchbackError } from '../shared/errors';
import { alarmEventPatterns, forwarderResources, type DeploymentContext } from '../serverless/deployment';
import { DEPLOY_ROLES, functionName, tableName } from '../serverless/naming';
import { resolveCfnString } from './iam-roles';
import type { BusDelivery, PolicyDocument, World } from './world';

export interface AlarmRoutingOptions {
  stage: string;
  accountId: string;
  /** Regions whose forwarder stack is not deployed (each must be one that needs a forwarder). */
  missingForwarderRegions?: string[];
}

export interface DeployedAlarmRouting {
  /** `<region>/<rule name>` of every rule created. */
  rules: string[];
  forwarderRegions: string[];
  missingForwarderRegions: string[];
}

/**
 * The Serverless Framework names the rule of a function's n-th `eventBridge` event
 * `<function name>-rule-<n>` (1-based).
 */
export function alarmRuleName(stage: string, index: number): string {
  return `${functionName(stage, 'alarm')}-rule-${index + 1}`;
}

/** The role CloudFormation creates for a forwarder (its physical name is generated; this one is readable). */
export function forwarderRoleArn(accountId: string, stage: string, region: string): string {
  return `arn:aws:iam::${accountId}:role/switchback-${stage}-alarm-forwarder-${region}`;
}

/** Fn::Sub / Fn::GetAtt inside a generated value, resolved as CloudFormation would in the world's account. */
function resolveDeep(value: unknown, variables: Record<string, string>, attributes: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveDeep(item, variables, attributes));
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record['Fn::Sub'] === 'string') return resolveCfnString({ 'Fn::Sub': record['Fn::Sub'] }, variables);
    if (Array.isArray(record['Fn::GetAtt'])) {
      const key = (record['Fn::GetAtt'] as string[]).join('.');
      const resolved = attributes[key];
      if (resolved === undefined) throw new SwitchbackError(`event-routing: no value for Fn::GetAtt ${key}`);
      return resolved;
    }
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, resolveDeep(item, variables, attributes)]));
  }
  return value;
}

export function deployAlarmRouting(config: SwitchbackConfig, world: World, options: AlarmRoutingOptions): DeployedAlarmRouting {
  const needed = alarmForwarders(config).map((forwarder) => forwarder.region);
  const missing = options.missingForwarderRegions ?? [];
  for (const region of missing)
    if (!needed.includes(region))
      throw new SwitchbackError(`${region} needs no alarm forwarder (regions that do: ${needed.join(', ') || 'none'})`);
  const rules: string[] = [];
  const variablesFor = (region: string) => ({ 'AWS::Partition': 'aws', 'AWS::AccountId': options.accountId, 'AWS::Region': region });

  // The controller's stack: the alarm function's eventBridge events.
  const alarmFunctionArn = `arn:aws:lambda:${config.controlRegion}:${options.accountId}:function:${functionName(options.stage, 'alarm')}`;
  alarmEventPatterns(config).forEach((pattern, index) => {
    const name = alarmRuleName(options.stage, index);
    const resolved = resolveDeep(pattern, variablesFor(config.controlRegion), {});
    world.eventBridge.putRule(config.controlRegion, { Name: name, EventPattern: JSON.stringify(resolved), State: 'ENABLED' });
    world.eventBridge.putTargets(config.controlRegion, { Rule: name, Targets: [{ Id: 'alarm', Arn: alarmFunctionArn }] });
    rules.push(`${config.controlRegion}/${name}`);
  });

  // One forwarder stack per region that needs one (role alarm-forwarder, or inside probe-only).
  for (const region of needed.filter((candidate) => !missing.includes(candidate))) {
    const context: DeploymentContext = {
      stage: options.stage,
      role: config.probeLocations.includes(region) ? DEPLOY_ROLES.probeOnly : DEPLOY_ROLES.alarmForwarder,
      region,
      tableName: tableName(options.stage),
      tableDeletionPolicy: 'Delete',
      drillSchedule: 'rate(1 day)',
    };
    const roleArn = forwarderRoleArn(options.accountId, options.stage, region);
    const resources = resolveDeep(forwarderResources(config, context).Resources, variablesFor(region), {
      'AlarmForwarderRole.Arn': roleArn,
    }) as Record<string, { Type: string; Properties: Record<string, unknown> }>;
    const role = resources.AlarmForwarderRole.Properties as { Policies: Array<{ PolicyName: string; PolicyDocument: PolicyDocument }> };
    for (const policy of role.Policies) world.iam.putRolePolicy(roleArn, policy.PolicyName, policy.PolicyDocument);
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::Events::Rule') continue;
      const rule = resource.Properties as {
        Name: string;
        Description?: string;
        State: string;
        EventPattern: unknown;
        Targets: Array<{ Id: string; Arn: string; RoleArn?: string }>;
      };
      world.eventBridge.putRule(region, {
        Name: rule.Name,
        EventPattern: JSON.stringify(rule.EventPattern),
        State: rule.State,
        ...(rule.Description ? { Description: rule.Description } : {}),
      });
      world.eventBridge.putTargets(region, { Rule: rule.Name, Targets: rule.Targets });
      rules.push(`${region}/${rule.Name}`);
    }
  }
  return { rules, forwarderRegions: needed.filter((region) => !missing.includes(region)), missingForwarderRegions: [...missing] };
}

/**
 * What became of one alarm event, in words: the buses and rules it went through, and whether it
 * reached a function. When it reached none, `reason` says where it stopped.
 */
export function describeAlarmRoute(deliveries: BusDelivery[], accountId: string): { delivered: boolean; route: string; reason?: string } {
  const hops: string[] = [];
  let reason: string | undefined;
  let delivered = false;
  for (const delivery of deliveries) {
    const bus = `default bus of ${delivery.region}${delivery.account === accountId ? '' : ` in account ${delivery.account}`}`;
    hops.push(bus);
    if (delivery.matchedRules.length === 0) {
      reason ??= `no rule on the ${bus} matches it`;
      continue;
    }
    for (const target of delivery.targets) {
      if (target.outcome === 'invoked') {
        delivered = true;
        hops.push(`rule ${target.rule} → ${target.arn.replace(/^.*:function:/, 'function ')}`);
      } else if (target.outcome === 'forwarded') hops.push(`rule ${target.rule}`);
      else reason ??= `rule ${target.rule} could not deliver to ${target.arn}: ${target.error ?? 'failed'}`;
    }
  }
  return { delivered, route: hops.join(' → '), ...(delivered ? {} : { reason: reason ?? 'no target received it' }) };
}
