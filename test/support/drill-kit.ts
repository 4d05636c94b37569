/** Configs for app-level drill tests: one service `web`, primary us-east-1, secondary us-west-2 (the control region). */
import { parseConfig } from '../../shared/config/load';
import type { SwitchbackConfig } from '../../shared/config/types';

/** `web` with the secondary's `prepare` steps; `dns` replaces the record-swap default (e.g. health-check-flag). */
export function webServiceConfig(prepare: unknown[], dns: Record<string, unknown> = {}): SwitchbackConfig {
  return parseConfig({
    controlRegion: 'us-west-2',
    notify: { sms: ['+15555550100'] },
    services: [
      {
        name: 'web',
        dns: { hostedZoneId: 'Z0123456789ABC', recordName: 'app.example.com', type: 'A', ...dns },
        primary: { region: 'us-east-1', target: ['203.0.113.10'], probe: { type: 'http', url: 'http://203.0.113.10/health' } },
        secondary: {
          region: 'us-west-2',
          target: ['198.51.100.20'],
          probe: { type: 'http', url: 'http://198.51.100.20/health' },
          prepare,
        },
      },
    ],
  });
}
