/**
 * A probe-only location's watch on the control region (../domain/control-watch decides; this does
 * the I/O). Once per scheduled invocation, before its rounds: write this location's heartbeat in
 * the control region's table and read the controller's (that is the look), load the watch from the
 * location's own table (../store/control-watch), text through SNS **in this location's region** when
 * the decision says so, and write the watch back when it changed.
 *
 * Which SNS answers: a text goes to the SNS endpoint of the region the client is built for, and the
 * functions' default is the control region, which is exactly what is dark. So these texts are sent
 * with `region: <this location>`. SMS works only in the regions SNS supports for SMS
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-supported-regions-countries.html), and the SMS
 * sandbox, spend limit and origination identities are set up per region
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-sms-sandbox.html): README "Extra probe locations".
 *
 * "Once": the watch is written only after a text reached at least one recipient, so a text that
 * nobody got is tried again a minute later (at least once: a crash between the text and the write
 * sends it again the next minute, which beats never telling anyone that failover is off).
 */
import { watchControlRegion, type ControlObservation } from '../domain/control-watch';
import { describeError } from '../errors';
import { VersionConflictError } from '../store/errors';
import { withAdapters, type AppDeps } from './deps';
import { notifyOnCall } from './notify';

/** The `service` of these texts' events: they are about the controller, not one service. */
export const CONTROL_REGION_SUBJECT = 'control-region';

/** Write this location's heartbeat in the control region's table and read the controller's. */
export async function observeControlRegion(deps: AppDeps, nowEpochMs: number): Promise<ControlObservation> {
  try {
    await deps.store.touchLocation(deps.location, nowEpochMs);
    const heartbeats = await deps.store.listLocationHeartbeats();
    const controller = heartbeats[deps.config.controlRegion];
    return { reachable: true, ...(controller !== undefined && { controllerHeartbeatAtEpochMs: controller }) };
  } catch (error) {
    return { reachable: false, error: describeError(error) };
  }
}

export async function watchTheControlRegion(deps: AppDeps, observation: ControlObservation): Promise<void> {
  const where = { controlRegion: deps.config.controlRegion, location: deps.location };
  if (!deps.controlWatch) {
    deps.logger.error(
      `probe-only location ${deps.location} has no table of its own: it cannot watch control region ${where.controlRegion}`,
    );
    return;
  }
  if (!observation.reachable) deps.logger.warn(`control region ${where.controlRegion} table unreachable: ${observation.error}`);
  try {
    const stored = await deps.controlWatch.load();
    const decision = watchControlRegion(stored.watch, observation, deps.clock.now(), where);
    if (decision.changed) deps.logger.warn(decision.reason);
    if (decision.text) {
      // Not `{ ...deps.aws, sns }`: a deployed probe carries no Route 53 client, so the spread threw
      // and this text was never sent (see withAdapters).
      const aws = withAdapters(deps.aws, {
        sns: (sns) => ({ ...sns, sendSms: (phoneNumber, text) => sns.sendSms(phoneNumber, text, { region: deps.location }) }),
      });
      const local = { ...deps, aws };
      const outcome = await notifyOnCall(local, CONTROL_REGION_SUBJECT, decision.text.message, {
        key: decision.text.kind === 'unreachable' ? 'controlRegionUnreachable' : 'controlRegionBack',
      });
      // Nobody got it: keep the watch as it was, so the next minute tries again.
      if (outcome.delivered === 0) return;
    }
    if (decision.changed) await deps.controlWatch.save(decision.next, stored.version);
  } catch (error) {
    // Another invocation wrote first: it made the same decision on the same facts.
    if (error instanceof VersionConflictError) return;
    // The location's own table failing must not stop this location from probing.
    deps.logger.error(`could not watch control region ${where.controlRegion}: ${describeError(error)}`);
  }
}
