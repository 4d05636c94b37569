/**
 * Name the problem before acting (orchestrator's `analysis.go`): turn what the probe locations saw
 * into one Diagnosis with a sentence. Only fresh locations vote; `quorum` of them must agree.
 *
 *   NoEvidence        no fresh location, or too few that have seen the primary at all
 *   ControlCutOff     every fresh location sees the primary down (≥ failureThreshold) AND the secondary down,
 *                     both gone dark together (within one probe interval of each other: a secondary that
 *                     died earlier or later is a second outage, not a cut-off controller)
 *   PrimaryDown       ≥ quorum fresh locations see the primary down with consecutive ≥ failureThreshold
 *   PrimaryDegraded   some fresh location sees the primary down, but not a quorum at the threshold
 *   PrimaryRecovered  ≥ quorum fresh locations see the primary up with consecutive ≥ recoveryThreshold, none down
 *                     (with `detect.failbackQuorum: majority`, fewer than quorum failing are outvoted and named)
 *   PrimaryHealthy    ≥ quorum fresh locations see the primary up (not yet recoveryThreshold), none down
 *
 * The secondary is healthy when ≥ quorum fresh locations saw its last probe succeed.
 *
 * A location that sees both sites go dark together while another fresh location still sees one of
 * them is most likely the one that lost its network: it is "blind" and does not vote (neither "down"
 * nor "failing"), so two partitioned locations of three cannot block a failover they have no evidence
 * for, nor hold a failback. When every fresh location is blind, the controller itself may be cut off.
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
  /** The primary fails at enough voting locations to hold a failback: any one (`failbackQuorum: any`) or a quorum. */
  holdsFailback: boolean;
  /** Fresh locations that see both sites dark together while another fresh location does not: not counted. */
  blindLocations: string[];
  /** Fresh voting locations whose latest probe of the primary failed: where, since when, why. */
  primaryFailingAt: Array<{ location: string; sinceEpochMs: number; cause?: string }>;
  /** Since when at least `quorum` voting locations have seen the primary up (absent: not a quorum now). */
  primaryUpAtQuorumSinceEpochMs?: number;
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
  const intervalMs = policy.probe.intervalSeconds * 1000;
  const fresh = evidence.locations.filter((location) => location.fresh);
  const darkTogether = (l: LocationObservation) =>
    l.primary.status === 'down' &&
    l.primary.consecutive >= 1 &&
    l.secondary.status === 'down' &&
    l.secondary.consecutive >= 1 &&
    Math.abs(l.secondary.sinceEpochMs - l.primary.sinceEpochMs) <= intervalMs;
  const dark = fresh.filter(darkTogether);
  // Blind locations are left out only while someone else still sees: all dark is the cut-off case below.
  const blind = dark.length < fresh.length ? dark : [];
  const voters = fresh.filter((location) => !blind.includes(location));
  const count = (test: (location: LocationObservation) => boolean) => voters.filter(test).length;

  const primaryDownVotes = count((l) => l.primary.status === 'down' && l.primary.consecutive >= failureThreshold);
  const failing = voters.filter((l) => l.primary.status === 'down' && l.primary.consecutive >= 1);
  const primaryFailingVotes = failing.length;
  const primaryUpVotes = count((l) => l.primary.status === 'up' && l.primary.consecutive >= recoveryThreshold);
  const upSince = voters
    .filter((l) => l.primary.status === 'up' && l.primary.consecutive >= 1)
    .map((l) => l.primary.sinceEpochMs)
    .sort((x, y) => x - y);
  const primaryUpAny = upSince.length;
  const secondaryUp = count((l) => l.secondary.status === 'up' && l.secondary.consecutive >= 1);
  const secondaryDown = count((l) => l.secondary.status === 'down' && l.secondary.consecutive >= 1);
  const secondaryHealthy = secondaryUp >= quorum;
  const blindNote = blind.length === 1 ? '1 sees neither site' : `${blind.length} see neither site`;
  const of = (votes: number) => `${votes}/${fresh.length} locations${blind.length > 0 ? ` (${blindNote})` : ''}`;
  const secondary = secondaryHealthy
    ? 'secondary healthy'
    : secondaryDown > 0
      ? `secondary down at ${secondaryDown}/${fresh.length} locations`
      : `secondary not confirmed healthy (${secondaryUp}/${fresh.length} up, quorum ${quorum})`;
  const base = {
    primaryDownVotes,
    primaryUpVotes,
    primaryFailingVotes,
    freshLocations: fresh.length,
    quorum,
    secondaryHealthy,
    secondaryClause: secondary,
    holdsFailback: policy.detect.failbackQuorum === 'majority' ? failing.length >= quorum : failing.length > 0,
    blindLocations: blind.map((l) => l.location),
    primaryFailingAt: failing.map((l) => ({
      location: l.location,
      sinceEpochMs: l.primary.sinceEpochMs,
      ...(l.primary.lastCause ? { cause: l.primary.lastCause } : {}),
    })),
    // The quorum-th longest streak: at least `quorum` locations have seen the primary up since then.
    ...(upSince.length >= quorum ? { primaryUpAtQuorumSinceEpochMs: upSince[quorum - 1] } : {}),
  };
  /** The sentence: what was seen of the primary, then the secondary's clause. */
  const andSecondary = (primaryClause: string) => `${primaryClause}; ${secondary}`;
  /** The weakest streak among the voting locations, capped at the threshold ("3/3 probes"). */
  const streak = (site: 'primary', status: 'up' | 'down', threshold: number, strongest: boolean) => {
    const streaks = voters
      .filter((l) => l[site].status === status && l[site].consecutive >= 1)
      .map((l) => Math.min(l[site].consecutive, threshold));
    return `${strongest ? Math.max(...streaks) : Math.min(...streaks)}/${threshold}`;
  };

  if (fresh.length === 0) {
    const total = evidence.locations.length;
    return { kind: 'NoEvidence', ...base, sentence: `no fresh probe results (0/${total} locations reporting)` };
  }
  if (dark.length === fresh.length && fresh.every((l) => l.primary.consecutive >= failureThreshold)) {
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
  if (primaryFailingVotes > 0 && !base.holdsFailback && primaryUpVotes >= quorum) {
    // failbackQuorum majority: a minority seeing the primary fail is outvoted, and named.
    const where = failing.map((l) => `${l.location}${l.primary.lastCause ? ` (${l.primary.lastCause})` : ''}`).join(', ');
    return {
      kind: 'PrimaryRecovered',
      ...base,
      sentence: andSecondary(`primary up ${recoveryThreshold}/${recoveryThreshold} probes from ${of(primaryUpVotes)}, outvoting ${where}`),
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
      `not enough probe results: primary seen by ${primaryUpAny}/${evidence.locations.length} locations (quorum ${quorum}${
        blind.length > 0 ? `; ${blind.map((l) => l.location).join(', ')} see neither site` : ''
      })`,
    ),
  };
}
