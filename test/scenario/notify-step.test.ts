/**
 * A runbook `notify` step survives a crash: the orchestrator dies right after journalling the step
 * as started (before its publish); the watchdog resumes the run and the message is sent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { runScenario } from '../../sim/runner';
import { parseScenario } from '../../sim/scenario';
import { SCENARIOS, smsTexts } from './scenario-kit';

const SUITE = join(SCENARIOS, 'suite');

function withNotifyStep(faults: unknown[]) {
  const config = parseDocument(readFileSync(join(SCENARIOS, 'configs', 'web.yml'), 'utf8')).toJS() as {
    services: { secondary: { prepare: Record<string, unknown>[] } }[];
  };
  config.services[0].secondary.prepare.unshift({ id: 'tell', notify: { message: 'warming caches, 2 min' } });
  return parseScenario(
    { name: 'notify-crash', config, duration: '6m', events: [{ at: '1m', site: 'web/primary', health: 'down' }], faults },
    SUITE,
  );
}

test('a notify step survives a crash before its publish: the resumed run sends it', async () => {
  const result = await runScenario(withNotifyStep([{ crash: { step: 'tell', times: 1 } }]));
  expect(result.timeline.filter((entry) => entry.kind === 'fault')).toHaveLength(1);
  expect(result.summary.runs[0]).toMatchObject({ kind: 'failover', status: 'succeeded' });
  expect(result.summary.runs[0].steps[0]).toMatchObject({ name: 'tell', attempts: 2 });
  expect(smsTexts(result).filter((text) => text.includes('warming caches'))).toEqual(['[switchback] web: warming caches, 2 min']);
});
