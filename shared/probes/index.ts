/** Probes: http, https and tcp checks with bounded concurrency, and folding results into SiteHealth. */
export { createProber, type ProberOptions } from './prober';
export type { ProbeResult, Prober, ProbeSpec } from './types';
export { updateSiteHealth, siteHealthChanged } from './site-health';
export { describeProbeError, statusCause, truncateCause, PROBE_CAUSES, MAX_CAUSE_CHARS } from './causes';
export { MAX_BODY_BYTES, MAX_REDIRECTS, serverNameFor } from './http-probe';
export { createSemaphore, forEachBounded, type Semaphore } from './semaphore';
