/**
 * EventBridge event patterns in the world: exact leaves, nesting, arrays in the event, operators,
 * and refusal of patterns PutRule would refuse.
 */
import fc from 'fast-check';
import { InvalidEventPatternError, matchesEventPattern, validateEventPattern } from '../../../../sim/world/event-pattern';
import { alarmEventPattern } from '../../../../shared/config/alarm-routing';

const ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx-high';

function alarmEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    source: 'aws.cloudwatch',
    'detail-type': 'CloudWatch Alarm State Change',
    account: '123456789012',
    region: 'us-east-1',
    resources: [ARN],
    detail: { alarmName: 'web-5xx-high', state: { value: 'ALARM' } },
    ...overrides,
  };
}

describe('event patterns', () => {
  const pattern = alarmEventPattern([ARN]);

  test('the alarm rule pattern matches the configured alarm in ALARM and OK, nothing else', () => {
    validateEventPattern(pattern);
    expect(matchesEventPattern(pattern, alarmEvent())).toBe(true);
    expect(matchesEventPattern(pattern, alarmEvent({ detail: { state: { value: 'OK' } } }))).toBe(true);
    expect(matchesEventPattern(pattern, alarmEvent({ detail: { state: { value: 'INSUFFICIENT_DATA' } } }))).toBe(false);
    // Same name, another region or account: another ARN.
    expect(matchesEventPattern(pattern, alarmEvent({ resources: [ARN.replace('us-east-1', 'eu-west-1')] }))).toBe(false);
    expect(matchesEventPattern(pattern, alarmEvent({ resources: [ARN.replace('123456789012', '210987654321')] }))).toBe(false);
    expect(matchesEventPattern(pattern, alarmEvent({ source: 'aws.monitoring' }))).toBe(false);
    // The nested object must be there.
    expect(matchesEventPattern(pattern, alarmEvent({ detail: undefined }))).toBe(false);
  });

  test('an array in the event matches when it shares any element with the pattern', () => {
    expect(matchesEventPattern(pattern, alarmEvent({ resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1', ARN] }))).toBe(true);
    expect(matchesEventPattern(pattern, alarmEvent({ resources: [] }))).toBe(false);
  });

  test('operators: prefix, suffix, anything-but, exists, equals-ignore-case, numeric', () => {
    const event = { region: 'us-east-1', name: 'Web.png', count: 3 };
    expect(matchesEventPattern({ region: [{ prefix: 'us-' }] }, event)).toBe(true);
    expect(matchesEventPattern({ region: [{ prefix: 'eu-' }] }, event)).toBe(false);
    expect(matchesEventPattern({ name: [{ suffix: '.png' }] }, event)).toBe(true);
    expect(matchesEventPattern({ region: [{ 'anything-but': ['us-east-1', 'eu-west-1'] }] }, event)).toBe(false);
    expect(matchesEventPattern({ region: [{ 'anything-but': { prefix: 'eu-' } }] }, event)).toBe(true);
    expect(matchesEventPattern({ missing: [{ exists: false }] }, event)).toBe(true);
    expect(matchesEventPattern({ region: [{ exists: false }] }, event)).toBe(false);
    expect(matchesEventPattern({ name: [{ 'equals-ignore-case': 'web.PNG' }] }, event)).toBe(true);
    expect(matchesEventPattern({ count: [{ numeric: ['>', 0, '<=', 3] }] }, event)).toBe(true);
    expect(matchesEventPattern({ count: [{ numeric: ['>', 3] }] }, event)).toBe(false);
  });

  test('patterns PutRule refuses', () => {
    for (const bad of [{}, [], { source: 'aws.cloudwatch' }, { source: [] }, { source: [{ wat: 1 }] }, { n: [{ numeric: ['>'] }] }])
      expect(() => validateEventPattern(bad)).toThrow(InvalidEventPatternError);
  });

  test('property: a pattern listing the values of an event matches it; one listing none of them does not', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean());
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), value, { minKeys: 1 }), fc.array(value), (fields, others) => {
        const event = structuredClone(fields);
        const exact = Object.fromEntries(Object.entries(fields).map(([key, item]) => [key, [...others, item]]));
        validateEventPattern(exact);
        expect(matchesEventPattern(exact, event)).toBe(true);
        const [firstKey, firstValue] = Object.entries(fields)[0];
        const alternatives = others.filter((item) => item !== firstValue);
        if (alternatives.length === 0) return;
        expect(matchesEventPattern({ ...exact, [firstKey]: alternatives }, event)).toBe(false);
      }),
    );
  });
});
