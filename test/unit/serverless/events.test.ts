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
