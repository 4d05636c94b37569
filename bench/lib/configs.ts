/**
 * Configurations for the benchmarks: parsed by the real schema (defaults resolved as for users),
 * then each probe pointed at a loopback port the way the simulator does (host and port replaced).
 */
import type { ServiceConfig, SwitchbackConfig } from '../../shared/config/types';
import { parseConfig } from '../../shared/config/load';

export const STANDBY_INSTANCE = 'i-0abc1234def567890';

export interface BenchConfigOptions {
  services: number;
  probe?: { intervalSeconds?: number; timeoutMs?: number; failureThreshold?: number; recoveryThreshold?: number };
  /** Standby preparation for every service (default: none, the runbook is the DNS switch). */
  prepare?: Array<Record<string, unknown>>;
  failback?: Record<string, unknown>;
}

export function serviceName(index: number): string {
  return `svc-${String(index).padStart(4, '0')}`;
}

export function buildConfig(options: BenchConfigOptions): SwitchbackConfig {
  const services = Array.from({ length: options.services }, (_, index) => {
    const name = serviceName(index);
    return {
      name,
      dns: { hostedZoneId: 'Z0123456789ABC', recordName: `${name}.example.com`, type: 'A', ttl: 30, strategy: 'record-swap' },
      primary: {
        region: 'us-east-1',
        target: [`203.0.113.${index % 250}`],
        probe: { type: 'http', url: `http://203.0.113.${index % 250}/${name}/health`, expectStatus: 200 },
      },
      secondary: {
        region: 'us-west-2',
        target: [`198.51.100.${index % 250}`],
        probe: { type: 'http', url: `http://198.51.100.${index % 250}/${name}/health`, expectStatus: 200 },
        ...(options.prepare ? { prepare: options.prepare } : {}),
      },
    };
  });
  return parseConfig(
    {
      controlRegion: 'us-west-2',
      notify: { sms: ['+15555550100'] },
      defaults: {
        ...(options.probe ? { probe: options.probe } : {}),
        ...(options.failback ? { failback: options.failback } : {}),
      },
      services,
    },
    'bench (inline config)',
  );
}

/** Point every probe at 127.0.0.1: `portFor(service, role)` chooses the port, the path is kept. */
export function pointAtLoopback(
  config: SwitchbackConfig,
  portFor: (service: ServiceConfig, index: number, role: 'primary' | 'secondary') => number,
): SwitchbackConfig {
  return {
    ...config,
    services: config.services.map((service, index) => {
      const rewrite = (role: 'primary' | 'secondary') => {
        const spec = service[role].probe;
        if (spec.type === 'tcp') return { ...spec, host: '127.0.0.1', port: portFor(service, index, role) };
        const url = new URL(spec.url);
        return {
          ...spec,
          type: 'http' as const,
          url: `http://127.0.0.1:${portFor(service, index, role)}${url.pathname}`,
          sni: undefined,
          tlsInsecure: false,
        };
      };
      return {
        ...service,
        primary: { ...service.primary, probe: rewrite('primary') },
        secondary: { ...service.secondary, probe: rewrite('secondary') },
      };
    }),
  };
}
