/**
 * Every state × every input kind: next state, effects, reason sentence, accepted. The states are reached
 * through the real functions (fixtures.statesFor) and every decision is made one hour after the last
 * transition (cooldown 1800 s has passed; hold-downs have not started).
 */
import { decide, type DecisionInput } from '../../../shared/domain/state-machine';
import type { ServiceState } from '../../../shared/domain/types';
import { command, context, exampleService, HOUR, observe, SEEN, statesFor, T0 } from './fixtures';

const service = exampleService();
const states = statesFor(service);
const NOW = T0 + HOUR;

const DOWN = 'primary failed 3/3 probes from 1/1 locations; secondary healthy';
const DEGRADED = 'primary failed 1/3 probes from 1/1 locations, below threshold (quorum 1); secondary healthy';
const HEALTHY = 'primary up 2/5 probes from 1/1 locations; secondary healthy';
const RECOVERED = 'primary up 5/5 probes from 1/1 locations; secondary healthy';
const CUTOFF = 'primary and secondary unreachable from every probe location: the controller may be cut off';
const NONE = 'no fresh probe results (0/1 locations reporting)';
const BLOCKED = 'primary failed 3/3 probes from 1/1 locations; secondary not confirmed healthy (0/1 up, quorum 1)';

const INPUTS: Record<string, DecisionInput> = {
  'observe PrimaryDown': observe(SEEN.down),
  'observe PrimaryDegraded': observe(SEEN.degraded),
  'observe PrimaryHealthy': observe(SEEN.healthy),
  'observe PrimaryRecovered': observe(SEEN.recovered),
  'observe ControlCutOff': observe(SEEN.cutoff),
  'observe NoEvidence': observe(SEEN.none),
  'observe PrimaryDown, secondary unknown': observe(SEEN.downSecondaryUnknown),
  'alarm ALARM': { kind: 'alarm', name: 'web-5xx-high', alarmState: 'ALARM', atEpochMs: NOW - 5000, evidence: SEEN.recovered },
  'alarm OK': { kind: 'alarm', name: 'web-5xx-high', alarmState: 'OK', atEpochMs: NOW - 5000, evidence: SEEN.recovered },
  'command freeze': command('freeze'),
  'command unfreeze': command('unfreeze'),
  'command failover': command('failover'),
  'command failback': command('failback'),
  'command approve': command('approve'),
  'command abort': command('abort'),
  drill: { kind: 'drill', holdSeconds: 300, by: 'bob' },
};
type InputName = keyof typeof INPUTS;

/** [next state, effects "type[:key]" joined by ",", reason (`{run}` = the active run id), accepted]. */
type Expected = [string, string, string, boolean?];
const REFUSED = false;

const FAILED_OVER = 'a human must look: failover failed at ec2.start: InsufficientInstanceCapacity; DNS unchanged';
const FAILED_BACK = 'a human must look: failback failed at route53.switch: Throttling; traffic still on SECONDARY';

const TABLE: Record<string, Record<InputName, Expected>> = {
  PRIMARY: {
    'observe PrimaryDown': ['FAILING_OVER', 'startRun', `failing over: ${DOWN}`],
    'observe PrimaryDegraded': ['PRIMARY', '', DEGRADED],
    'observe PrimaryHealthy': ['PRIMARY', '', HEALTHY],
    'observe PrimaryRecovered': ['PRIMARY', '', RECOVERED],
    'observe ControlCutOff': ['PRIMARY', 'notify:cutoff', `${CUTOFF}; no action taken`],
    'observe NoEvidence': ['PRIMARY', '', NONE],
    'observe PrimaryDown, secondary unknown': ['PRIMARY', 'notify:blocked', `failover blocked: ${BLOCKED}`],
    'alarm ALARM': ['PRIMARY', '', RECOVERED],
    'alarm OK': ['PRIMARY', '', RECOVERED],
    'command freeze': ['PRIMARY', '', 'frozen by alice: automation paused, probes still recorded'],
    'command unfreeze': ['PRIMARY', '', 'not frozen: nothing to do'],
    'command failover': ['FAILING_OVER', 'startRun', 'failing over: manual failover by alice'],
    'command failback': ['PRIMARY', '', 'failback refused: already on PRIMARY', REFUSED],
    'command approve': ['PRIMARY', '', 'approve refused: only a failback from SECONDARY can be approved (service is PRIMARY)', REFUSED],
    'command abort': ['PRIMARY', '', 'abort refused: no run in progress', REFUSED],
    drill: ['FAILING_OVER', 'startRun', 'failing over: drill by bob: fail over, hold 300s on SECONDARY, fail back'],
  },
  FAILING_OVER: {
    'observe PrimaryDown': ['FAILING_OVER', '', `failover already in progress (run {run}); ${DOWN}`],
    'observe PrimaryDegraded': ['FAILING_OVER', '', `failover already in progress (run {run}); ${DEGRADED}`],
    'observe PrimaryHealthy': ['FAILING_OVER', '', `failover already in progress (run {run}); ${HEALTHY}`],
    'observe PrimaryRecovered': ['FAILING_OVER', '', `failover already in progress (run {run}); ${RECOVERED}`],
    'observe ControlCutOff': ['FAILING_OVER', '', `failover already in progress (run {run}); ${CUTOFF}`],
    'observe NoEvidence': ['FAILING_OVER', '', `failover already in progress (run {run}); ${NONE}`],
    'observe PrimaryDown, secondary unknown': ['FAILING_OVER', '', `failover already in progress (run {run}); ${BLOCKED}`],
    'alarm ALARM': ['FAILING_OVER', '', `failover already in progress (run {run}); ${RECOVERED}`],
    'alarm OK': ['FAILING_OVER', '', `failover already in progress (run {run}); ${RECOVERED}`],
    'command freeze': ['FAILING_OVER', '', 'frozen by alice: automation paused, probes still recorded'],
    'command unfreeze': ['FAILING_OVER', '', 'not frozen: nothing to do'],
    'command failover': ['FAILING_OVER', '', 'failover refused: failover already in progress (run {run}); abort it first', REFUSED],
    'command failback': ['FAILING_OVER', '', 'failback refused: failover already in progress (run {run}); abort it first', REFUSED],
    'command approve': [
      'FAILING_OVER',
      '',
      'approve refused: only a failback from SECONDARY can be approved (service is FAILING_OVER)',
      REFUSED,
    ],
    'command abort': ['FAILING_OVER', 'requestAbort', 'abort of failover run {run} requested by alice: it stops at the next step boundary'],
    drill: ['FAILING_OVER', '', 'drill refused: failover already in progress (run {run})', REFUSED],
  },
  SECONDARY: {
    'observe PrimaryDown': ['SECONDARY', '', `staying on SECONDARY: ${DOWN}`],
    'observe PrimaryDegraded': ['SECONDARY', '', `waiting for the primary to recover: ${DEGRADED}`],
    'observe PrimaryHealthy': ['SECONDARY', '', `waiting for the primary to recover: ${HEALTHY}`],
    'observe PrimaryRecovered': ['SECONDARY', '', 'primary healthy for 0s of 900s hold-down: failback in 900s'],
    'observe ControlCutOff': ['SECONDARY', 'notify:cutoff', `${CUTOFF}; no action taken`],
    'observe NoEvidence': ['SECONDARY', '', NONE],
    'observe PrimaryDown, secondary unknown': ['SECONDARY', '', `staying on SECONDARY: ${BLOCKED}`],
    'alarm ALARM': ['SECONDARY', '', 'primary healthy for 0s of 900s hold-down: failback in 900s'],
    'alarm OK': ['SECONDARY', '', 'primary healthy for 0s of 900s hold-down: failback in 900s'],
    'command freeze': ['SECONDARY', '', 'frozen by alice: automation paused, probes still recorded'],
    'command unfreeze': ['SECONDARY', '', 'not frozen: nothing to do'],
    'command failover': ['SECONDARY', '', 'failover refused: already on SECONDARY', REFUSED],
    'command failback': ['FAILING_BACK', 'startRun', 'failing back: manual failback by alice'],
    'command approve': ['SECONDARY', '', 'approve refused: failback mode is auto, nothing to approve', REFUSED],
    'command abort': ['SECONDARY', '', 'abort refused: no run in progress', REFUSED],
    drill: ['SECONDARY', '', 'drill refused: service is SECONDARY, drills start from PRIMARY', REFUSED],
  },
  DRILL_HOLD: {
    'observe PrimaryDown': [
      'SECONDARY',
      'notify:drillPreempted',
      `real incident during the drill: ${DOWN}; staying on SECONDARY as a real failover`,
    ],
    'observe PrimaryDegraded': ['SECONDARY', '', `drill hold over; failback waits for a healthy primary: ${DEGRADED}`],
    'observe PrimaryHealthy': ['FAILING_BACK', 'startRun', `failing back: drill hold of 600s over; ${HEALTHY}`],
    'observe PrimaryRecovered': ['FAILING_BACK', 'startRun', `failing back: drill hold of 600s over; ${RECOVERED}`],
    'observe ControlCutOff': ['SECONDARY', 'notify:cutoff', `${CUTOFF}; no action taken`],
    'observe NoEvidence': ['SECONDARY', '', `drill hold over; failback waits for a healthy primary: ${NONE}`],
    'observe PrimaryDown, secondary unknown': [
      'SECONDARY',
      'notify:drillPreempted',
      `real incident during the drill: ${BLOCKED}; staying on SECONDARY as a real failover`,
    ],
    'alarm ALARM': ['FAILING_BACK', 'startRun', `failing back: drill hold of 600s over; ${RECOVERED}`],
    'alarm OK': ['FAILING_BACK', 'startRun', `failing back: drill hold of 600s over; ${RECOVERED}`],
    'command freeze': ['SECONDARY', '', 'frozen by alice: automation paused, probes still recorded'],
    'command unfreeze': ['SECONDARY', '', 'not frozen: nothing to do'],
    'command failover': ['SECONDARY', '', 'failover refused: already on SECONDARY (drill)', REFUSED],
    'command failback': ['FAILING_BACK', 'startRun', 'failing back: manual failback by alice'],
    'command approve': ['SECONDARY', '', 'approve refused: failback mode is auto, nothing to approve', REFUSED],
    'command abort': ['SECONDARY', '', 'abort refused: no run in progress', REFUSED],
    drill: ['SECONDARY', '', `drill refused: drill run run-${T0 - 2 * 60_000} is still holding on SECONDARY`, REFUSED],
  },
  FAILING_BACK: {
    'observe PrimaryDown': ['FAILING_BACK', '', `failback already in progress (run {run}); ${DOWN}`],
    'observe PrimaryDegraded': ['FAILING_BACK', '', `failback already in progress (run {run}); ${DEGRADED}`],
    'observe PrimaryHealthy': ['FAILING_BACK', '', `failback already in progress (run {run}); ${HEALTHY}`],
    'observe PrimaryRecovered': ['FAILING_BACK', '', `failback already in progress (run {run}); ${RECOVERED}`],
    'observe ControlCutOff': ['FAILING_BACK', '', `failback already in progress (run {run}); ${CUTOFF}`],
    'observe NoEvidence': ['FAILING_BACK', '', `failback already in progress (run {run}); ${NONE}`],
    'observe PrimaryDown, secondary unknown': ['FAILING_BACK', '', `failback already in progress (run {run}); ${BLOCKED}`],
    'alarm ALARM': ['FAILING_BACK', '', `failback already in progress (run {run}); ${RECOVERED}`],
    'alarm OK': ['FAILING_BACK', '', `failback already in progress (run {run}); ${RECOVERED}`],
    'command freeze': ['FAILING_BACK', '', 'frozen by alice: automation paused, probes still recorded'],
    'command unfreeze': ['FAILING_BACK', '', 'not frozen: nothing to do'],
    'command failover': ['FAILING_BACK', '', 'failover refused: failback already in progress (run {run}); abort it first', REFUSED],
    'command failback': ['FAILING_BACK', '', 'failback refused: failback already in progress (run {run}); abort it first', REFUSED],
    'command approve': [
      'FAILING_BACK',
      '',
      'approve refused: only a failback from SECONDARY can be approved (service is FAILING_BACK)',
      REFUSED,
    ],
    'command abort': ['FAILING_BACK', 'requestAbort', 'abort of failback run {run} requested by alice: it stops at the next step boundary'],
    drill: ['FAILING_BACK', '', 'drill refused: failback already in progress (run {run})', REFUSED],
  },
  FAILOVER_FAILED: {
    'observe PrimaryDown': ['FAILOVER_FAILED', '', FAILED_OVER],
    'observe PrimaryDegraded': ['FAILOVER_FAILED', '', FAILED_OVER],
    'observe PrimaryHealthy': ['FAILOVER_FAILED', '', FAILED_OVER],
    'observe PrimaryRecovered': ['FAILOVER_FAILED', '', FAILED_OVER],
    'observe ControlCutOff': ['FAILOVER_FAILED', 'notify:cutoff', `${CUTOFF}; no action taken`],
    'observe NoEvidence': ['FAILOVER_FAILED', '', FAILED_OVER],
    'observe PrimaryDown, secondary unknown': ['FAILOVER_FAILED', '', FAILED_OVER],
    'alarm ALARM': ['FAILOVER_FAILED', '', FAILED_OVER],
    'alarm OK': ['FAILOVER_FAILED', '', FAILED_OVER],
    'command freeze': ['FAILOVER_FAILED', '', 'frozen by alice: automation paused, probes still recorded'],
    'command unfreeze': ['FAILOVER_FAILED', '', 'not frozen: nothing to do'],
    'command failover': ['FAILING_OVER', 'startRun', 'failing over: manual failover by alice'],
    'command failback': ['FAILING_BACK', 'startRun', 'failing back: manual failback by alice'],
    'command approve': [
      'FAILOVER_FAILED',
      '',
      'approve refused: only a failback from SECONDARY can be approved (service is FAILOVER_FAILED)',
      REFUSED,
    ],
    'command abort': ['FAILOVER_FAILED', '', 'abort refused: no run in progress', REFUSED],
    drill: ['FAILOVER_FAILED', '', 'drill refused: service is FAILOVER_FAILED, drills start from PRIMARY', REFUSED],
  },
  FAILBACK_FAILED: {
    'observe PrimaryDown': ['FAILBACK_FAILED', '', FAILED_BACK],
    'observe PrimaryDegraded': ['FAILBACK_FAILED', '', FAILED_BACK],
    'observe PrimaryHealthy': ['FAILBACK_FAILED', '', FAILED_BACK],
    'observe PrimaryRecovered': ['FAILBACK_FAILED', '', FAILED_BACK],
    'observe ControlCutOff': ['FAILBACK_FAILED', 'notify:cutoff', `${CUTOFF}; no action taken`],
    'observe NoEvidence': ['FAILBACK_FAILED', '', FAILED_BACK],
    'observe PrimaryDown, secondary unknown': ['FAILBACK_FAILED', '', FAILED_BACK],
    'alarm ALARM': ['FAILBACK_FAILED', '', FAILED_BACK],
    'alarm OK': ['FAILBACK_FAILED', '', FAILED_BACK],
    'command freeze': ['FAILBACK_FAILED', '', 'frozen by alice: automation paused, probes still recorded'],
    'command unfreeze': ['FAILBACK_FAILED', '', 'not frozen: nothing to do'],
    'command failover': ['FAILING_OVER', 'startRun', 'failing over: manual failover by alice'],
    'command failback': ['FAILING_BACK', 'startRun', 'failing back: manual failback by alice'],
    'command approve': [
      'FAILBACK_FAILED',
      '',
      'approve refused: only a failback from SECONDARY can be approved (service is FAILBACK_FAILED)',
      REFUSED,
    ],
    'command abort': ['FAILBACK_FAILED', '', 'abort refused: no run in progress', REFUSED],
    drill: ['FAILBACK_FAILED', '', 'drill refused: service is FAILBACK_FAILED, drills start from PRIMARY', REFUSED],
  },
};

const CASES = Object.entries(TABLE).flatMap(([row, inputs]) => Object.keys(INPUTS).map((input) => [row, input, inputs[input]] as const));

describe('decide: every state × every input', () => {
  it('covers every row and input', () => {
    expect(Object.keys(TABLE).sort()).toEqual([
      'DRILL_HOLD',
      'FAILBACK_FAILED',
      'FAILING_BACK',
      'FAILING_OVER',
      'FAILOVER_FAILED',
      'PRIMARY',
      'SECONDARY',
    ]);
    for (const row of Object.values(TABLE)) expect(Object.keys(row).sort()).toEqual(Object.keys(INPUTS).sort());
  });

  it.each(CASES)('%s × %s', (row, inputName, [to, effects, reason, accepted = true]) => {
    const before: ServiceState = states[row];
    const snapshot = structuredClone(before);
    const decision = decide(before, INPUTS[inputName], context(service, NOW));
    const runId = before.activeRun?.id ?? '';
    expect(decision.state.state).toBe(to);
    expect(decision.effects.map((effect) => effect.type + ('key' in effect ? `:${effect.key}` : '')).join(',')).toBe(effects);
    expect(decision.reason).toBe(reason.replaceAll('{run}', runId));
    expect(decision.accepted).toBe(accepted);
    // The input state is never mutated; "unchanged" means the very same object; a change records the sentence.
    expect(before).toEqual(snapshot);
    if (decision.changed) expect(decision.state.lastReason).toBe(decision.reason);
    else expect(decision.state).toBe(before);
    // A run starts only with its effect, and then it is the active run of the next state.
    const started = decision.effects.find((effect) => effect.type === 'startRun');
    if (started && started.type === 'startRun') {
      expect(before.activeRun).toBeUndefined();
      expect(decision.state.activeRun).toBe(started.run);
      expect(started.run).toMatchObject({ status: 'running', id: `run-${NOW}`, service: 'web' });
    }
  });
});
