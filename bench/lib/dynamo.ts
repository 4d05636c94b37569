/** A client for a dynalite running in the fixture process (same settings as the simulator's). */
import { connectEmbeddedDynamo } from '../../sim/dynamo';

export type RemoteDynamo = ReturnType<typeof connectEmbeddedDynamo>;

export function connectDynamo(endpoint: string): RemoteDynamo {
  return connectEmbeddedDynamo(endpoint);
}
