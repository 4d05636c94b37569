/** A probe-only location's watch on the control region, in its own table (embedded DynamoDB). */
import { createControlWatchStore } from '../../../shared/store/control-watch';
import { VersionConflictError } from '../../../shared/store';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  await dynamo.createTable('switchback-test-location');
});
afterAll(() => dynamo.close());

describe('control watch store', () => {
  it('starts quiet, keeps what was saved across instances (cold starts), and refuses a stale version', async () => {
    const open = () =>
      createControlWatchStore({ client: dynamo.client, tableName: 'switchback-test-location', controlRegion: 'us-west-2' });
    expect(await open().load()).toEqual({ watch: { toldUnreachable: false }, version: 0 });

    await open().save({ silentSinceEpochMs: 1_000, toldUnreachable: false }, 0);
    await open().save({ silentSinceEpochMs: 1_000, toldUnreachable: true }, 1);
    expect(await open().load()).toEqual({ watch: { silentSinceEpochMs: 1_000, toldUnreachable: true }, version: 2 });

    // Two invocations that read version 1: only the first write wins.
    await expect(open().save({ toldUnreachable: false }, 1)).rejects.toBeInstanceOf(VersionConflictError);
    await expect(open().save({ toldUnreachable: false }, 0)).rejects.toBeInstanceOf(VersionConflictError);
    // Another control region (a config change) starts from nothing.
    const other = createControlWatchStore({ client: dynamo.client, tableName: 'switchback-test-location', controlRegion: 'eu-central-1' });
    expect((await other.load()).version).toBe(0);
  });
});
