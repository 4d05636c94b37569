import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ConfigError } from '../../../shared/errors';
import { loadConfigFile, parseConfig, parseConfigText } from '../../../shared/config/load';

const EXAMPLE = join(__dirname, '../../../switchback.example.yml');
const example = () => parse(readFileSync(EXAMPLE, 'utf8'));

function problemsOf(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be refused');
}

describe('switchback.yml', () => {
  it('accepts the shipped example and resolves defaults into each service', () => {
    const config = loadConfigFile(EXAMPLE);
    expect(config.controlRegion).toBe('us-west-2');
    expect(config.probeLocations).toEqual(['us-west-2']);
    const web = config.services[0];
    expect(web.policy).toEqual({
      probe: { intervalSeconds: 10, timeoutMs: 2000, failureThreshold: 3, recoveryThreshold: 5 },
      trigger: 'probe',
      failback: { mode: 'auto', holdDownSeconds: 900 },
      guard: { cooldownSeconds: 1800, maxFailoversPer24h: 3 },
      detect: { quorum: 1, locationCount: 1, maxAlarmAgeSeconds: 600, failbackQuorum: 'any' },
    });
    expect(web.primary.probe).toMatchObject({ type: 'http', expectStatus: [200], timeoutMs: 2000, followRedirects: false });
    expect(web.secondary.prepare.map((step) => step.action)).toEqual(['ec2.start', 'ec2.associateAddress', 'http.waitHealthy']);
    expect(web.secondary.prepare[1]).toMatchObject({
      onFailure: 'abort',
      params: { allocationId: 'eipalloc-0abc1234', allowReassociation: false },
    });
  });

  it('lets a service override defaults field by field', () => {
    const raw = example();
    raw.services[0].probe = { failureThreshold: 5 };
    raw.services[0].failback = { mode: 'manual' };
    raw.services[0].trigger = 'alarm-confirmed-by-probe';
    const web = parseConfig(raw).services[0];
    expect(web.policy.probe).toEqual({ intervalSeconds: 10, timeoutMs: 2000, failureThreshold: 5, recoveryThreshold: 5 });
    expect(web.policy.failback).toEqual({ mode: 'manual', holdDownSeconds: 900 });
    expect(web.policy.trigger).toBe('alarm-confirmed-by-probe');
  });

  it('refuses a hook whose region contradicts its function ARN', () => {
    const raw = example();
    raw.services[0].failback = { check: { functionName: 'arn:aws:lambda:us-east-1:123456789012:function:check', region: 'eu-west-1' } };
    expect(problemsOf(raw)).toEqual(['services[0].failback.check.region: must be the region of the function ARN (us-east-1) or left out']);
  });

  it('takes a majority of probe locations as the default quorum', () => {
    const raw = example();
    raw.probeLocations = ['us-west-2', 'eu-west-1', 'ap-southeast-2'];
    expect(parseConfig(raw).services[0].policy.detect).toMatchObject({ quorum: 2, locationCount: 3 });
  });

  it('names the issue examples exactly', () => {
    const raw = example();
    raw.notify.sms = ['5555550100'];
    expect(problemsOf(raw)).toEqual(['notify.sms[0]: "5555550100" is not an E.164 number (like +15551234567)']);

    const sameRegion = example();
    sameRegion.services[0].primary.region = 'us-west-2';
    expect(problemsOf(sameRegion)).toEqual(['services[0].primary.region: must differ from controlRegion us-west-2']);

    const ttl = example();
    ttl.services[0].dns.ttl = 0;
    expect(problemsOf(ttl)).toEqual(['services[0].dns.ttl: must be between 1 and 86400']);
  });

  it('refuses unknown keys and suggests the intended one', () => {
    const raw = example();
    raw.services[0].dns.tll = 30;
    raw.defaults.guard.coolDownSeconds = 60;
    raw.services[0].secondary.prepare.push({ 'ec2.strat': { instanceIds: ['i-0abc1234def567890'] } });
    expect(problemsOf(raw)).toEqual(
      expect.arrayContaining([
        'services[0].dns.tll: unknown key (did you mean "ttl"?)',
        'defaults.guard.coolDownSeconds: unknown key (did you mean "cooldownSeconds"?)',
        'services[0].secondary.prepare[3].ec2.strat: unknown key (did you mean "ec2.start"?)',
      ]),
    );
  });

  it('takes detect.failbackQuorum any or majority, per service or as a default', () => {
    const raw = example();
    raw.defaults.detect = { failbackQuorum: 'majority' };
    expect(parseConfig(raw).services[0].policy.detect.failbackQuorum).toBe('majority');
    raw.services[0].detect = { failbackQuorum: 'any' };
    expect(parseConfig(raw).services[0].policy.detect.failbackQuorum).toBe('any');
    raw.services[0].detect = { failbackQuorum: 'most' };
    expect(problemsOf(raw).some((problem) => problem.startsWith('services[0].detect.failbackQuorum: '))).toBe(true);
    raw.services[0].detect = { failbackQuorom: 'any' };
    expect(problemsOf(raw)).toContain('services[0].detect.failbackQuorom: unknown key (did you mean "failbackQuorum"?)');
  });

  it('lists every problem at once', () => {
    const raw = example();
    raw.controlRegion = 'mars-1';
    delete raw.services[0].dns.hostedZoneId;
    raw.services[0].primary.probe.url = 'not a url';
    raw.defaults.trigger = 'sometimes';
    const problems = problemsOf(raw);
    expect(problems).toEqual(
      expect.arrayContaining([
        'controlRegion: "mars-1" is not an AWS region',
        'services[0].dns.hostedZoneId: is required',
        'services[0].primary.probe.url: must be a URL like http://203.0.113.10/health',
      ]),
    );
    expect(problems.some((p) => p.startsWith('defaults.trigger: '))).toBe(true);
  });

  it('lists cross-field problems together with schema problems, except where the schema already named that field', () => {
    const raw = example();
    raw.notify.sms = ['5555550100'];
    raw.services[0].primary.region = raw.controlRegion;
    raw.services[0].secondary.target = 'not-a-list';
    raw.services[0].dns.tll = 30;
    expect(problemsOf(raw)).toEqual([
      'notify.sms[0]: "5555550100" is not an E.164 number (like +15551234567)',
      'services[0].dns.tll: unknown key (did you mean "ttl"?)',
      'services[0].primary.region: must differ from controlRegion us-west-2',
      'services[0].secondary.target: must be a list of IPv4 addresses for dns.type A',
    ]);
  });

  it('still checks the other services when one is too broken to cross-check', () => {
    const raw = example();
    const broken = structuredClone(raw.services[0]);
    delete broken.primary;
    broken.name = 'api';
    raw.services.push(broken);
    raw.services[0].primary.region = raw.controlRegion;
    raw.services[1].dns.ttl = 0;
    const problems = problemsOf(raw);
    expect(problems).toContain('services[0].primary.region: must differ from controlRegion us-west-2');
    expect(problems).toContain('services[1].primary: is required');
  });

  it('checks targets against the record type', () => {
    const raw = example();
    raw.services[0].secondary.target = ['198.51.100.300'];
    raw.services[0].primary.target = 'app-east.example.com';
    expect(problemsOf(raw)).toEqual([
      'services[0].primary.target: must be a list of IPv4 addresses for dns.type A',
      'services[0].secondary.target[0]: "198.51.100.300" is not an IPv4 address',
    ]);
    const cname = example();
    cname.services[0].dns.type = 'CNAME';
    cname.services[0].primary.target = 'app-east.example.com';
    cname.services[0].secondary.target = 'app-west.example.com';
    expect(parseConfig(cname).services[0].primary.target).toBe('app-east.example.com');
  });

  it('requires step references to name an earlier step', () => {
    const raw = example();
    raw.services[0].secondary.prepare = [
      { 'ec2.associateAddress': { allocationId: 'eipalloc-0abc1234', instanceId: '${steps.launch.instanceId}' } },
      { 'ec2.launchFromAmi': { imageId: 'ami-0abc1234', instanceType: 't3.small' }, id: 'launch' },
    ];
    expect(problemsOf(raw)).toEqual([
      'services[0].secondary.prepare[0].ec2.associateAddress: ${steps.launch.instanceId}: refers to step "launch", which is not an earlier step of the failover run with that id',
    ]);
    raw.services[0].secondary.prepare.reverse();
    expect(parseConfig(raw).services[0].secondary.prepare[1].params.instanceId).toBe('${steps.launch.instanceId}');
  });

  it('refuses references that can never resolve in their run, and points a cleanup at ${failover.…}', () => {
    const raw = example();
    raw.services[0].secondary.prepare = [{ 'ec2.launchFromAmi': { imageId: 'ami-0abc1234', instanceType: 't3.small' }, id: 'launch' }];
    // The secondary's cleanup runs in the failback: the failover's steps are not part of it.
    raw.services[0].secondary.cleanup = [{ 'ec2.stop': { instanceIds: ['${steps.launch.instanceId}'] } }];
    // The primary's cleanup runs in the failover itself: there is no failover run to undo yet.
    raw.services[0].primary.cleanup = [{ 'ec2.stop': { instanceIds: ['${failover.launch.instanceId}'] } }];
    raw.services[0].primary.prepare = [{ notify: { message: 'back on ${failover.nope.instanceId}' } }];
    expect(problemsOf(raw)).toEqual(
      [
        'services[0].primary.prepare[0].notify: ${failover.nope.instanceId}: refers to step "nope", which is not a step of secondary.prepare with that id',
        'services[0].primary.cleanup[0].ec2.stop: ${failover.launch.instanceId}: primary.cleanup runs in the failover itself; ${failover.…} is for the failback that undoes it',
        'services[0].secondary.cleanup[0].ec2.stop: ${steps.launch.instanceId}: refers to step "launch" of the failover run, which never runs in the failback: use ${failover.launch.instanceId}',
      ].sort(),
    );
    raw.services[0].secondary.cleanup = [{ 'ec2.stop': { instanceIds: ['${failover.launch.instanceId}'] } }];
    raw.services[0].primary.cleanup = [{ notify: { message: 'standby ${steps.launch.instanceId} serves now' } }];
    raw.services[0].primary.prepare = [];
    expect(parseConfig(raw).services[0].secondary.cleanup[0].params.instanceIds).toEqual(['${failover.launch.instanceId}']);
  });

  it('refuses launch tags and user data that RunInstances would refuse at failover time', () => {
    const raw = example();
    const launch = (params: Record<string, unknown>) => {
      raw.services[0].secondary.prepare = [{ 'ec2.launchFromAmi': { imageId: 'ami-0abc1234', instanceType: 't3.small', ...params } }];
      return problemsOf(raw).map((problem) => problem.replace('services[0].secondary.prepare[0].ec2.launchFromAmi', '…'));
    };
    expect(launch({ tags: { 'aws:owner': 'sre', ['k'.repeat(129)]: 'x', owner: 'v'.repeat(257), 'switchback:run': 'r' } })).toEqual([
      '….tags.owner: a tag value is at most 256 characters',
      '….tags: "aws:owner": tag keys starting with aws: are reserved for AWS',
      `….tags: "${'k'.repeat(129)}": a tag key is at most 128 characters`,
      '….tags: "switchback:run": switchback sets this tag (the run id) on every instance it launches',
    ]);
    const many = Object.fromEntries(Array.from({ length: 49 }, (_, index) => [`tag${index}`, 'x']));
    expect(launch({ tags: many })).toEqual([
      '….tags: an instance takes at most 50 tags, and switchback adds Name and switchback:run: at most 48 more (Name may be one of them)',
    ]);
    expect(launch({ userData: 'x'.repeat(16 * 1024 + 1) })).toEqual([
      '….userData: is 16385 bytes; EC2 takes at most 16384 (16 KB) before base64',
    ]);
    raw.services[0].secondary.prepare = [
      {
        'ec2.launchFromAmi': {
          imageId: 'ami-0abc1234',
          instanceType: 't3.small',
          userData: 'é'.repeat(8 * 1024),
          tags: {
            ...Object.fromEntries(Array.from({ length: 47 }, (_, index) => [`tag${index}`, 'x'])),
            Name: 'n',
            owner: 'é'.repeat(256),
          },
        },
      },
    ];
    expect(parseConfig(raw).services[0].secondary.prepare[0].params.userData).toHaveLength(8 * 1024);
  });

  it('refuses a step with two actions, duplicate service names and nobody to notify', () => {
    const raw = example();
    raw.services[0].secondary.prepare = [
      { 'ec2.start': { instanceIds: ['i-0abc1234def567890'] }, 'ec2.stop': { instanceIds: ['i-0abc1234def567890'] } },
    ];
    raw.services.push(structuredClone(raw.services[0]));
    raw.notify = { sms: [] };
    expect(problemsOf(raw)).toEqual(
      expect.arrayContaining(['services[0].secondary.prepare[0]: names 2 actions (ec2.start, ec2.stop); use one list entry per step']),
    );
    const second = example();
    second.services.push(structuredClone(second.services[0]));
    second.notify = { sms: [] };
    expect(problemsOf(second)).toEqual([
      'notify: give at least one of sms or topicArn: nobody would be told about a failover',
      'services[1].name: "web" is already used by services[0]',
    ]);
  });

  it('refuses a probe timeout that does not fit in the interval and an impossible quorum', () => {
    const raw = example();
    raw.defaults.probe = { intervalSeconds: 2, timeoutMs: 2000 };
    raw.services[0].detect = { quorum: 2 };
    expect(problemsOf(raw)).toEqual([
      'services[0].probe.timeoutMs: must be less than intervalSeconds × 1000 (2000)',
      'services[0].detect.quorum: must be at most the number of probe locations (1)',
    ]);
  });

  it('reports YAML syntax errors with a line number', () => {
    expect(() => parseConfigText('controlRegion: us-west-2\nnotify: [\n')).toThrow(/line \d+/);
    expect(() => parseConfigText(stringify(example()) + 'controlRegion: us-east-2\n')).toThrow(ConfigError);
  });

  it('says so when the file cannot be read', () => {
    expect(() => loadConfigFile('/nonexistent/switchback.yml')).toThrow(/cannot read the file: ENOENT/);
  });
});
