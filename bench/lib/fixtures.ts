/** Start the servers of a benchmark in a child process (see fixture-process.ts). */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { SiteHealthMode } from '../../sim/sites';

export interface FixtureRequest {
  /** One loopback site per entry, in this health. */
  sites: SiteHealthMode[];
  /** Also start dynalite there. */
  dynamo?: boolean;
}

export interface FixtureReply {
  ports: number[];
  dynamoEndpoint?: string;
}

export interface Fixture extends FixtureReply {
  stop(): Promise<void>;
}

export function startFixture(request: FixtureRequest): Promise<Fixture> {
  const child = fork(join(__dirname, 'fixture-process.ts'), [], {
    execArgv: ['--require', require.resolve('tsx/cjs')],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.send({ type: 'stop' });
      setTimeout(() => child.kill(), 2_000).unref();
    });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`fixture process exited early (${code})`)));
    child.on('message', (message: { type: 'ready'; reply: FixtureReply } | { type: 'failed'; error: string }) => {
      if (message.type === 'ready') resolve({ ...message.reply, stop });
      else reject(new Error(`fixture process: ${message.error}`));
    });
    child.send({ type: 'start', request });
  });
}
