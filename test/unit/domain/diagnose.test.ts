import { diagnose } from '../../../shared/domain/diagnose';
import type { LocationObservation } from '../../../shared/domain/types';
import { evidence, exampleService, location, T0 } from './fixtures';

const one = exampleService().policy; // quorum 1 of 1, thresholds 3 down / 5 up
const three = exampleService({ detect: { quorum: 2, locationCount: 3 } }).policy;

/** The secondary's streak began five minutes before the primary's (two outages, not one dark location). */
function secondaryDiedEarlier(observation: LocationObservation): LocationObservation {
  return { ...observation, secondary: { ...observation.secondary, sinceEpochMs: observation.primary.sinceEpochMs - 5 * 60_000 } };
}

describe('diagnose', () => {
  it.each([
    ['PrimaryDown', one, [location('a', ['down', 3], ['up', 5])], 'primary failed 3/3 probes from 1/1 locations; secondary healthy'],
    ['PrimaryDown', one, [location('a', ['down', 5], ['up', 1])], 'primary failed 3/3 probes from 1/1 locations; secondary healthy'],
    [
      'PrimaryDegraded',
      one,
      [location('a', ['down', 2], ['up', 5])],
      'primary failed 2/3 probes from 1/1 locations, below threshold (quorum 1); secondary healthy',
    ],
    ['PrimaryHealthy', one, [location('a', ['up', 4], ['up', 5])], 'primary up 4/5 probes from 1/1 locations; secondary healthy'],
    ['PrimaryRecovered', one, [location('a', ['up', 5], ['up', 5])], 'primary up 5/5 probes from 1/1 locations; secondary healthy'],
    [
      'ControlCutOff',
      one,
      [location('a', ['down', 3], ['down', 1])],
      'primary and secondary unreachable from every probe location: the controller may be cut off',
    ],
    ['NoEvidence', one, [], 'no fresh probe results (0/0 locations reporting)'],
    ['NoEvidence', one, [location('a', ['down', 3], ['down', 3], false)], 'no fresh probe results (0/1 locations reporting)'],
    [
      'NoEvidence',
      one,
      [location('a', ['unknown', 0], ['unknown', 0])],
      'not enough probe results: primary seen by 0/1 locations (quorum 1); secondary not confirmed healthy (0/1 up, quorum 1)',
    ],
    // Three locations, quorum 2: one cut-off location cannot fail the primary over (nor hold its failback).
    [
      'PrimaryRecovered',
      three,
      [location('a', ['down', 3], ['down', 3]), location('b', ['up', 5], ['up', 5]), location('c', ['up', 5], ['up', 5])],
      'primary up 5/5 probes from 2/3 locations (1 sees neither site); secondary healthy',
    ],
    // Two of three lost their network: not a failover blocked by a dead secondary, just not enough evidence.
    [
      'NoEvidence',
      three,
      [location('a', ['down', 3], ['down', 3]), location('b', ['down', 5], ['down', 5]), location('c', ['up', 5], ['up', 5])],
      'not enough probe results: primary seen by 1/3 locations (quorum 2; a, b see neither site); secondary not confirmed healthy (1/3 up, quorum 2)',
    ],
    [
      'PrimaryDown',
      three,
      [location('a', ['down', 3], ['up', 2]), location('b', ['down', 4], ['up', 5]), location('c', ['up', 5], ['up', 5], false)],
      'primary failed 3/3 probes from 2/2 locations; secondary healthy',
    ],
    [
      'PrimaryDown',
      three,
      [
        secondaryDiedEarlier(location('a', ['down', 3], ['down', 2])),
        location('b', ['down', 3], ['up', 5]),
        secondaryDiedEarlier(location('c', ['down', 3], ['down', 5])),
      ],
      'primary failed 3/3 probes from 3/3 locations; secondary down at 2/3 locations',
    ],
    [
      'ControlCutOff',
      three,
      [location('a', ['down', 3], ['down', 2]), location('b', ['up', 5], ['up', 5], false), location('c', ['up', 5], ['up', 5], false)],
      'primary and secondary unreachable from every probe location: the controller may be cut off',
    ],
    [
      'NoEvidence',
      three,
      [location('a', ['up', 5], ['up', 5]), location('b', ['up', 5], ['up', 5], false), location('c', ['up', 5], ['up', 5], false)],
      'not enough probe results: primary seen by 1/3 locations (quorum 2); secondary not confirmed healthy (1/1 up, quorum 2)',
    ],
    [
      'PrimaryHealthy',
      three,
      [location('a', ['up', 5], ['up', 5]), location('b', ['up', 1], ['up', 5]), location('c', ['up', 4], ['up', 5])],
      'primary up 1/5 probes from 3/3 locations; secondary healthy',
    ],
  ] as const)('%s (case %#)', (kind, policy, locations, sentence) => {
    const diagnosis = diagnose(evidence(...locations), policy);
    expect(diagnosis.kind).toBe(kind);
    expect(diagnosis.sentence).toBe(sentence);
    // The secondary's clause is data of its own; where the sentence speaks of the secondary, it ends with it.
    if (sentence.includes('; ')) expect(sentence.endsWith(`; ${diagnosis.secondaryClause}`)).toBe(true);
  });

  it('a secondary that was down before the primary failed is an outage with a dead secondary, not a cut-off', () => {
    const seen = (secondarySince: number) =>
      evidence({
        location: 'a',
        fresh: true,
        observedAtEpochMs: T0,
        primary: { status: 'down', consecutive: 3, sinceEpochMs: T0 - 20_000 },
        secondary: { status: 'down', consecutive: 9, sinceEpochMs: secondarySince },
      });
    // Together (within one 10 s probe interval): the controller may be cut off.
    expect(diagnose(seen(T0 - 30_000), one).kind).toBe('ControlCutOff');
    expect(diagnose(seen(T0 - 10_000), one).kind).toBe('ControlCutOff');
    // The secondary went dark a minute earlier: a real outage, and failing over is blocked.
    const earlier = diagnose(seen(T0 - 80_000), one);
    expect(earlier.kind).toBe('PrimaryDown');
    expect(earlier.sentence).toBe('primary failed 3/3 probes from 1/1 locations; secondary down at 1/1 locations');
    // The secondary died minutes after the primary (e.g. while serving the failed-over traffic): two outages.
    const later = diagnose(seen(T0 + 120_000), one);
    expect(later.kind).toBe('PrimaryDown');
    expect(later.sentence).toBe('primary failed 3/3 probes from 1/1 locations; secondary down at 1/1 locations');
  });

  it('names blind locations, where the primary fails and since when a quorum sees it up', () => {
    const a = {
      ...location('a', ['down', 3], ['up', 5]),
      primary: { status: 'down' as const, consecutive: 3, sinceEpochMs: T0 - 60_000, lastCause: 'timeout' },
    };
    const b = { ...location('b', ['up', 5], ['up', 5]), primary: { status: 'up' as const, consecutive: 5, sinceEpochMs: T0 - 600_000 } };
    const c = { ...location('c', ['up', 5], ['up', 5]), primary: { status: 'up' as const, consecutive: 5, sinceEpochMs: T0 - 300_000 } };
    const four = exampleService({ detect: { quorum: 2, locationCount: 4 } }).policy;
    const diagnosis = diagnose(evidence(a, b, c, location('d', ['down', 1], ['down', 1])), four);
    expect(diagnosis).toMatchObject({
      kind: 'PrimaryDegraded',
      blindLocations: ['d'],
      primaryFailingAt: [{ location: 'a', sinceEpochMs: T0 - 60_000, cause: 'timeout' }],
      // b since 10 min, c since 5 min: two locations (the quorum) have seen it up for 5 minutes.
      primaryUpAtQuorumSinceEpochMs: T0 - 300_000,
    });
  });

  it('counts votes from fresh locations only', () => {
    const diagnosis = diagnose(
      evidence(location('a', ['down', 3], ['up', 1]), location('b', ['down', 1], ['up', 5]), location('c', ['down', 9], ['up', 9], false)),
      three,
    );
    expect(diagnosis).toMatchObject({
      primaryDownVotes: 1,
      primaryFailingVotes: 2,
      primaryUpVotes: 0,
      freshLocations: 2,
      quorum: 2,
      secondaryHealthy: true,
      secondaryClause: 'secondary healthy',
    });
  });
});
