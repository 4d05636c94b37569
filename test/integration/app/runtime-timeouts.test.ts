/**
 * The deployed composition root (buildLambdaDeps) against a DynamoDB endpoint that accepts the
 * connection and never answers, as a dark region can: the probe's look at the control region fails
 * in seconds instead of hanging the invocation until Lambda kills it, and a probe-only location is
 * built with its own table to keep its watch in.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { observeControlRegion } from '../../../shared/app/control-watch';
import { buildLambdaDeps } from '../../../shared/app/runtime';
import { noSelfMetrics } from '../../../shared/self-metrics';
import { writeCompiledConfig } from '../../support/compiled-config';

jest.setTimeout(60_000);

let server: Server;
const sockets = new Set<Socket>();
let endpoint = '';
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'eu-west-1',
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  process.env = saved;
});

test('a control region table that never answers is "unreachable" within seconds', async () => {
  const deps = buildLambdaDeps({
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: noSelfMetrics,
    env: {
      ...process.env,
      SWITCHBACK_CONFIG_PATH: writeCompiledConfig(),
      SWITCHBACK_TABLE: 'switchback-test',
      SWITCHBACK_STAGE: 'test',
      SWITCHBACK_ROLE: 'probe-only',
      SWITCHBACK_LOCATION: 'eu-west-1',
      SWITCHBACK_LOCATION_TABLE: 'switchback-test-location',
      SWITCHBACK_ORCHESTRATOR_FUNCTION: 'switchback-test-orchestrator',
    },
  });
  expect(deps.role).toBe('probe-only');
  expect(deps.controlWatch).toBeDefined();
  const startedAt = Date.now();
  const observation = await observeControlRegion(deps, startedAt);
  const tookMs = Date.now() - startedAt;
  expect(observation).toMatchObject({ reachable: false });
  // Three attempts of at most 5 s each plus backoff: far inside the probe's 70 s.
  expect(tookMs).toBeLessThan(25_000);
  expect(tookMs).toBeGreaterThanOrEqual(5_000);
});
