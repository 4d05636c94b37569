/**
 * Pure helpers for DNS records (no AWS SDK): the step actions and the drill compare records with
 * these, and load without the Route 53 client (it stays out of the probe and alarm bundles).
 */
import type { AliasTarget, DnsRecord, DnsRecordType, RecordTarget } from './route53';

/** How often a DNS step polls GetChange (the SDK waiter's 30 s is far too slow for a failover). */
export const DEFAULT_CHANGE_POLL_MS = 2000;

/** The config's `dns.type` → the record type Route 53 stores (`alias` records here are A aliases). */
export function toRecordType(configType: DnsRecordType | 'alias'): DnsRecordType {
  return configType === 'alias' ? 'A' : configType;
}

/** Lowercase, decode Route 53's `\ddd` octal escapes (`\052` is `*`), drop the trailing dot. */
export function normalizeDnsName(name: string): string {
  return name
    .trim()
    .replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))
    .replace(/\.$/, '')
    .toLowerCase();
}

export function normalizeHostedZoneId(id: string): string {
  return id.replace(/^\/hostedzone\//, '');
}

export function isAliasTarget(target: RecordTarget): target is { alias: AliasTarget } {
  return typeof target === 'object' && !Array.isArray(target) && target !== null && 'alias' in target;
}

function normalizeValue(value: string): string {
  return value.trim().replace(/\.$/, '').toLowerCase();
}

/** Does the record (as read) already point at `target`? Values compare as sets, names without case or trailing dot. */
export function recordMatches(record: DnsRecord | undefined, target: RecordTarget): boolean {
  if (!record) return false;
  if (isAliasTarget(target)) {
    if (!record.alias) return false;
    return (
      normalizeDnsName(record.alias.dnsName) === normalizeDnsName(target.alias.dnsName) &&
      normalizeHostedZoneId(record.alias.hostedZoneId) === normalizeHostedZoneId(target.alias.hostedZoneId) &&
      record.alias.evaluateTargetHealth === target.alias.evaluateTargetHealth
    );
  }
  if (record.alias || !record.values) return false;
  const wanted = new Set((typeof target === 'string' ? [target] : target).map(normalizeValue));
  const actual = new Set(record.values.map(normalizeValue));
  return wanted.size === actual.size && [...wanted].every((value) => actual.has(value));
}
