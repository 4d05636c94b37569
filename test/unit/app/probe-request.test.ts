/** What may invoke `probe`: the schedule, or a well-formed confirm request; everything else is refused. */
import fc from 'fast-check';
import { MAX_CONFIRM_ROUNDS, parseProbeRequest } from '../../../shared/app/probe';
import { InputError } from '../../../shared/errors';

const KNOWN = ['web', 'api'];

describe('parseProbeRequest', () => {
  test('the schedule is the only scheduled round', () => {
    expect(parseProbeRequest({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, KNOWN)).toEqual({ kind: 'scheduled' });
    for (const other of [{}, null, 'tick', { source: 'aws.events' }, { 'detail-type': 'Scheduled Event' }])
      expect(() => parseProbeRequest(other, KNOWN)).toThrow(InputError);
  });

  test('a confirm request names known services and 1..6 rounds', () => {
    expect(parseProbeRequest({ source: 'switchback.alarm', services: ['web', 'web'], rounds: 1 }, KNOWN)).toEqual({
      kind: 'confirm',
      services: ['web'],
      rounds: 1,
    });
    expect(() => parseProbeRequest({ source: 'switchback.alarm', services: [], rounds: 1 }, KNOWN)).toThrow(
      /services: must name at least one/,
    );
    expect(() => parseProbeRequest({ source: 'switchback.alarm', services: ['webb'], rounds: 1 }, KNOWN)).toThrow(
      'unknown service "webb"; known services: web, api',
    );
    expect(() => parseProbeRequest({ source: 'switchback.alarm', services: ['web'], rounds: 1, extra: true }, KNOWN)).toThrow(InputError);
  });

  test('any rounds outside 1..6 is refused, never treated as a tick', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: MAX_CONFIRM_ROUNDS + 1 }), fc.double({ noInteger: true }), fc.string()),
        (rounds) => {
          expect(() => parseProbeRequest({ source: 'switchback.alarm', services: ['web'], rounds }, KNOWN)).toThrow(InputError);
        },
      ),
    );
  });
});
