/**
 * Aurora global database steps on the embedded world (real RDS and CloudWatch SDK clients, the
 * engine, a manual clock): switchover while the writer answers, a global failover with data loss
 * only when allowed, data age from the replication-lag metric, and no second request on resume.
 */
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { buildConfig } from '../../support/config-builder';
import { createEngineKit, type EngineKit } from './engine-kit';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

const GLOBAL = 'app-global';
const EAST = 'arn:aws:rds:us-east-1:123456789012:cluster:app-east';
const WEST = 'arn:aws:rds:us-west-2:123456789012:cluster:app-west';

function databaseConfig(allowDataLoss: boolean, guard: Record<string, unknown> = {}) {
  return buildConfig({
    services: [
      {
        guard,
        secondary: {
          prepare: [
            { id: 'db', 'rds.failoverGlobalCluster': { globalClusterIdentifier: GLOBAL, targetDbClusterArn: WEST, allowDataLoss } },
          ],
        },
        primary: { prepare: [{ id: 'db', 'rds.switchoverGlobalCluster': { globalClusterIdentifier: GLOBAL, targetDbClusterArn: EAST } }] },
      },
    ],
  });
}

async function kitWith(allowDataLoss: boolean, lagMs = 4_000, guard: Record<string, unknown> = {}): Promise<EngineKit> {
  const kit = await createEngineKit(dynamo, { config: databaseConfig(allowDataLoss, guard) });
  kit.world.rds.setReplicationLagMs(WEST, lagMs);
  // Ten minutes of replication history for the lag metric.
  kit.clock.advance(600_000);
  return kit;
}

const apiCalls = (kit: EngineKit, api: string) => kit.world.apiCalls()[api] ?? 0;

describe('rds.failoverGlobalCluster', () => {
  it('switches over (no data loss) while the writer answers, and waits until the target writes', async () => {
    const kit = await kitWith(false);
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(kit.world.rds.globalCluster(GLOBAL)).toMatchObject({ writerArn: WEST });
    expect(kit.world.rds.globalCluster(GLOBAL)?.operations).toMatchObject([{ kind: 'switchover', lostMs: 0 }]);
    const step = outcome.run?.steps[0];
    expect(step?.output).toMatchObject({ writerArn: WEST, mode: 'switchover', dataAgeSeconds: 0 });
    expect(step?.note).toBe('app-west is the writer after a switchover (no data loss)');
    // It waited for the world's switchover (120 s) rather than returning at the request.
    expect((step?.endedAtEpochMs ?? 0) - (step?.startedAtEpochMs ?? 0)).toBeGreaterThanOrEqual(120_000);
  });

  it('fails over with data loss when the writer region is down and allowDataLoss is set; the text gives the data age', async () => {
    const kit = await kitWith(true);
    kit.world.rds.setRegionAvailable('us-east-1', false);
    kit.clock.advance(90_000);
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(kit.world.rds.globalCluster(GLOBAL)?.operations).toMatchObject([{ kind: 'failover', lostMs: 4_000 }]);
    expect(outcome.run?.steps[0].output).toMatchObject({ mode: 'failover', dataAgeSeconds: 4 });
    expect(outcome.run?.steps[0].note).toBe('app-west is the writer after a global failover (data loss allowed); data up to 4s old');
  });

  it('refuses a global failover without allowDataLoss, saying how much would be lost, and does not retry', async () => {
    const kit = await kitWith(false);
    kit.world.rds.setRegionAvailable('us-east-1', false);
    kit.clock.advance(90_000);
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('failed');
    expect(outcome.run?.steps[0].attempts).toBe(1);
    expect(outcome.run?.steps[0].error).toBe('writer down; failover would lose up to 4s of writes; allowDataLoss false');
    expect(kit.texts().at(-1)).toBe(
      '[switchback] web: FAILOVER FAILED at rds.failoverGlobalCluster: writer down; failover would lose up to 4s of writes; allowDataLoss false - DNS unchanged',
    );
    expect(apiCalls(kit, 'rds.FailoverGlobalCluster')).toBe(0);
    expect(kit.world.rds.globalCluster(GLOBAL)?.writerArn).toBe(EAST);
  });

  it('a step re-executed after its request went out waits for that failover and never asks twice', async () => {
    const kit = await kitWith(true);
    kit.world.rds.setRegionAvailable('us-east-1', false);
    kit.clock.advance(90_000);
    await kit.startRun('failover');
    // The first invocation hands the run on mid-wait (its deadline is 40 s away).
    const first = await kit.execute('orchestrator:1', { deadlineEpochMs: kit.clock.now() + 40_000 });
    expect(first.status).not.toBe('finished');
    expect(apiCalls(kit, 'rds.FailoverGlobalCluster')).toBe(1);
    const second = await kit.execute('orchestrator:2');
    expect(second.run?.status).toBe('succeeded');
    expect(apiCalls(kit, 'rds.FailoverGlobalCluster')).toBe(1);
    expect(second.run?.steps[0].output).toMatchObject({ mode: 'failover', dataAgeSeconds: 4 });
    expect(second.run?.steps[0].note).toMatch(/\(resumed: requested before\)$/);
  });
});

describe('a global failover that never finishes', () => {
  it('fails the step at its deadline with the state seen; DNS is not switched', async () => {
    const kit = await kitWith(true);
    kit.world.rds.setRegionAvailable('us-east-1', false);
    kit.world.faults.add({ api: 'rds.FailoverGlobalCluster', stuck: true });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('failed');
    expect(outcome.run?.steps[0].error).toBe('rds.failoverGlobalCluster: app-west not the writer of app-global within 600s (failing-over)');
    expect(outcome.run?.steps.find((step) => step.action === 'route53.switch')?.status).toBe('skipped');
    expect(apiCalls(kit, 'rds.FailoverGlobalCluster')).toBe(1);
  });
});

describe('guard.maxDataAgeSeconds', () => {
  it('refuses an automatic global failover that would lose more, saying what would be lost; the database is untouched', async () => {
    const kit = await kitWith(true, 30_000, { maxDataAgeSeconds: 10 });
    kit.world.rds.setRegionAvailable('us-east-1', false);
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('failed');
    expect(outcome.run?.steps[0].error).toBe('would lose up to 30s of writes > maxDataAgeSeconds 10; manual failover only');
    expect(outcome.reason).toBe(
      'failover failed at rds.failoverGlobalCluster: would lose up to 30s of writes > maxDataAgeSeconds 10; manual failover only; DNS unchanged',
    );
    expect(kit.texts().at(-1)).toBe(
      '[switchback] web: FAILOVER FAILED at rds.failoverGlobalCluster: would lose up to 30s of writes > maxDataAgeSeconds 10; manual failover only - DNS unchanged',
    );
    expect(apiCalls(kit, 'rds.FailoverGlobalCluster')).toBe(0);
  });

  it('lets a manual failover through, and its texts say how old the data is', async () => {
    const kit = await kitWith(true, 30_000, { maxDataAgeSeconds: 10 });
    kit.world.rds.setRegionAvailable('us-east-1', false);
    await kit.startRun('failover', { trigger: 'manual', reason: 'manual failover by alice' });
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(outcome.reason).toMatch(/^failover succeeded in \d+s: now on SECONDARY; data up to 30s old$/);
    expect(kit.texts().at(-1)).toMatch(/^\[switchback\] web: now on SECONDARY \(took \d+s; data up to 30s old\)$/);
  });

  it('does not stand in the way of a switchover (nothing is lost while the writer answers)', async () => {
    const kit = await kitWith(true, 30_000, { maxDataAgeSeconds: 10 });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(kit.texts().at(-1)).toMatch(/now on SECONDARY \(took \d+s; no data lost\)$/);
  });
});

describe('rds.switchoverGlobalCluster (failback)', () => {
  it('is refused while the former writer resynchronizes, and moves the writer back with no data loss once it has', async () => {
    const kit = await kitWith(true);
    kit.world.rds.setRegionAvailable('us-east-1', false);
    await kit.startRun('failover');
    expect((await kit.execute('orchestrator:1')).run?.status).toBe('succeeded');
    kit.world.rds.setRegionAvailable('us-east-1', true);
    expect(kit.world.rds.globalCluster(GLOBAL)?.members.find((member) => member.dbClusterArn === EAST)?.synchronizationStatus).toBe(
      'pending-resync',
    );

    await kit.startRun('failback', { id: 'failback-early' });
    const early = await kit.execute('orchestrator:2');
    expect(early.run?.status).toBe('failed');
    expect(early.run?.steps[0].error).toMatch(/InvalidGlobalClusterStateFault.*not synchronized \(pending-resync\)/);

    kit.clock.advance(300_000);
    await kit.startRun('failback', { id: 'failback-2' });
    const later = await kit.execute('orchestrator:3');
    expect(later.run?.status).toBe('succeeded');
    expect(kit.world.rds.globalCluster(GLOBAL)).toMatchObject({ writerArn: EAST });
    expect(kit.world.rds.globalCluster(GLOBAL)?.operations.map((operation) => [operation.kind, operation.lostMs])).toEqual([
      ['failover', 4_000],
      ['switchover', 0],
    ]);
  });
});

describe('rds.promoteReadReplica', () => {
  const promoteConfig = () =>
    buildConfig({
      services: [{ secondary: { prepare: [{ id: 'db', 'rds.promoteReadReplica': { dbInstanceIdentifier: 'app-replica' } }] } }],
    });

  it('promotes the replica, waits until it is standalone and available, and says it is one-way', async () => {
    const kit = await createEngineKit(dynamo, { config: promoteConfig() });
    expect(kit.world.rds.dbInstance('us-west-2', 'app-replica')).toMatchObject({
      status: 'available',
      replicaOf: expect.stringContaining('app-replica-source'),
    });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(kit.world.rds.dbInstance('us-west-2', 'app-replica')).toEqual(expect.objectContaining({ status: 'available' }));
    expect(kit.world.rds.dbInstance('us-west-2', 'app-replica')?.replicaOf).toBeUndefined();
    const step = outcome.run?.steps[0];
    expect(step?.output).toEqual({ dbInstanceIdentifier: 'app-replica', oneWay: true });
    expect(step?.note).toBe(
      'app-replica is a standalone database now (one-way: it no longer replicates from arn:aws:rds:us-east-1:123456789012:db:app-replica-source)',
    );
    expect((step?.endedAtEpochMs ?? 0) - (step?.startedAtEpochMs ?? 0)).toBeGreaterThanOrEqual(180_000);
  });

  it('resumed while the promotion runs, it waits and never promotes twice', async () => {
    const kit = await createEngineKit(dynamo, { config: promoteConfig() });
    await kit.startRun('failover');
    const first = await kit.execute('orchestrator:1', { deadlineEpochMs: kit.clock.now() + 40_000 });
    expect(first.status).not.toBe('finished');
    expect(kit.world.rds.dbInstance('us-west-2', 'app-replica')?.status).toBe('modifying');
    const second = await kit.execute('orchestrator:2');
    expect(second.run?.status).toBe('succeeded');
    expect(apiCalls(kit, 'rds.PromoteReadReplica')).toBe(1);
  });

  it('an instance that is already standalone is success without a call', async () => {
    const kit = await createEngineKit(dynamo, {
      config: promoteConfig(),
      prepareWorld: (world) => world.rds.addDbInstance({ region: 'us-west-2', dbInstanceIdentifier: 'app-replica' }),
    });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.steps[0].note).toBe('app-replica was already standalone');
    expect(apiCalls(kit, 'rds.PromoteReadReplica')).toBe(0);
  });
});
