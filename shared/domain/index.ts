/** The pure domain: diagnosis, state machine, runbook plans and SMS texts. No I/O, no clock. */
export * from './types';
export * from './errors';
export * from './diagnose';
export * from './state-machine';
export * from './plan';
export * from './messages';
export * from './flag';
