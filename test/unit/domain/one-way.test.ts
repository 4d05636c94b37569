/**
 * One-way steps (a promoted read replica): the config makes an automatic failback wait for approve,
 * with a reason that says why, unless failback.reestablishReplication names the step that
 * re-creates replication.
 */
import { decide } from '../../../shared/domain/state-machine';
import { initialServiceState } from '../../../shared/domain/types';
import type { ServiceConfig } from '../../../shared/config/types';
import { buildConfig } from '../../support/config-builder';
import { command, context, endRun, HOUR, MINUTE, observe, SEEN, T0 } from './fixtures';

const PROMOTE = { id: 'db', 'rds.promoteReadReplica': { dbInstanceIdentifier: 'app-replica' } };
const REPLICATE = { id: 'replicate', 'lambda.invoke': { functionName: 'recreate-replica' } };

function service(failback: Record<string, unknown> = {}, primaryPrepare: unknown[] = []): ServiceConfig {
  return buildConfig({
    defaults: { failback: { holdDownSeconds: 60 } },
    services: [{ failback, secondary: { prepare: [PROMOTE] }, primary: { prepare: primaryPrepare as Record<string, unknown>[] } }],
  }).services[0];
}

function onSecondary(config: ServiceConfig) {
  const started = decide(initialServiceState('web', T0 - HOUR), observe(SEEN.down), context(config, T0));
  return endRun(started.state, T0 + MINUTE, 'succeeded').state;
}

describe('failback after a one-way failover step', () => {
  it('waits for approve after the hold-down, texting why once; approve lets it go', () => {
    const config = service();
    expect(config.policy.failback).toMatchObject({
      mode: 'auto',
      approvalReason: 'one-way: rds.promoteReadReplica app-replica; nothing re-replicates',
    });
    const healthy = decide(onSecondary(config), observe(SEEN.recovered), context(config, T0 + 2 * MINUTE)).state;
    const waiting = decide(healthy, observe(SEEN.recovered), context(config, T0 + 10 * MINUTE));
    expect(waiting.state.state).toBe('SECONDARY');
    expect(waiting.reason).toBe('primary healthy for 480s; one-way: rds.promoteReadReplica app-replica; nothing re-replicates');
    expect(waiting.effects).toEqual([
      {
        type: 'notify',
        key: 'approveNeeded',
        text: '[switchback] web: primary healthy again; failback waits for your approve: one-way: rds.promoteReadReplica app-replica; nothing re-replicates',
      },
    ]);
    const again = decide(waiting.state, observe(SEEN.recovered), context(config, T0 + 11 * MINUTE));
    expect(again.effects.filter((effect) => effect.type === 'notify')).toEqual([]);
    const approved = decide(again.state, command('approve', 'carol'), context(config, T0 + 12 * MINUTE));
    expect(approved.reason).toBe('failback approved by carol: it starts once the primary has been healthy for 60s');
    const go = decide(approved.state, observe(SEEN.recovered), context(config, T0 + 13 * MINUTE));
    expect(go.state.state).toBe('FAILING_BACK');
  });

  it('stays automatic when failback.reestablishReplication names the primary step that re-creates the replica', () => {
    const config = service({ reestablishReplication: 'replicate' }, [REPLICATE]);
    expect(config.policy.failback.approvalReason).toBeUndefined();
    const healthy = decide(onSecondary(config), observe(SEEN.recovered), context(config, T0 + 2 * MINUTE)).state;
    expect(decide(healthy, observe(SEEN.recovered), context(config, T0 + 10 * MINUTE)).state.state).toBe('FAILING_BACK');
  });

  it('refuses a reestablishReplication that names no primary.prepare step', () => {
    expect(() => service({ reestablishReplication: 'nope' }, [REPLICATE])).toThrow(
      /services\[0\]\.failback\.reestablishReplication: "nope" is not the id of a primary\.prepare step/,
    );
  });
});
