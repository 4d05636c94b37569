/**
 * Build the evidence one decision is made on: this location's fresh view of both sites plus what the
 * other probe locations last wrote to the table. A location votes only while its heartbeat is fresh,
 * so a partitioned or dead probe region cannot keep an old "down" (or "up") alive.
 */
import type { Evidence, LocationObservation, ServiceState, SiteHealth } from '../domain/types';
import type { AppDeps } from './deps';

/** A location whose last heartbeat is older than this does not vote (probe runs once a minute). */
export const LOCATION_FRESH_MS = 150_000;

export interface SiteViews {
  primary: SiteHealth;
  secondary: SiteHealth;
  /** When this location last wrote the observation. */
  observedAtEpochMs: number;
}

export function assembleEvidence(args: {
  location: string;
  own: SiteViews | undefined;
  others: LocationObservation[];
  heartbeats: Record<string, number>;
  state: ServiceState | undefined;
  nowEpochMs: number;
}): Evidence {
  const locations: LocationObservation[] = [];
  if (args.own) {
    locations.push({
      location: args.location,
      fresh: true,
      observedAtEpochMs: args.own.observedAtEpochMs,
      primary: args.own.primary,
      secondary: args.own.secondary,
    });
  }
  for (const observation of args.others) {
    if (observation.location === args.location) continue;
    const heartbeat = args.heartbeats[observation.location];
    const fresh = heartbeat !== undefined && args.nowEpochMs - heartbeat <= LOCATION_FRESH_MS;
    locations.push({ ...observation, fresh });
  }
  const alarm = args.state?.alarm;
  return {
    locations,
    alarmFiring: alarm?.state === 'ALARM',
    ...(alarm?.state === 'ALARM' ? { alarmName: alarm.name } : {}),
  };
}

/** Not a probe location: every stored observation counts as another location's. */
const OTHER_PROCESS = '(none)';

/** What every location last wrote, read once and used for as many services as a decision needs. */
export interface StoredEvidence {
  evidenceFor(service: string, state: ServiceState): Evidence;
}

/**
 * Evidence for decisions made outside a probe round (alarm, drill): every location's last
 * observation from the table, each voting while its heartbeat is fresh.
 */
export async function loadStoredEvidence(deps: Pick<AppDeps, 'store' | 'clock'>): Promise<StoredEvidence> {
  const [observations, heartbeats] = await Promise.all([deps.store.listObservations(), deps.store.listLocationHeartbeats()]);
  return {
    evidenceFor: (service, state) =>
      assembleEvidence({
        location: OTHER_PROCESS,
        own: undefined,
        others: observations.get(service) ?? [],
        heartbeats,
        state,
        nowEpochMs: deps.clock.now(),
      }),
  };
}
