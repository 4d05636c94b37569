/** The sample events in events/ (for `sls invoke local --path events/<file>.json`) parse as the handlers expect. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAlarmEvent, servicesForAlarm } from '../../../shared/app/alarm';
import { parseDrillInput } from '../../../shared/app/drill';
import { CONTROL_ACTIONS } from '../../../shared/app/control';
import { InputError } from '../../../shared/errors';
import { REPO_ROOT, exampleConfig } from './fixtures';

const EVENTS_DIR = join(REPO_ROOT, 'events');

function event(name: string): any {
  return JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8'));
}

describe('sample events', () => {
  const services = exampleConfig().services;

  it('include one for every trigger and every manual action', () => {
    const expected = [
      'alarm-eventbridge.json',
      'alarm-forwarded.json',
      'alarm-insufficient-data.json',
      'alarm-malformed.json',
      'alarm-sns.json',
      'schedule.json',
      'drill-dry-run.json',
      'drill-live.json',
      'drill-report.json',
      'status.json',
      ...CONTROL_ACTIONS.map((action) => `control-${action}.json`),
    ];
    expect(
      readdirSync(EVENTS_DIR)
        .filter((file) => file.endsWith('.json'))
        .sort(),
    ).toEqual(expected.sort());
  });

  it('alarm-eventbridge.json is a real CloudWatch Alarm State Change for web-5xx-high going to ALARM', () => {
    const raw = event('alarm-eventbridge.json');
    expect(raw).toMatchObject({
      source: 'aws.cloudwatch',
      'detail-type': 'CloudWatch Alarm State Change',
      detail: { previousState: { value: 'OK' } },
    });
    const [notice] = parseAlarmEvent(raw);
    expect(notice).toMatchObject({
      name: 'web-5xx-high',
      state: 'ALARM',
      arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx-high',
    });
    expect(Number.isNaN(notice.atEpochMs)).toBe(false);
    expect(servicesForAlarm(services, notice).map((service) => service.name)).toEqual(['web']);
  });

  it('alarm-forwarded.json is what the control region receives from the us-east-1 forwarder: the alarm keeps its region and account', () => {
    const [notice] = parseAlarmEvent(event('alarm-forwarded.json'));
    expect(notice).toMatchObject({ name: 'web-5xx-high', state: 'OK', region: 'us-east-1', account: '123456789012' });
    expect(servicesForAlarm(services, notice, '123456789012').map((service) => service.name)).toEqual(['web']);
    // The same name in another region or account is not the configured alarm.
    expect(servicesForAlarm(services, { ...notice, region: 'us-west-2' }, '123456789012')).toEqual([]);
    expect(servicesForAlarm(services, { ...notice, account: '210987654321' }, '123456789012')).toEqual([]);
  });

  it('alarm-sns.json wraps the same alarm in an SNS notification', () => {
    const [notice] = parseAlarmEvent(event('alarm-sns.json'));
    expect(notice).toMatchObject({ name: 'web-5xx-high', state: 'ALARM', region: 'us-east-1' });
    expect(servicesForAlarm(services, notice).map((service) => service.name)).toEqual(['web']);
  });

  describe('the .now.js wrappers (for sls invoke local: fresh times, fresh delivery ids)', () => {
    const { fresh } = require(join(EVENTS_DIR, 'fresh.js')) as { fresh(name: string, nowEpochMs?: number): any };
    const wrapped = readdirSync(EVENTS_DIR).filter((file) => file.endsWith('.now.js'));

    it('exist for every sample that carries a time', () => {
      const timed = readdirSync(EVENTS_DIR).filter(
        (file) =>
          file.endsWith('.json') &&
          file !== 'alarm-malformed.json' &&
          /"\d{4}-\d\d-\d\dT/.test(readFileSync(join(EVENTS_DIR, file), 'utf8')),
      );
      expect(wrapped.map((file) => file.replace('.now.js', '.json')).sort()).toEqual(timed.sort());
    });

    it('move every time by one amount so the newest is now, inside the SNS message too', () => {
      const nowEpochMs = Date.parse('2026-12-01T12:00:00.000Z');
      const [original] = parseAlarmEvent(event('alarm-sns.json'));
      const [now] = parseAlarmEvent(fresh('alarm-sns.json', nowEpochMs));
      // StateChangeTime was 76 ms before the SNS Timestamp, the newest time in the sample.
      expect(now.atEpochMs).toBe(nowEpochMs - 76);
      expect({ ...now, atEpochMs: 0 }).toEqual({ ...original, atEpochMs: 0 });
      const bridge = fresh('alarm-eventbridge.json', nowEpochMs);
      expect(bridge.time).toBe('2026-12-01T11:59:59Z');
      expect(bridge.detail.state.timestamp).toBe('2026-12-01T12:00:00.000+0000');
      expect(bridge.detail.configuration.metrics[0].id).toBe('m1');
    });

    it('give each load a new event id and SNS MessageId (two invocations are two deliveries, not a duplicate)', () => {
      const first = fresh('alarm-eventbridge.json');
      const second = fresh('alarm-eventbridge.json');
      expect(first.id).not.toBe(second.id);
      expect(first.id).not.toBe(event('alarm-eventbridge.json').id);
      expect(fresh('alarm-sns.json').Records[0].Sns.MessageId).not.toBe(event('alarm-sns.json').Records[0].Sns.MessageId);
      for (const file of wrapped.filter((name) => name.startsWith('alarm-'))) {
        expect(parseAlarmEvent(require(join(EVENTS_DIR, file)))[0].atEpochMs).toBeGreaterThan(Date.now() - 60_000);
      }
    });
  });

  it('alarm-insufficient-data.json carries INSUFFICIENT_DATA', () => {
    expect(parseAlarmEvent(event('alarm-insufficient-data.json'))[0].state).toBe('INSUFFICIENT_DATA');
  });

  it('alarm-malformed.json is rejected naming the missing field', () => {
    expect(() => parseAlarmEvent(event('alarm-malformed.json'))).toThrow(InputError);
    expect(() => parseAlarmEvent(event('alarm-malformed.json'))).toThrow(/detail\.state/);
  });

  it('schedule.json is an EventBridge scheduled event', () => {
    expect(event('schedule.json')).toMatchObject({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
  });

  it('the drill events are valid drill inputs for web', () => {
    expect(parseDrillInput(event('drill-dry-run.json'))).toEqual({ service: 'web', mode: 'dry-run' });
    expect(parseDrillInput(event('drill-live.json'))).toEqual({ service: 'web', mode: 'live', holdSeconds: 600, by: 'alice' });
    expect(parseDrillInput(event('drill-report.json'))).toEqual({ service: 'web', mode: 'report' });
  });

  it('the operator events name web and one known action each', () => {
    expect(event('status.json')).toEqual({ service: 'web' });
    for (const action of CONTROL_ACTIONS) expect(event(`control-${action}.json`)).toEqual({ action, service: 'web', by: 'alice' });
  });
});
