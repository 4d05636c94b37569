/** Scenario files: `crash` faults name a step or (added) an AWS call after which the orchestrator dies. */
import { parseDocument } from 'yaml';
import { ConfigError } from '../../../shared/errors';
import { parseScenario } from '../../../sim/scenario';
import { rawConfig } from '../../support/config-builder';

function scenarioWith(faults: string) {
  const document = parseDocument(`duration: 5m\nfaults:\n${faults}\n`).toJS() as Record<string, unknown>;
  return parseScenario({ ...document, config: rawConfig() }, __dirname);
}

describe('crash faults', () => {
  it('accepts { crash: { afterApi } } and keeps { crash: { step } }', () => {
    expect(scenarioWith('  - { crash: { afterApi: ec2.RunInstances } }').faults).toEqual([
      { crash: { afterApi: 'ec2.RunInstances', times: 1 } },
    ]);
    expect(scenarioWith('  - { crash: { step: route53.switch, times: 2 } }').faults).toEqual([
      { crash: { step: 'route53.switch', times: 2 } },
    ]);
  });

  it('refuses both or neither, and a malformed API name', () => {
    for (const bad of [
      '  - { crash: { step: route53.switch, afterApi: ec2.RunInstances } }',
      '  - { crash: { times: 1 } }',
      '  - { crash: { afterApi: RunInstances } }',
    ]) {
      expect(() => scenarioWith(bad)).toThrow(ConfigError);
    }
  });
});
