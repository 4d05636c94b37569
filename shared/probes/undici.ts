/**
 * The two pieces of undici the probes use, loaded by path. undici's index also loads fetch,
 * WebSocket, caches and more (about 240 KB minified, ~30 ms to load) that a probe never needs,
 * and `probe` is the function whose cold start matters most. undici 7 has no `exports` map, so
 * these paths are public files of the package; the probe tests exercise them on every run.
 */
import type { Agent as UndiciAgent, Dispatcher } from 'undici';

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;

const dispatcherRequest = require('undici/lib/api/api-request.js') as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher };

/** `undici.request(url, options)` with an explicit dispatcher (what undici's index does for it). */
export function request(url: URL, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  return dispatcherRequest.call(dispatcher, { ...rest, origin: url.origin, path: `${url.pathname}${url.search}` });
}
