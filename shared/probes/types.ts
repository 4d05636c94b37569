import type { ProbeSpec } from '../config/types';

export type { ProbeSpec };

/** What one probe saw. `cause` is set when `ok` is false (see PROBE_CAUSES); `status` when an HTTP answer arrived. */
export interface ProbeResult {
  ok: boolean;
  /** Wall-clock milliseconds from the moment the probe got its concurrency slot until it had an answer. */
  latencyMs: number;
  cause?: string;
  status?: number;
  /** When the result was known (the prober's `now()`, i.e. the simulator's clock under simulation). */
  checkedAtEpochMs: number;
}

export interface Prober {
  /** Never throws: every failure, including a bad spec, is a result with `ok: false` and a cause. */
  probe(spec: ProbeSpec): Promise<ProbeResult>;
  /** Probes concurrently (bounded by maxConcurrency); results are in the order of `specs`. */
  probeAll(specs: ProbeSpec[]): Promise<ProbeResult[]>;
  /** Destroys pooled connections and aborts probes in flight; later probes fail with `error: prober closed`. */
  close(): Promise<void>;
}

/** The part of a result a single probe attempt decides; the prober adds timing. */
export interface ProbeOutcome {
  ok: boolean;
  cause?: string;
  status?: number;
}
