/**
 * A runbook `notify` step is delivered at least once per run: its intent is journalled when the
 * step starts, and a run resumed after a crash sends what was not confirmed (the step's end).
 */
import { CrashError, type EngineDeps } from '../../../shared/engine';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { buildConfig } from '../../support/config-builder';
import { createEngineKit } from './engine-kit';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

const LEASE_TTL_MS = 60_000;

const config = buildConfig({ services: [{ secondary: { prepare: [{ id: 'tell', notify: { message: 'warming caches, 2 min' } }] } }] });

function crashOnceAt(stepId: string): NonNullable<EngineDeps['faults']> {
  let crashed = false;
  return {
    afterStepStart(step) {
      if (crashed || step.id !== stepId) return;
      crashed = true;
      throw new CrashError(`simulated crash right after ${stepId} started`);
    },
  };
}

describe('notify steps across crashes', () => {
  it('a crash after the notify step started, before it published: the resumed run sends it', async () => {
    const kit = await createEngineKit(dynamo, { config, leaseTtlMs: LEASE_TTL_MS });
    await kit.startRun('failover');
    expect((await kit.execute('orchestrator:1', { faults: crashOnceAt('tell') })).status).toBe('crashed');
    expect(kit.texts().filter((text) => text.includes('warming caches'))).toEqual([]);
    // The intent is on the journal: the step is running, its first attempt counted.
    expect((await kit.state()).activeRun?.steps[0]).toMatchObject({ id: 'tell', status: 'running', attempts: 1 });

    kit.clock.advance(LEASE_TTL_MS);
    const resumed = await kit.execute('watchdog:1');
    expect(resumed.run?.status).toBe('succeeded');
    expect(resumed.run?.steps[0]).toMatchObject({ id: 'tell', status: 'succeeded', attempts: 2, output: { sent: true, delivered: 1 } });
    expect(kit.texts().filter((text) => text.includes('warming caches'))).toEqual(['[switchback] web: warming caches, 2 min']);
  });
});
