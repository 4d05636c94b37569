/**
 * The step action registry is the one list everything iterates over: the config schema and its typo
 * hints, the plan, the README's action table. These tests fail when one of them stops following it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIGURABLE_ACTIONS, STEP_ACTIONS, findAction } from '../../../shared/actions';
import { knownKeys, parseConfig } from '../../../shared/config/load';
import { ConfigError } from '../../../shared/errors';
import { z } from 'zod';

const ROOT = join(__dirname, '../../..');
const example = () => parse(readFileSync(join(ROOT, 'switchback.example.yml'), 'utf8'));

function problemsOf(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

/** Rows of the README table under "| action | parameters |": backticked action names → the row's text. */
function readmeActionRows(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('| action | parameters |');
  expect(start).toBeGreaterThan(-1);
  const rows = new Map<string, string>();
  for (const line of readme.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [, names, parameters] = line.split('|');
    for (const [, name] of names.matchAll(/`([^`]+)`/g)) rows.set(name, parameters);
  }
  return rows;
}

/** The keys of an object schema, classic or mini (the step actions' schemas are mini: see shared/actions/params.ts). */
function configKeys(schema: z.core.$ZodType): string[] {
  if (!(schema instanceof z.core.$ZodObject)) throw new Error(`expected an object schema, got ${schema._zod.def.type}`);
  return Object.keys(schema._zod.def.shape);
}

describe('step action registry', () => {
  it('has one module per name', () => {
    const names = STEP_ACTIONS.map((action) => action.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(findAction(name)?.name).toBe(name);
    expect(findAction('ec2.reboot')).toBeUndefined();
  });

  it('the README action table lists exactly the configurable actions and every parameter each accepts', () => {
    const rows = readmeActionRows();
    expect([...rows.keys()].sort()).toEqual(CONFIGURABLE_ACTIONS.map((action) => action.name).sort());
    for (const action of CONFIGURABLE_ACTIONS) {
      const row = rows.get(action.name) ?? '';
      const missing = configKeys(action.configSchema).filter((key) => !row.includes(`\`${key}\``));
      expect({ action: action.name, missing }).toEqual({ action: action.name, missing: [] });
    }
  });

  it('the DNS steps are added by the plan and cannot be configured', () => {
    const raw = example();
    raw.services[0].secondary.prepare.push({ 'route53.switch': { hostedZoneId: 'Z0123456789ABC', recordName: 'x', target: 'y' } });
    expect(problemsOf(raw)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^services\[0\]\.secondary\.prepare\[\d+\]\.route53\.switch: unknown key/)]),
    );
  });
});

describe('typo hints come from the schemas', () => {
  it('suggests maxAttempts for retry.maxAtempts (the hand-kept key list had no entry for retry)', () => {
    const raw = example();
    raw.services[0].secondary.prepare[0].retry = { maxAtempts: 3 };
    expect(problemsOf(raw)).toEqual(['services[0].secondary.prepare[0].retry.maxAtempts: unknown key (did you mean "maxAttempts"?)']);
  });

  it("suggests a param of the step's own action", () => {
    const raw = example();
    raw.services[0].secondary.prepare.push({
      'ec2.attachVolume': { volumeId: 'vol-0abc1234', instanceId: 'i-0abc1234def567890', devise: '/dev/sdf' },
    });
    expect(problemsOf(raw)).toEqual(
      expect.arrayContaining([expect.stringMatching(/\.ec2\.attachVolume\.devise: unknown key \(did you mean "device"\?\)$/)]),
    );
  });

  it('knows the keys at every level: the document, a step, a probe of either type, an action', () => {
    expect(knownKeys([])).toEqual(expect.arrayContaining(['controlRegion', 'services', 'notify', 'defaults']));
    const step = knownKeys(['services', 0, 'secondary', 'prepare', 0]);
    expect(step).toEqual(
      expect.arrayContaining(['id', 'timeoutSeconds', 'onFailure', 'retry', ...CONFIGURABLE_ACTIONS.map((a) => a.name)]),
    );
    expect(step).not.toContain('route53.switch');
    expect(knownKeys(['services', 0, 'primary', 'probe'])).toEqual(expect.arrayContaining(['url', 'expectStatus', 'host', 'port']));
    expect(knownKeys(['defaults', 'probe'])).toEqual(['intervalSeconds', 'timeoutMs', 'failureThreshold', 'recoveryThreshold']);
    expect(knownKeys(['services', 0, 'secondary', 'cleanup', 2, 'ec2.launchFromAmi'])).toContain('iamInstanceProfile');
  });
});
