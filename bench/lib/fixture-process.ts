/**
 * The other side of the loopback: a child process that serves the sites (and, when asked, the
 * embedded DynamoDB), so the process being measured does only the controller's work and the
 * servers get the other CPU core. Asked once over IPC, answers with the ports, then serves until
 * told to stop.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { startSite, type Site } from '../../sim/sites';
import type { FixtureReply, FixtureRequest } from './fixtures';

const sites: Site[] = [];
let dynamo: Server | undefined;

async function startDynalite(): Promise<string> {
  const dynalite = require('dynalite') as (options: Record<string, number>) => Server;
  dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamo?.once('error', reject);
    dynamo?.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
}

async function serve(request: FixtureRequest): Promise<FixtureReply> {
  const dynamoEndpoint = request.dynamo ? await startDynalite() : undefined;
  const ports: number[] = [];
  for (const health of request.sites) {
    const site = await startSite();
    if (health.mode !== 'up') await site.setHealth(health);
    sites.push(site);
    ports.push(site.port);
  }
  return { ports, ...(dynamoEndpoint ? { dynamoEndpoint } : {}) };
}

process.on('message', (message: { type: 'start'; request: FixtureRequest } | { type: 'stop' }) => {
  if (message.type === 'start') {
    serve(message.request).then(
      (reply) => process.send?.({ type: 'ready', reply }),
      (error: unknown) => process.send?.({ type: 'failed', error: String(error) }),
    );
  } else {
    void Promise.all(sites.map((site) => site.close())).finally(() => {
      dynamo?.closeAllConnections?.();
      dynamo?.close();
      process.exit(0);
    });
  }
});
process.on('disconnect', () => process.exit(0));
