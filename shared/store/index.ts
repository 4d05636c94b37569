export { createStore, type AuditEvent, type CreateStoreOptions, type Store, type StoreStats } from './store';
export { LeaseLostError, RunAlreadyActiveError, VersionConflictError } from './errors';
export { TABLE_DEFINITION, TTL_ATTRIBUTE, epochKey, keys } from './table';
