/**
 * The health gate on the simulated world with the real handlers: the secondary is healthy when the
 * decision is made and dies while its standby starts. With no `http.waitHealthy` step, only
 * `dns.requireHealthyTarget` (default true) stands between that and a switch to a dead site.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { runScenario } from '../../sim/runner';
import { parseScenario } from '../../sim/scenario';
import { SCENARIOS, smsTexts } from './scenario-kit';

const SUITE = join(SCENARIOS, 'suite');

/** The suite's web service without its wait step; EC2 takes 60 s to start the standby. */
function secondaryDiesDuringStart(dns: Record<string, unknown> = {}) {
  const config = parseDocument(readFileSync(join(SCENARIOS, 'configs', 'web.yml'), 'utf8')).toJS() as {
    services: { dns: Record<string, unknown>; secondary: { prepare: Record<string, unknown>[] } }[];
  };
  const web = config.services[0];
  web.dns = { ...web.dns, ...dns };
  web.secondary.prepare = web.secondary.prepare.filter((step) => !('http.waitHealthy' in step));
  return parseScenario(
    {
      name: 'health-gate',
      config,
      duration: '5m',
      world: { ec2TransitionSeconds: 60 },
      // Detection takes 3 rounds of 10 s (decision by about 1m40s); the standby is starting until about 2m40s.
      events: [
        { at: '1m', site: 'web/primary', health: 'down' },
        { at: '2m', site: 'web/secondary', health: 'down' },
      ],
    },
    SUITE,
  );
}

describe('health gate before the DNS switch', () => {
  test('a dead secondary with no wait step is not switched to: run failed, DNS unchanged, people texted', async () => {
    const result = await runScenario(secondaryDiesDuringStart());
    const web = result.summary.services.web;
    expect(result.summary.runs.map((run) => `${run.kind} ${run.status}`)).toEqual(['failover failed']);
    expect(web.finalState).toBe('FAILOVER_FAILED');
    expect(web.dnsTarget).toEqual(['203.0.113.10']);
    expect(result.summary.apiCalls['route53.ChangeResourceRecordSets'] ?? 0).toBe(0);
    const texts = smsTexts(result);
    expect(texts.some((text) => /FAILOVER FAILED at route53\.switch.*failed its health check/.test(text))).toBe(true);
    expect(texts.some((text) => text.includes('now on SECONDARY'))).toBe(false);
    expect(result.summary.errors).toEqual([]);
  });

  test('without the gate (requireHealthyTarget: false) the same outage moves traffic to the dead site', async () => {
    const result = await runScenario(secondaryDiesDuringStart({ requireHealthyTarget: false }));
    expect(result.summary.runs[0]).toMatchObject({ kind: 'failover', status: 'succeeded' });
    expect(result.summary.services.web.dnsTarget).toEqual(['198.51.100.20']);
  });
});
