/**
 * 200 services, 20 of whose primaries die at the same moment: each is detected and failed over on
 * its own within the detection bound; the other 180 are untouched.
 */
import { runScenario } from '../../sim/runner';
import { parseScenario } from '../../sim/scenario';

const SERVICES = 200;
const FAILING = 20;

function service(index: number) {
  const name = `svc-${String(index).padStart(3, '0')}`;
  return {
    name,
    dns: { hostedZoneId: 'Z0123456789ABC', recordName: `${name}.example.com`, type: 'A', ttl: 30 },
    primary: { region: 'us-east-1', target: [`203.0.113.${index % 250}`], probe: { type: 'http', url: `http://10.0.0.1/${name}/health` } },
    secondary: {
      region: 'us-west-2',
      target: [`198.51.100.${index % 250}`],
      probe: { type: 'http', url: `http://10.0.1.1/${name}/health` },
    },
  };
}

test(`${SERVICES} services, ${FAILING} failing at once: each handled independently within the detection bound`, async () => {
  const scenario = parseScenario(
    {
      config: {
        controlRegion: 'us-west-2',
        notify: { sms: ['+15555550100'] },
        services: Array.from({ length: SERVICES }, (_, index) => service(index)),
      },
      duration: '3m',
      events: Array.from({ length: FAILING }, (_, index) => ({ at: '1m', site: `${service(index * 10).name}/primary`, health: 'down' })),
    },
    __dirname,
    'scale',
  );
  const result = await runScenario(scenario);
  const failed = new Set(Array.from({ length: FAILING }, (_, index) => service(index * 10).name));
  const { failureThreshold, intervalSeconds } = scenario.config.services[0].policy.probe;
  const boundSeconds = failureThreshold * intervalSeconds + intervalSeconds;
  for (const [name, summary] of Object.entries(result.summary.services)) {
    if (failed.has(name)) {
      expect({ name, state: summary.finalState, failovers: summary.failovers }).toEqual({ name, state: 'SECONDARY', failovers: 1 });
      expect(summary.detectionSeconds).toBeLessThanOrEqual(boundSeconds);
    } else {
      expect({ name, state: summary.finalState, runs: summary.failovers }).toEqual({ name, state: 'PRIMARY', runs: 0 });
    }
  }
  expect(result.summary.runs).toHaveLength(FAILING);
  expect(result.summary.errors).toEqual([]);
}, 120_000);
