/** The per-service state machine: `decide` (table and handlers) and `finishRun`. See decide.ts for the rules. */
export { COMMANDS, type Command, type Decision, type DecisionContext, type DecisionInput, type Effect } from './types';
export { decide } from './decide';
export { finishRun } from './finish-run';
export { sameData } from './outcomes';
