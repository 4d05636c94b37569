/** The durable runbook engine: `executeRun` and what it needs and reports. */
export { executeRun, DEFAULT_HANDOFF_MARGIN_MS, DEFAULT_LEASE_TTL_MS, PENDING_NOTIFICATION_ERROR } from './engine';
export { CrashError, StepParamsError, StepTimeoutError } from './errors';
export { ENGINE_OUTCOMES } from './types';
export type { EngineAws, EngineDeps, EngineFaults, EngineLogger, EngineOutcome, EngineOutcomeStatus, ExecuteRunOptions } from './types';
export { publishToOnCall, PUBLISH_RETRY, type PublishOutcome } from './notifications';
export { clientTokenFor, userMessage } from '../actions';
