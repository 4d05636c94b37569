/**
 * One `switchback.yml` for tests instead of a copied literal in each file: the `web` service every
 * test starts from (record app.example.com A, primary us-east-1 203.0.113.10, secondary us-west-2
 * 198.51.100.20, one on-call number), varied by overrides. `rawConfig` gives the document before
 * validation (for scenarios and for tests that break it on purpose); `buildConfig` validates it with
 * the real loader, so a builder config is always one `switchback validate` would accept.
 */
import { parseConfig } from '../../shared/config/load';
import type { SwitchbackConfig } from '../../shared/config/types';

export const PHONE = '+15555550100';
export const PRIMARY_URL = 'http://203.0.113.10/health';
export const SECONDARY_URL = 'http://198.51.100.20/health';

type Fields = Record<string, unknown>;

/** A site of the raw document; `prepare`/`cleanup` are lists of steps as written in YAML. */
export interface SiteOverrides extends Fields {
  region?: string;
  target?: unknown;
  probe?: Fields;
  prepare?: Fields[];
  cleanup?: Fields[];
}

/** A service of the raw document: `dns`, `primary` and `secondary` are merged field by field onto the defaults. */
export interface ServiceOverrides extends Fields {
  name?: string;
  dns?: Fields;
  primary?: SiteOverrides;
  secondary?: SiteOverrides;
}

/** The document: `services` replaces the one default service; `sms` the on-call numbers; anything else is added as is. */
export interface ConfigOverrides extends Fields {
  sms?: string[];
  services?: ServiceOverrides[];
}

/** The `web` service with overrides (dns, primary and secondary merged field by field). */
export function rawService(overrides: ServiceOverrides = {}): Fields {
  const { dns, primary, secondary, ...rest } = overrides;
  return {
    name: 'web',
    dns: { hostedZoneId: 'Z0123456789ABC', recordName: 'app.example.com', type: 'A', ttl: 30, ...dns },
    primary: { region: 'us-east-1', target: ['203.0.113.10'], probe: { type: 'http', url: PRIMARY_URL }, ...primary },
    secondary: { region: 'us-west-2', target: ['198.51.100.20'], probe: { type: 'http', url: SECONDARY_URL }, ...secondary },
    ...rest,
  };
}

/** The raw document (before validation): control region us-west-2, one number, the `web` service unless `services` is given. */
export function rawConfig(overrides: ConfigOverrides = {}): Fields {
  const { sms, services, ...rest } = overrides;
  return {
    controlRegion: 'us-west-2',
    notify: { sms: sms ?? [PHONE] },
    services: (services ?? [{}]).map(rawService),
    ...rest,
  };
}

/** The resolved configuration, validated by the real loader. */
export function buildConfig(overrides: ConfigOverrides = {}): SwitchbackConfig {
  return parseConfig(rawConfig(overrides));
}
