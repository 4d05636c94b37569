import { measure } from '../../../bench/detection';
import type { SimulationResult } from '../../../sim/runner';

/** A timeline as the runner writes it: times in seconds since the start, rounded to 0.1 s. */
function result(downAt: number, decisionAt: number): Pick<SimulationResult, 'timeline' | 'summary'> {
  return {
    timeline: [
      { t: downAt, kind: 'site', site: 'primary', health: 'down' },
      { t: decisionAt, kind: 'transition', service: 'web', to: 'FAILING_OVER' },
      { t: decisionAt, kind: 'sms', service: 'web' },
      { t: decisionAt + 4, kind: 'dns', service: 'web' },
    ],
    summary: { errors: [] } as unknown as SimulationResult['summary'],
  };
}

describe('bench detection: measure', () => {
  it('gives a decision 3 s after the site went down as 3, not 3.0000000000000004 (over the 3 s bound)', () => {
    expect(6.4 - 3.4).toBeGreaterThan(3);
    const trial = measure(result(3.4, 6.4));
    expect(trial.decision).toBe(3);
    expect(trial.sms).toBe(3);
    expect(trial.dns).toBe(7);
  });

  it('keeps a decision 0.1 s over the bound over it', () => {
    expect(measure(result(3.4, 6.5)).decision).toBe(3.1);
  });

  it('names what is missing from the timeline', () => {
    const noDecision = result(3, 6);
    noDecision.timeline = noDecision.timeline.filter((entry) => entry.kind !== 'transition');
    expect(() => measure(noDecision)).toThrow('detection: no FAILING_OVER transition in the timeline (errors: none)');
  });
});
