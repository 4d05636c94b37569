/**
 * The drill's verdict on a region's alarm forwarder (assessAlarmForwarder): what deploy generates
 * passes; a missing, disabled, misdirected or stale rule fails with a sentence that says what to do.
 */
import fc from 'fast-check';
import {
  alarmArnTemplate,
  alarmEventPattern,
  assessAlarmForwarder,
  controlBusArnTemplate,
  resolveArnTemplate,
  type ForwarderExpectation,
  type ObservedForwarderRule,
} from '../../../shared/config/alarm-routing';

const ACCOUNT = '123456789012';
const expectation = (names: string[], region = 'us-east-1'): ForwarderExpectation => ({
  region,
  ruleName: 'switchback-prod-alarm-forwarder',
  stage: 'prod',
  controlRegion: 'us-west-2',
  alarmArns: names.map((name) => alarmArnTemplate({ name, region })),
  probeLocation: false,
});
const resolve = (template: string, accountId = ACCOUNT, partition = 'aws') => resolveArnTemplate(template, { accountId, partition });

/** The rule as `forwarderResources` deploys it, as DescribeRule + ListTargetsByRule show it. */
function deployedRule(expected: ForwarderExpectation, accountId = ACCOUNT, partition = 'aws'): ObservedForwarderRule {
  return {
    arn: `arn:${partition}:events:${expected.region}:${accountId}:rule/${expected.ruleName}`,
    state: 'ENABLED',
    eventPattern: JSON.stringify(alarmEventPattern(expected.alarmArns.map((template) => resolve(template, accountId, partition)))),
    targets: [
      {
        id: 'switchback-control-bus',
        arn: resolve(controlBusArnTemplate({ controlRegion: expected.controlRegion }), accountId, partition),
        roleArn: `arn:${partition}:iam::${accountId}:role/forwarder`,
      },
    ],
  };
}

describe('assessAlarmForwarder', () => {
  test('the rule deploy generates passes, whatever the alarm names, account and partition', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_.${}-]{1,40}$/), { minLength: 1, maxLength: 8 }),
        fc.stringMatching(/^\d{12}$/),
        fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'),
        (names, accountId, partition) => {
          const expected = expectation(names);
          expect(assessAlarmForwarder(expected, deployedRule(expected, accountId, partition)).ok).toBe(true);
        },
      ),
    );
  });

  test('a missing rule: the alarms never reach the controller, and how to deploy it', () => {
    expect(assessAlarmForwarder(expectation(['web-5xx-high', 'web-latency']), undefined)).toEqual({
      ok: false,
      detail:
        'no rule switchback-prod-alarm-forwarder on the default bus of us-east-1: state changes of web-5xx-high, web-latency stay in us-east-1 and never reach the controller; deploy it: sls deploy --stage prod --region us-east-1 --param role=alarm-forwarder',
    });
    expect(assessAlarmForwarder({ ...expectation(['a']), probeLocation: true }, undefined).detail).toContain('--param role=probe-only');
  });

  test('disabled, sending elsewhere, or deployed before an alarm was added', () => {
    const expected = expectation(['web-5xx-high', 'web-latency']);
    const rule = deployedRule(expected);
    const older = deployedRule(expectation(['web-5xx-high']));
    expect(
      assessAlarmForwarder(expected, {
        ...rule,
        state: 'DISABLED',
        eventPattern: older.eventPattern,
        targets: [{ id: 'x', arn: `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/default` }],
      }),
    ).toEqual({
      ok: false,
      detail: `switchback-prod-alarm-forwarder in us-east-1: it is DISABLED; it sends to arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/default, not the control region's bus arn:aws:events:us-west-2:${ACCOUNT}:event-bus/default; it does not match web-latency (deploy the forwarder again after changing alarms: sls deploy --stage prod --region us-east-1 --param role=alarm-forwarder)`,
    });
    expect(assessAlarmForwarder(expected, { ...rule, targets: [] }).detail).toContain('it sends to no target');
  });
});
