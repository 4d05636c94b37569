/**
 * Durability: a run survives its executor dying at any point, and a stale executor can never act
 * after someone else took the run over (fencing).
 */
import type { ProbeResult } from '../../../shared/probes/types';
import { CrashError, type EngineAws, type EngineDeps } from '../../../shared/engine';
import type { PlanStep } from '../../../shared/domain/types';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import type { Store } from '../../../shared/store';
import { createEngineKit, launchConfig, loadExampleConfig, SERVICE, type EngineKit } from './engine-kit';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

const LEASE_TTL_MS = 60_000;

/** What must be the same after a clean run and after a crashed-and-resumed one. */
async function snapshot(kit: EngineKit) {
  const state = await kit.state();
  const instances = kit.world.ec2.instances('us-west-2');
  const launched = instances.filter((instance) => instance.tags['switchback:run']);
  const volume = kit.world.ec2.volumes('us-west-2').find((candidate) => candidate.volumeId === 'vol-0abc1234');
  const address = kit.world.ec2.addresses('us-west-2').find((candidate) => candidate.allocationId === 'eipalloc-0abc1234');
  const runs = await kit.store.listRuns(SERVICE, 10);
  return {
    state: state.state,
    activeRun: state.activeRun,
    dns: kit.dnsAnswer(),
    instances: instances
      .map((instance) => ({ state: instance.state, launched: Boolean(instance.tags['switchback:run']), name: instance.tags.Name }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
    volumeAttachments: volume?.attachments.map((attachment) => ({
      device: attachment.device,
      state: attachment.state,
      toLaunched: attachment.instanceId === launched[0]?.instanceId,
    })),
    addressOnLaunched: address?.instanceId !== undefined && address.instanceId === launched[0]?.instanceId,
    runs: runs.map((run) => ({
      status: run.status,
      steps: run.steps.map((step) => step.status),
      notified: Object.keys(run.notifications).sort(),
    })),
    // Stage texts with the measured duration blanked out.
    texts: kit.texts().map((text) => text.replace(/took \d+s/, 'took Ns')),
  };
}

async function cleanRunSnapshot(config = launchConfig()) {
  const kit = await createEngineKit(dynamo, { config, leaseTtlMs: LEASE_TTL_MS });
  await kit.startRun('failover');
  const outcome = await kit.execute('orchestrator:clean');
  expect(outcome.run?.status).toBe('succeeded');
  return snapshot(kit);
}

function crashAfterStart(index: number): EngineDeps['faults'] {
  let crashed = false;
  return {
    afterStepStart(step: PlanStep, run) {
      if (crashed || run.plan[index].id !== step.id) return;
      crashed = true;
      throw new CrashError(`simulated crash after starting ${step.id}`);
    },
  };
}

/** Adapters whose `method` dies (CrashError) right AFTER its first AWS call went through. */
function crashAfterCall(aws: EngineAws, adapterName: 'route53' | 'ec2', method: string): EngineAws {
  let crashed = false;
  const wrap = <T extends object>(adapter: T): T =>
    new Proxy(adapter, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== method || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (!crashed) {
            crashed = true;
            throw new CrashError(`simulated crash right after ${adapterName}.${method}`);
          }
          return result;
        };
      },
    });
  const ec2 = typeof aws.ec2 === 'function' ? aws.ec2() : aws.ec2;
  return adapterName === 'ec2' ? { ...aws, ec2: wrap(ec2) } : { ...aws, route53: wrap(aws.route53) };
}

describe('crash sweep: the executor dies right after step k starts', () => {
  const plan = ['launch', 'data', 'eip', 'http.waitHealthy#1', 'route53.switch#1', 'route53.waitInSync#1'];

  it.each(plan.map((id, index) => [index, id]))(
    'crash after starting step %i (%s): resumed after lease expiry, same end state as a clean run',
    async (index) => {
      const clean = await cleanRunSnapshot();
      const kit = await createEngineKit(dynamo, { config: launchConfig(), leaseTtlMs: LEASE_TTL_MS });
      await kit.startRun('failover');

      const crashed = await kit.execute('orchestrator:1', { faults: crashAfterStart(index) });
      expect(crashed.status).toBe('crashed');
      const stalled = (await kit.state()).activeRun;
      expect(stalled?.steps[index]).toMatchObject({ status: 'running', attempts: 1 });
      expect(stalled?.lease?.owner).toBe('orchestrator:1');

      // The watchdog comes by before the lease expires: hands off, no AWS call.
      const early = await kit.execute('watchdog:1');
      expect(early.status).toBe('not-owner');
      expect(early.reason).toMatch(/held by orchestrator:1 for \d+s more/);
      expect(kit.callsBy('watchdog:1')).toEqual([]);

      kit.clock.advance(LEASE_TTL_MS);
      const resumed = await kit.execute('watchdog:2');
      expect(resumed.status).toBe('finished');
      expect(resumed.run?.status).toBe('succeeded');
      expect(resumed.run?.steps.map((step) => step.attempts)).toEqual(plan.map((_, i) => (i === index ? 2 : 1)));

      expect(await snapshot(kit)).toEqual(clean);
      expect(kit.world.apiCalls()['ec2.RunInstances']).toBe(1);
      expect(kit.world.apiCalls()['ec2.AttachVolume']).toBe(1);
      expect(kit.texts().filter((text) => text.includes('failing over'))).toHaveLength(1);
    },
  );
});

describe('crash sweep: the executor dies right after an AWS call went through, before journalling it', () => {
  const cases: Array<[string, 'route53' | 'ec2', string, string]> = [
    ['RunInstances', 'ec2', 'runInstance', 'ec2.RunInstances'],
    ['AttachVolume', 'ec2', 'attachVolume', 'ec2.AttachVolume'],
    ['AssociateAddress', 'ec2', 'associateAddress', 'ec2.AssociateAddress'],
    ['ChangeResourceRecordSets', 'route53', 'upsertRecord', 'route53.ChangeResourceRecordSets'],
  ];

  it.each(cases)(
    'after %s: the re-executed step finds its own work done — no duplicate instance, attachment or SMS',
    async (_name, adapter, method, api) => {
      const clean = await cleanRunSnapshot();
      const kit = await createEngineKit(dynamo, { config: launchConfig(), leaseTtlMs: LEASE_TTL_MS });
      await kit.startRun('failover');
      const dying = kit.deps('orchestrator:1');
      const crashed = await kit.execute('orchestrator:1', { aws: crashAfterCall(dying.aws, adapter, method) });
      expect(crashed.status).toBe('crashed');
      expect(kit.world.apiCalls()[api]).toBe(1);

      kit.clock.advance(LEASE_TTL_MS);
      const resumed = await kit.execute('watchdog:1');
      expect(resumed.run?.status).toBe('succeeded');
      expect(await snapshot(kit)).toEqual(clean);
      // Exactly one instance was launched, whatever RunInstances was asked twice.
      expect(kit.world.ec2.instances('us-west-2').filter((instance) => instance.tags['switchback:run'])).toHaveLength(1);
      if (method === 'runInstance') {
        expect(kit.world.apiCalls()['ec2.RunInstances']).toBe(2);
        const launch = resumed.run?.steps[0];
        expect(launch?.output?.instanceId).toBe(
          kit.world.ec2.instances('us-west-2').find((instance) => instance.tags['switchback:run'])?.instanceId,
        );
      }
      if (method === 'attachVolume') expect(resumed.run?.steps[1].note).toMatch(/already attached/);
      if (method === 'associateAddress') expect(resumed.run?.steps[2].note).toMatch(/already associated/);
      if (method === 'upsertRecord') {
        expect(kit.world.apiCalls()['route53.ChangeResourceRecordSets']).toBe(1);
        expect(resumed.run?.steps[4].note).toMatch(/already pointed at the secondary/);
      }
    },
  );

  it('after the run ended but before it was closed: the resumed owner closes it without texting again', async () => {
    const kit = await createEngineKit(dynamo, { config: loadExampleConfig(), leaseTtlMs: LEASE_TTL_MS });
    await kit.startRun('failover');
    const base = kit.deps('orchestrator:1').store;
    let crashed = false;
    const dyingStore: Store = {
      ...base,
      archiveRun: async (run) => {
        if (!crashed) {
          crashed = true;
          throw new CrashError('simulated crash before archiving');
        }
        return base.archiveRun(run);
      },
    };
    const first = await kit.execute('orchestrator:1', { store: dyingStore });
    expect(first.status).toBe('crashed');
    const ended = (await kit.state()).activeRun;
    expect(ended?.status).toBe('succeeded');
    expect(ended?.notifications.succeeded).toEqual({ atEpochMs: expect.any(Number), ok: true });
    expect((await kit.state()).state).toBe('FAILING_OVER');

    kit.clock.advance(LEASE_TTL_MS);
    const second = await kit.execute('watchdog:1');
    expect(second.status).toBe('finished');
    expect((await kit.state()).state).toBe('SECONDARY');
    expect(kit.texts().filter((text) => text.includes('now on SECONDARY'))).toHaveLength(1);
    expect(await kit.store.listRuns(SERVICE, 10)).toHaveLength(1);
    // The watchdog made no AWS call: nothing was left to do but close.
    expect(kit.callsBy('watchdog:1')).toEqual([]);
  });
});

describe('fencing', () => {
  it('two owners racing for a fresh run: one proceeds, the other stops at once without any AWS call', async () => {
    const kit = await createEngineKit(dynamo, { leaseTtlMs: LEASE_TTL_MS });
    await kit.startRun('failover');
    const [a, b] = await Promise.all([kit.execute('orchestrator:a'), kit.execute('orchestrator:b')]);
    const outcomes = [a, b].map((outcome) => outcome.status).sort();
    expect(outcomes).toEqual(['finished', 'not-owner']);
    const loser = a.status === 'not-owner' ? 'orchestrator:a' : 'orchestrator:b';
    const winner = loser === 'orchestrator:a' ? 'orchestrator:b' : 'orchestrator:a';
    expect(kit.callsBy(loser)).toEqual([]);
    expect(kit.callsBy(winner).length).toBeGreaterThan(0);
    expect((await kit.state()).state).toBe('SECONDARY');
    expect(kit.texts()).toHaveLength(2);
  });

  it('a stale owner whose lease was taken over mid-step makes no further AWS call and sends nothing', async () => {
    const kit = await createEngineKit(dynamo, { leaseTtlMs: LEASE_TTL_MS });
    await kit.startRun('failover');

    // Owner A stalls inside http.waitHealthy (a hung probe, a frozen Lambda …).
    let entered!: () => void;
    const stalled = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const hungProber = {
      probe: async (): Promise<ProbeResult> => {
        entered();
        await gate;
        return { ok: true, latencyMs: 1, checkedAtEpochMs: kit.clock.now() };
      },
    };
    const a = kit.execute('orchestrator:a', { prober: hungProber });
    await stalled;
    const callsBeforeTakeover = kit.callsBy('orchestrator:a').length;

    // Its lease expires; the watchdog takes the run over and finishes it.
    kit.clock.advance(LEASE_TTL_MS + 1);
    const b = await kit.execute('watchdog:b');
    expect(b.status).toBe('finished');
    expect(b.run?.steps[2]).toMatchObject({ action: 'http.waitHealthy', status: 'succeeded', attempts: 2 });

    // A wakes up: its next write fails, it learns it lost the run and stops.
    release();
    const outcomeA = await a;
    expect(outcomeA.status).toBe('not-owner');
    expect(outcomeA.reason).toMatch(/lease lost by orchestrator:a/);
    expect(kit.callsBy('orchestrator:a')).toHaveLength(callsBeforeTakeover);
    expect((await kit.state()).state).toBe('SECONDARY');
    expect(kit.texts().map((text) => text.replace(/took \d+s/, 'took Ns'))).toEqual([
      expect.stringContaining('failing over'),
      '[switchback] web: now on SECONDARY (took Ns)',
    ]);
    expect(await kit.store.listRuns(SERVICE, 10)).toHaveLength(1);
  });

  it('renews its lease while a long step polls, so nobody takes a live run over', async () => {
    const kit = await createEngineKit(dynamo, { leaseTtlMs: LEASE_TTL_MS });
    await kit.startRun('failover');
    // The secondary needs 200 s to come up: far longer than the lease.
    const startedAt = kit.clock.now();
    let watchdog: Promise<unknown> | undefined;
    kit.prober.hook = async () => {
      if (kit.clock.now() - startedAt > 150_000 && !watchdog) {
        watchdog = kit.execute('watchdog:b');
        expect(((await watchdog) as { status: string }).status).toBe('not-owner');
      }
    };
    kit.prober.setDown('http://198.51.100.20/health', true);
    setTimeoutForProbe(kit, startedAt + 200_000);
    const outcome = await kit.execute('orchestrator:a');
    expect(outcome.run?.status).toBe('succeeded');
    expect(watchdog).toBeDefined();
    expect(kit.callsBy('watchdog:b')).toEqual([]);
  });
});

/** Bring the secondary up once the clock passes `atEpochMs` (checked on each probe). */
function setTimeoutForProbe(kit: EngineKit, atEpochMs: number): void {
  const previous = kit.prober.hook;
  kit.prober.hook = async (spec) => {
    await previous?.(spec);
    if (kit.clock.now() >= atEpochMs) kit.prober.setDown('http://198.51.100.20/health', false);
  };
}
