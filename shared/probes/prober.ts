/**
 * The prober: runs http/https/tcp probes with one overall deadline each and a bound on how many
 * run at once. A probe's deadline starts when it gets its slot, so a hung endpoint costs one slot
 * for its own timeoutMs and never delays the others past theirs.
 */
import tls from 'node:tls';
import type { ProbeSpec } from '../config/types';
import { SwitchbackError } from '../errors';
import { describeProbeError, PROBE_CAUSES, truncateCause } from './causes';
import { probeHttp, type HttpProbeProgress, type TlsProfile } from './http-probe';
import { createSemaphore } from './semaphore';
import { probeTcp } from './tcp-probe';
import type { ProbeOutcome, ProbeResult, Prober } from './types';

export interface ProberOptions {
  /** Probes in flight at once (default 256); further probes wait for a slot. */
  maxConcurrency?: number;
  /** Epoch milliseconds for `checkedAtEpochMs` (default Date.now; the simulator passes its clock). */
  now?: () => number;
}

const DEFAULTS = { maxConcurrency: 256, now: Date.now } as const;
const KNOWN_OPTIONS = new Set(Object.keys(DEFAULTS));
const CLOSED_CAUSE = 'error: prober closed';

export function createProber(options: ProberOptions = {}): Prober {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new SwitchbackError(`createProber: unknown option "${key}"`, { context: { option: key } });
  }
  const maxConcurrency = options.maxConcurrency ?? DEFAULTS.maxConcurrency;
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) {
    throw new SwitchbackError(`createProber: maxConcurrency must be a positive integer, got ${maxConcurrency}`);
  }
  const now = options.now ?? DEFAULTS.now;
  const semaphore = createSemaphore(maxConcurrency);
  /** One secure context per added CA (parsing the root store for every probe would cost each one milliseconds). */
  const secureContexts = new Map<string, tls.SecureContext>();
  /** Attempts in flight: close() aborts them, which destroys their sockets. */
  const inFlight = new Set<AbortController>();
  let closed = false;

  function secureContextFor(profile: TlsProfile): tls.SecureContext | undefined {
    // Without an added CA Node's default context (the bundled root store) does; an insecure probe checks nothing.
    if (!profile.caPem || profile.tlsInsecure) return undefined;
    let context = secureContexts.get(profile.caPem);
    if (!context) {
      context = tls.createSecureContext({ ca: [...tls.rootCertificates, profile.caPem] });
      secureContexts.set(profile.caPem, context);
    }
    return context;
  }

  /** The injected clock, falling back to the system clock if it throws (a probe never throws). */
  function stamp(): number {
    try {
      return now();
    } catch {
      return Date.now();
    }
  }

  async function probe(spec: ProbeSpec): Promise<ProbeResult> {
    if (closed) return { ok: false, latencyMs: 0, cause: CLOSED_CAUSE, checkedAtEpochMs: stamp() };
    const release = await semaphore.acquire();
    const startedAt = performance.now();
    try {
      let outcome: ProbeOutcome = closed ? { ok: false, cause: CLOSED_CAUSE } : await runWithDeadline(spec, secureContextFor, inFlight);
      // A probe cut short by close() says so, not whatever the destroyed connection reported.
      if (closed && !outcome.ok) outcome = { ...outcome, cause: CLOSED_CAUSE };
      return { ...outcome, latencyMs: Math.round(performance.now() - startedAt), checkedAtEpochMs: stamp() };
    } catch (error) {
      // runWithDeadline does not throw; this only keeps the "never throws" promise for the unexpected.
      return {
        ok: false,
        latencyMs: Math.round(performance.now() - startedAt),
        cause: describeProbeError(error),
        checkedAtEpochMs: stamp(),
      };
    } finally {
      release();
    }
  }

  return {
    probe,
    probeAll: (specs) => Promise.all(specs.map((spec) => probe(spec))),
    async close() {
      closed = true;
      for (const controller of inFlight) controller.abort(new Error('prober closed'));
      inFlight.clear();
      secureContexts.clear();
    },
  };
}

/**
 * One attempt under one deadline covering connect, headers, body and redirects. The deadline both
 * aborts the attempt (sockets are destroyed) and wins the race outright, so nothing inside an
 * attempt can hold a probe past timeoutMs.
 */
async function runWithDeadline(
  spec: ProbeSpec,
  secureContextFor: (profile: TlsProfile) => tls.SecureContext | undefined,
  inFlight: Set<AbortController>,
): Promise<ProbeOutcome> {
  const controller = new AbortController();
  inFlight.add(controller);
  const progress: HttpProbeProgress = {};
  const timedOut = (): ProbeOutcome => ({
    ok: false,
    cause: PROBE_CAUSES.timeout,
    ...(progress.status === undefined ? {} : { status: progress.status }),
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ProbeOutcome>((resolve) => {
    timer = setTimeout(
      () => {
        controller.abort(new ProbeDeadlineError(spec.timeoutMs));
        resolve(timedOut());
      },
      Math.max(1, spec.timeoutMs),
    );
  });
  const attempt = (async (): Promise<ProbeOutcome> => {
    try {
      return spec.type === 'tcp'
        ? await probeTcp(spec, controller.signal)
        : await probeHttp(spec, secureContextFor, controller.signal, progress);
    } catch (error) {
      if (controller.signal.aborted) return timedOut();
      return { ok: false, cause: describeProbeError(error), ...(progress.status === undefined ? {} : { status: progress.status }) };
    }
  })();
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
    inFlight.delete(controller);
    // Whatever the attempt still holds (a socket mid-connect, a body) is torn down now.
    if (!controller.signal.aborted) controller.abort(new ProbeDeadlineError(spec.timeoutMs));
  }
}

/** The abort reason when a probe's deadline passes; never escapes the prober. */
class ProbeDeadlineError extends SwitchbackError {
  override readonly name: string = 'ProbeDeadlineError';
  constructor(timeoutMs: number) {
    super(truncateCause(`probe deadline of ${timeoutMs} ms passed`), { context: { timeoutMs } });
  }
}
