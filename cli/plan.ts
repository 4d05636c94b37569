import { UnknownServiceError } from '../shared/errors';
import { buildPlan } from '../shared/domain/build-plan';
import { formatPlan } from '../shared/domain/plan';
import { EXIT, type CliIo } from './io';
import { describeAlarmForwarders, loadForCli } from './validate';

export function runPlan(file: string, serviceName: string, kind: string, io: CliIo): number {
  if (kind !== 'failover' && kind !== 'failback') {
    io.stderr.write(`plan: kind must be failover or failback, not "${kind}"\n`);
    return EXIT.invalid;
  }
  const config = loadForCli(file, io);
  if (typeof config === 'number') return config;
  const service = config.services.find((candidate) => candidate.name === serviceName);
  if (!service) {
    io.stderr.write(
      `plan: ${
        new UnknownServiceError(
          serviceName,
          config.services.map((s) => s.name),
        ).message
      }\n`,
    );
    return EXIT.invalid;
  }
  io.stdout.write(`${kind} plan for ${service.name} (${service.dns.recordName}):\n`);
  io.stdout.write(`${formatPlan(buildPlan(service, kind))}\n`);
  for (const line of describeAlarmForwarders(config)) io.stdout.write(`${line}\n`);
  return EXIT.ok;
}
