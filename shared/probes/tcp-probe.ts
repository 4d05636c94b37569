/** TCP probe: the site is up when a connection to host:port is established before the deadline. */
import net from 'node:net';
import type { TcpProbeSpec } from '../config/types';
import { describeProbeError, PROBE_CAUSES } from './causes';
import type { ProbeOutcome } from './types';

export function probeTcp(spec: TcpProbeSpec, signal: AbortSignal): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ ok: false, cause: PROBE_CAUSES.timeout });
    const socket = net.connect({ host: spec.host, port: spec.port });
    let settled = false;

    function finish(outcome: ProbeOutcome): void {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    }
    function onAbort(): void {
      finish({ ok: false, cause: PROBE_CAUSES.timeout });
    }

    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ ok: true }));
    // Errors after `finish` (the socket is destroyed) are swallowed by this listener staying attached.
    socket.on('error', (error) => finish({ ok: false, cause: describeProbeError(error) }));
  });
}
