/** Enumerations of `switchback.yml` that the step actions share with the schema (a module without imports). */
export const TRIGGER_POLICIES = ['probe', 'alarm', 'alarm-confirmed-by-probe'] as const;
export const FAILBACK_MODES = ['auto', 'manual'] as const;
/** Who can hold a failback: `any` fresh location seeing the primary fail, or only a `majority` (the quorum). */
export const FAILBACK_QUORUMS = ['any', 'majority'] as const;
export const DNS_TYPES = ['A', 'AAAA', 'CNAME', 'alias'] as const;
export const DNS_STRATEGIES = ['record-swap', 'health-check-flag'] as const;
export const ON_FAILURE = ['abort', 'continue'] as const;
