/**
 * Engine-facing guards on the simulated world with the real handlers: drills never delay a real
 * failover, and the orchestrator answers bad requests instead of throwing (an async invoke that
 * throws is retried by Lambda).
 */
import { runScenario } from '../../sim/runner';
import { smsTexts, variant } from './scenario-kit';

describe('drills and the cooldown', () => {
  test('a real outage two minutes after a live drill fails over at once', async () => {
    // The drill starts at 1m, holds 120 s and is back on PRIMARY by about 4m; the primary dies at 6m.
    const result = await runScenario(
      variant('live-drill', {
        duration: '12m',
        events: [
          { at: '1m', invoke: { function: 'drill', payload: { service: 'web', mode: 'live', holdSeconds: 120 } } },
          { at: '6m', site: 'web/primary', health: 'down' },
        ],
      }),
    );
    expect(result.summary.runs.map((run) => `${run.trigger} ${run.kind} ${run.status}`)).toEqual([
      'drill failover succeeded',
      'drill failback succeeded',
      'auto failover succeeded',
    ]);
    expect(smsTexts(result).some((text) => text.includes('cooldown'))).toBe(false);
    const web = result.summary.services.web;
    expect(web.finalState).toBe('SECONDARY');
    // Detected like any outage: 3 failures x 10 s.
    expect(web.detectionSeconds).toBeLessThanOrEqual(40);
  });
});

describe('the orchestrator and bad requests', () => {
  test('an unknown service or a bad payload is answered, not thrown', async () => {
    const result = await runScenario(
      variant('live-drill', {
        duration: '2m',
        events: [
          { at: '10s', invoke: { function: 'orchestrator', payload: { service: 'nope' } } },
          { at: '20s', invoke: { function: 'orchestrator', payload: 'garbage' } },
          { at: '30s', invoke: { function: 'orchestrator', payload: { service: 42 } } },
        ],
      }),
    );
    const answers = result.timeline.filter((entry) => entry.kind === 'invoke' && entry.function === 'orchestrator');
    expect(answers).toHaveLength(3);
    expect(answers[0].result).toMatchObject({ status: 'rejected', reason: 'unknown service "nope"; known services: web' });
    expect(answers[1].result).toMatchObject({ status: 'rejected' });
    expect(answers[2].result).toMatchObject({ status: 'rejected' });
    expect(result.summary.errors).toEqual([]);
  });
});
