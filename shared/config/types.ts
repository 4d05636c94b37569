/** The resolved configuration: defaults merged into each service, probe specs complete. */
import type { DNS_STRATEGIES, DNS_TYPES, FAILBACK_MODES, FAILBACK_QUORUMS, SiteTarget, StepConfig, TRIGGER_POLICIES } from './schema';

export type TriggerPolicy = (typeof TRIGGER_POLICIES)[number];
export type FailbackMode = (typeof FAILBACK_MODES)[number];
export type FailbackQuorum = (typeof FAILBACK_QUORUMS)[number];
export type DnsType = (typeof DNS_TYPES)[number];
export type DnsStrategy = (typeof DNS_STRATEGIES)[number];
export type { SiteTarget, StepConfig };

export type HttpProbeSpec = {
  type: 'http' | 'https';
  url: string;
  expectStatus: number[];
  bodyContains?: string;
  hostHeader?: string;
  sni?: string;
  followRedirects: boolean;
  tlsInsecure: boolean;
  caPem?: string;
  timeoutMs: number;
};
export type TcpProbeSpec = { type: 'tcp'; host: string; port: number; timeoutMs: number };
export type ProbeSpec = HttpProbeSpec | TcpProbeSpec;

export interface LambdaHook {
  functionName: string;
  payload?: Record<string, unknown>;
  region?: string;
}

export interface ServicePolicy {
  probe: { intervalSeconds: number; timeoutMs: number; failureThreshold: number; recoveryThreshold: number };
  trigger: TriggerPolicy;
  /**
   * `approvalReason`: why an automatic failback waits for `approve` although the mode is auto (the
   * failover runs a one-way step and no failback step re-establishes what it undid).
   */
  failback: { mode: FailbackMode; holdDownSeconds: number; check?: LambdaHook; reestablishReplication?: string; approvalReason?: string };
  guard: { cooldownSeconds: number; maxFailoversPer24h: number; maxDataAgeSeconds?: number };
  /**
   * `quorum` of `locationCount` probe locations must agree before the primary counts as down or recovered;
   * `failbackQuorum` says whether any failing location (`any`) or only a quorum (`majority`) holds a failback.
   */
  detect: { quorum: number; locationCount: number; maxAlarmAgeSeconds: number; failbackQuorum: FailbackQuorum };
}

/**
 * A CloudWatch alarm, identified by account, region and name. `account` is absent for alarms
 * named without an ARN: they are in the account switchback is deployed to.
 */
export interface AlarmRef {
  name: string;
  region: string;
  account?: string;
}

export interface SiteConfig {
  region: string;
  target: SiteTarget;
  probe: ProbeSpec;
  alarms: AlarmRef[];
  prepare: StepConfig[];
  cleanup: StepConfig[];
}

export interface DnsConfig {
  hostedZoneId: string;
  recordName: string;
  type: DnsType;
  ttl: number;
  setIdentifier?: string;
  strategy: DnsStrategy;
  inSyncTimeoutSeconds: number;
  /** Probe the target site right before the DNS switch; a dead target fails the run (DNS unchanged). */
  requireHealthyTarget: boolean;
}

export interface ServiceConfig {
  name: string;
  dns: DnsConfig;
  /** A run not ended this long after it started fails (people are texted): no service stays FAILING_* forever. */
  runTimeoutSeconds: number;
  primary: SiteConfig;
  secondary: SiteConfig;
  policy: ServicePolicy;
}

export interface SwitchbackConfig {
  controlRegion: string;
  probeLocations: string[];
  notify: { sms: string[]; topicArn?: string };
  services: ServiceConfig[];
}

export type SiteRole = 'primary' | 'secondary';
