/**
 * A probe-only location watching the control region: silent for 3 minutes (table unreachable or no
 * fresh controller heartbeat) is texted once, its return once, and a healthy control region writes
 * nothing.
 */
import fc from 'fast-check';
import {
  CONTROL_SILENT_ALERT_MS,
  QUIET_WATCH,
  watchControlRegion,
  type ControlObservation,
  type ControlWatch,
} from '../../../shared/domain/control-watch';
import { SMS_MAX_CHARS } from '../../../shared/domain/messages';

const T0 = 1_800_000_000_000;
const MINUTE = 60_000;
const WHERE = { controlRegion: 'us-west-2', location: 'eu-west-1' };
const dark: ControlObservation = { reachable: false, error: 'connect ECONNREFUSED' };
const alive = (heartbeatAtEpochMs: number): ControlObservation => ({ reachable: true, controllerHeartbeatAtEpochMs: heartbeatAtEpochMs });

/** One look a minute; the controller beats at each minute while it runs. */
function replay(looks: Array<'dark' | 'stale' | 'alive'>) {
  let watch: ControlWatch = QUIET_WATCH;
  let lastBeat = T0 - MINUTE;
  const out: Array<{ atEpochMs: number; text?: { kind: string; message: string }; changed: boolean; silentForMs?: number }> = [];
  looks.forEach((look, index) => {
    const now = T0 + index * MINUTE;
    if (look === 'alive') lastBeat = now;
    const observation = look === 'dark' ? dark : alive(lastBeat);
    const before = watch;
    const decision = watchControlRegion(watch, observation, now, WHERE);
    out.push({
      atEpochMs: now,
      changed: decision.changed,
      ...(decision.text && { text: decision.text }),
      ...(before.silentSinceEpochMs !== undefined || decision.next.silentSinceEpochMs !== undefined
        ? { silentForMs: now - (decision.next.silentSinceEpochMs ?? now) }
        : {}),
    });
    if (decision.changed) watch = decision.next;
  });
  return out;
}

describe('watchControlRegion', () => {
  it('texts once after 3 minutes of an unreachable table, and once when the controller runs again', () => {
    const out = replay(['alive', 'dark', 'dark', 'dark', 'dark', 'dark', 'dark', 'alive', 'alive']);
    const texts = out.flatMap((entry, minute) => (entry.text ? [{ minute, ...entry.text }] : []));
    expect(texts).toEqual([
      {
        minute: 4,
        kind: 'unreachable',
        message:
          '[switchback] control region us-west-2 unreachable: automatic failover is OFF (its table unreachable for 180s, seen from eu-west-1)',
      },
      {
        minute: 7,
        kind: 'back',
        message:
          '[switchback] control region us-west-2 reachable again: automatic failover is back ON (its controller is running, seen from eu-west-1)',
      },
    ]);
    for (const text of texts) expect(text.message.length).toBeLessThanOrEqual(SMS_MAX_CHARS);
  });

  it('counts a stale controller heartbeat (table fine, controller dead) from the last heartbeat', () => {
    const decision = watchControlRegion(QUIET_WATCH, alive(T0 - 200_000), T0, WHERE);
    expect(decision.text?.kind).toBe('unreachable');
    expect(decision.text?.message).toContain('(no controller heartbeat for 200s, seen from eu-west-1)');
    expect(decision.next).toEqual({ silentSinceEpochMs: T0 - 200_000, toldUnreachable: true });
  });

  it('texts nothing for a blip shorter than 3 minutes, and forgets it', () => {
    const out = replay(['alive', 'dark', 'dark', 'dark', 'alive', 'alive']);
    expect(out.filter((entry) => entry.text)).toEqual([]);
    expect(out.map((entry) => entry.changed)).toEqual([false, true, false, false, true, false]);
  });

  it('property: texts alternate unreachable/back starting with unreachable; unreachable only after 3 silent minutes; a healthy control region writes nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<'dark' | 'stale' | 'alive'>('dark', 'stale', 'alive'), { maxLength: 60 }), (looks) => {
        const out = replay(looks);
        const kinds = out.flatMap((entry) => (entry.text ? [entry.text.kind] : []));
        kinds.forEach((kind, index) => expect(kind).toBe(index % 2 === 0 ? 'unreachable' : 'back'));
        for (const entry of out.filter((candidate) => candidate.text?.kind === 'unreachable'))
          expect(entry.silentForMs).toBeGreaterThanOrEqual(CONTROL_SILENT_ALERT_MS);
        if (looks.every((look) => look === 'alive')) expect(out.every((entry) => !entry.changed && !entry.text)).toBe(true);
      }),
    );
  });

  it('property: a control region silent for 4 minutes in a row has been texted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<'dark' | 'stale' | 'alive'>('dark', 'stale', 'alive'), { maxLength: 30 }),
        fc.constantFrom<'dark' | 'stale'>('dark', 'stale'),
        (before, silent) => {
          const out = replay([...before, silent, silent, silent, silent]);
          const lastText = out.flatMap((entry) => (entry.text ? [entry.text.kind] : [])).at(-1);
          expect(lastText).toBe('unreachable');
        },
      ),
    );
  });
});
