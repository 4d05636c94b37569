/**
 * Name the problem before acting (orchestrator's `analysis.go`): turn what the probe locations saw
 * into one Diagnosis with a sentence. Only fresh locations vote; `quorum` of them must agree.
 *
 *   NoEvidence        no fresh location, or too few that have seen the primary at all
 *   ControlCutOff     every fresh location sees the primary down (≥ failureThreshold) AND the secondary down,
 *                     both gone dark together (a secondary that was down a probe interval or more before the
 *                     primary failed is a real outage with a dead secondary, not a cut-off controller)
 *   PrimaryDown       ≥ quorum fresh locations see the primary down with consecutive ≥ failureThreshold
 *   PrimaryDegraded   some fresh location sees the primary down, but not a quorum at the threshold
 *   PrimaryRecovered  ≥ quorum fresh locations see the primary up with consecutive ≥ recoveryThreshold, none down
 *   PrimaryHealthy    ≥ quorum fresh locations see the primary up (not yet recoveryThreshold), none down
 *
 * The secondary is healthy when ≥ quorum fresh locations saw its last probe succeed.
 */
import type { ServicePolicy } from '../config/types';
import type { Evidence, LocationObservation } from './types';

export const DIAGNOSIS_KINDS = {
  PrimaryHealthy: 'PrimaryHealthy',
  PrimaryDegraded: 'PrimaryDegraded',
  PrimaryDown: 'PrimaryDown',
  PrimaryRecovered: 'PrimaryRecovered',
  ControlCutOff: 'ControlCutOff',
  NoEvidence: 'NoEvidence',
} as const;
export type DiagnosisKind = (typeof DIAGNOSIS_KINDS)[keyof typeof DIAGNOSIS_KINDS];

export interface Diagnosis {
  kind: DiagnosisKind;
  /** Fresh locations that see the primary down with consecutive ≥ failureThreshold. */
  primaryDownVotes: number;
  /** Fresh locations that see the primary up with consecutive ≥ recoveryThreshold. */
  primaryUpVotes: number;
  /** Fresh locations whose latest probe of the primary failed (consecutive ≥ 1): any failure counts. */
  primaryFailingVotes: number;
  freshLocations: number;
  quorum: number;
  secondaryHealthy: boolean;
  /**
   * What the probes say of the secondary ("secondary healthy", "secondary down at 1/2 locations"), as its
   * own part: a reason that speaks of the secondary alone uses it instead of picking the sentence apart.
   */
  secondaryClause: string;
  /**
   * Short and human; logged, texted and shown by `status` as is. The primary's clause, then `; ` and the
   * secondary's clause (ControlCutOff, and NoEvidence with no fresh location, say one thing only).
   */
  sentence: string;
}

/** Freshness is decided by the caller (`LocationObservation.fresh`), so no clock comes in. */
export function diagnose(evidence: Evidence, policy: ServicePolicy): Diagnosis {
  const { failureThreshold, recoveryThreshold } = policy.probe;
  const quorum = policy.detect.quorum;
  const fresh = evidence.locations.filter((location) => location.fresh);
  const count = (test: (location: LocationObservation) => boolean) => fresh.filter(test).length;

  const primaryDownVotes = count((l) => l.primary.status === 'down' && l.primary.consecutive >= failureThreshold);
  const primaryFailingVotes = count((l) => l.primary.status === 'down' && l.primary.consecutive >= 1);
  const primaryUpVotes = count((l) => l.primary.status === 'up' && l.primary.consecutive >= recoveryThreshold);
  const primaryUpAny = count((l) => l.primary.status === 'up' && l.primary.consecutive >= 1);
  const secondaryUp = count((l) => l.secondary.status === 'up' && l.secondary.consecutive >= 1);
  const secondaryDown = count((l) => l.secondary.status === 'down' && l.secondary.consecutive >= 1);
  const secondaryHealthy = secondaryUp >= quorum;
  const of = (votes: number) => `${votes}/${fresh.length} locations`;
  const secondary = secondaryHealthy
    ? 'secondary healthy'
    : secondaryDown > 0
      ? `secondary down at ${of(secondaryDown)}`
      : `secondary not confirmed healthy (${secondaryUp}/${fresh.length} up, quorum ${quorum})`;
  const base = {
    primaryDownVotes,
    primaryUpVotes,
    primaryFailingVotes,
    freshLocations: fresh.length,
    quorum,
    secondaryHealthy,
    secondaryClause: secondary,
  };
  /** The sentence: what was seen of the primary, then the secondary's clause. */
  const andSecondary = (primaryClause: string) => `${primaryClause}; ${secondary}`;
  /** The weakest streak among the voting locations, capped at the threshold ("3/3 probes"). */
  const streak = (site: 'primary', status: 'up' | 'down', threshold: number, strongest: boolean) => {
    const streaks = fresh
      .filter((l) => l[site].status === status && l[site].consecutive >= 1)
      .map((l) => Math.min(l[site].consecutive, threshold));
    return `${strongest ? Math.max(...streaks) : Math.min(...streaks)}/${threshold}`;
  };

  if (fresh.length === 0) {
    const total = evidence.locations.length;
    return { kind: 'NoEvidence', ...base, sentence: `no fresh probe results (0/${total} locations reporting)` };
  }
  const intervalMs = policy.probe.intervalSeconds * 1000;
  const wentDarkTogether = (l: LocationObservation) =>
    l.primary.status === 'down' &&
    l.primary.consecutive >= failureThreshold &&
    l.secondary.status === 'down' &&
    l.secondary.consecutive >= 1 &&
    l.secondary.sinceEpochMs >= l.primary.sinceEpochMs - intervalMs;
  if (fresh.every(wentDarkTogether)) {
    return {
      kind: 'ControlCutOff',
      ...base,
      sentence: 'primary and secondary unreachable from every probe location: the controller may be cut off',
    };
  }
  if (primaryDownVotes >= quorum) {
    return {
      kind: 'PrimaryDown',
      ...base,
      sentence: andSecondary(`primary failed ${streak('primary', 'down', failureThreshold, false)} probes from ${of(primaryDownVotes)}`),
    };
  }
  if (primaryFailingVotes > 0) {
    return {
      kind: 'PrimaryDegraded',
      ...base,
      sentence: andSecondary(
        `primary failed ${streak('primary', 'down', failureThreshold, true)} probes from ${of(primaryFailingVotes)}, below threshold (quorum ${quorum})`,
      ),
    };
  }
  if (primaryUpVotes >= quorum) {
    return {
      kind: 'PrimaryRecovered',
      ...base,
      sentence: andSecondary(`primary up ${recoveryThreshold}/${recoveryThreshold} probes from ${of(primaryUpVotes)}`),
    };
  }
  if (primaryUpAny >= quorum) {
    return {
      kind: 'PrimaryHealthy',
      ...base,
      sentence: andSecondary(`primary up ${streak('primary', 'up', recoveryThreshold, false)} probes from ${of(primaryUpAny)}`),
    };
  }
  return {
    kind: 'NoEvidence',
    ...base,
    sentence: andSecondary(
      `not enough probe results: primary seen by ${primaryUpAny}/${evidence.locations.length} locations (quorum ${quorum})`,
    ),
  };
}
