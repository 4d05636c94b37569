/**
 * A probe-only location watching the control region (issue 15 item 4). If the control region
 * itself fails, nothing there can tell anyone that automatic failover is off: its table, its
 * functions and its SNS are all dark. Every probe-only location therefore looks at the control
 * region once a minute (its own heartbeat write and a read of the controller's heartbeat in the
 * control region's table) and, when the control region has been silent for
 * `CONTROL_SILENT_ALERT_MS`, texts once through SNS in its own region; once more when it is back.
 *
 * Pure: the observation and the clock come in, the next watch state and the text to send go out.
 * The caller keeps the state in the probe location's own region (shared/store/control-watch.ts)
 * and writes it only when it changes.
 */
import { controlRegionMessage } from './messages';

/** The control region silent this long (table unreachable, or its heartbeat this old) is texted. */
export const CONTROL_SILENT_ALERT_MS = 180_000;

/** What one probe-only location remembers between invocations. */
export interface ControlWatch {
  /** Since when the control region has been silent (unset while it is fine). */
  silentSinceEpochMs?: number;
  /** People were told it is unreachable and not yet that it is back. */
  toldUnreachable: boolean;
}

export const QUIET_WATCH: ControlWatch = { toldUnreachable: false };

/** One look at the control region: its table answered (with the controller's last heartbeat, if any) or not. */
export type ControlObservation = { reachable: true; controllerHeartbeatAtEpochMs?: number } | { reachable: false; error: string };

export interface ControlWatchDecision {
  /** The watch after this look (write it when `changed`, after `text` went out if there is one). */
  next: ControlWatch;
  changed: boolean;
  /** What to text now, if anything. */
  text?: { kind: 'unreachable' | 'back'; message: string };
  /** The sentence for logs and tests. */
  reason: string;
}

export function watchControlRegion(
  watch: ControlWatch,
  observation: ControlObservation,
  nowEpochMs: number,
  where: { controlRegion: string; location: string },
): ControlWatchDecision {
  const heartbeat = observation.reachable ? observation.controllerHeartbeatAtEpochMs : undefined;
  const healthy = observation.reachable && heartbeat !== undefined && nowEpochMs - heartbeat < CONTROL_SILENT_ALERT_MS;
  if (healthy) {
    if (watch.toldUnreachable) {
      return {
        next: QUIET_WATCH,
        changed: true,
        text: { kind: 'back', message: controlRegionMessage('back', where, 'its controller is running') },
        reason: `control region ${where.controlRegion} is back: its controller is running`,
      };
    }
    return {
      next: QUIET_WATCH,
      changed: watch.silentSinceEpochMs !== undefined,
      reason: `control region ${where.controlRegion} is fine`,
    };
  }
  // Silent since the controller's last heartbeat when the table tells it, else since the first look that failed.
  const silentSinceEpochMs = watch.silentSinceEpochMs ?? heartbeat ?? nowEpochMs;
  const silentSeconds = Math.round((nowEpochMs - silentSinceEpochMs) / 1000);
  const what = observation.reachable
    ? heartbeat === undefined
      ? 'no controller heartbeat in its table'
      : `no controller heartbeat for ${silentSeconds}s`
    : `its table unreachable for ${silentSeconds}s`;
  const next: ControlWatch = { silentSinceEpochMs, toldUnreachable: watch.toldUnreachable };
  const changed = watch.silentSinceEpochMs !== silentSinceEpochMs;
  if (!watch.toldUnreachable && nowEpochMs - silentSinceEpochMs >= CONTROL_SILENT_ALERT_MS) {
    return {
      next: { ...next, toldUnreachable: true },
      changed: true,
      text: { kind: 'unreachable', message: controlRegionMessage('unreachable', where, what) },
      reason: `control region ${where.controlRegion} silent: ${what}`,
    };
  }
  return { next, changed, reason: `control region ${where.controlRegion} silent: ${what}` };
}
