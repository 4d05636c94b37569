import { ConfigError } from '../shared/errors';
import { configHash } from '../shared/config/compiled';
import { loadConfigFile } from '../shared/config/load';
import { alarmForwarders } from '../shared/config/alarm-routing';
import type { ServiceConfig, SwitchbackConfig } from '../shared/config/types';
import { EXIT, type CliIo } from './io';

/** One line per service: what is watched, how DNS moves, and the policy in force. */
export function summarizeService(service: ServiceConfig): string {
  const { probe, trigger, failback, guard, detect } = service.policy;
  const prepare = service.secondary.prepare.map((step) => step.action).join(', ') || 'no prepare steps';
  return (
    `${service.name}: ${service.dns.recordName} ${service.dns.type} via ${service.dns.strategy}; ` +
    `${service.primary.region} → ${service.secondary.region}; ` +
    `down after ${probe.failureThreshold}×${probe.intervalSeconds}s (${trigger}, quorum ${detect.quorum}/${detect.locationCount}); ` +
    `failback ${failback.mode}${failback.mode === 'auto' ? ` after ${failback.holdDownSeconds}s` : ''}; ` +
    `cap ${guard.maxFailoversPer24h}/24h; prepare: ${prepare}`
  );
}

/** The regions whose configured alarms reach the controller only through a forwarder, and how to deploy each. */
export function describeAlarmForwarders(config: SwitchbackConfig): string[] {
  const forwarders = alarmForwarders(config);
  if (forwarders.length === 0) return ['alarm forwarders: none needed (no configured alarm outside the control region)'];
  return [
    `alarm forwarders needed in ${forwarders.map((forwarder) => forwarder.region).join(', ')} (alarm events stay in their own region):`,
    ...forwarders.map((forwarder) =>
      config.probeLocations.includes(forwarder.region)
        ? `  ${forwarder.region}: included in its probe location: sls deploy --stage <stage> --region ${forwarder.region} --param role=probe-only`
        : `  ${forwarder.region}: sls deploy --stage <stage> --region ${forwarder.region} --param role=alarm-forwarder`,
    ),
  ];
}

export function loadForCli(file: string, io: CliIo): SwitchbackConfig | number {
  try {
    return loadConfigFile(file);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${file}: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}\n`);
      for (const problem of error.problems) io.stderr.write(`  ${problem}\n`);
      return EXIT.invalid;
    }
    throw error;
  }
}

export function runValidate(file: string, io: CliIo): number {
  const config = loadForCli(file, io);
  if (typeof config === 'number') return config;
  io.stdout.write(
    `OK ${file}: ${config.services.length} service${config.services.length === 1 ? '' : 's'}, control region ${config.controlRegion}\n`,
  );
  for (const service of config.services) io.stdout.write(`  ${summarizeService(service)}\n`);
  for (const line of describeAlarmForwarders(config)) io.stdout.write(`${line}\n`);
  io.stdout.write(`compiled config ${configHash(config)} (sls package prints it too; every function logs it at cold start)\n`);
  return EXIT.ok;
}
