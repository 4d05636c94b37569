/**
 * Each deployed function carries exactly the AWS adapters `FUNCTION_AWS_ADAPTERS` lists: the table the
 * simulator builds every function from, so the scenarios prove each function needs no other. Asking
 * a function for an adapter it was built without names the functions that carry it.
 */
import { wiring as alarm } from '../../../functions/alarm';
import { wiring as control } from '../../../functions/control';
import { wiring as drill } from '../../../functions/drill';
import { wiring as orchestrator } from '../../../functions/orchestrator';
import { wiring as probe } from '../../../functions/probe';
import { wiring as status } from '../../../functions/status';
import { AWS_ADAPTER_NAMES, FUNCTION_AWS_ADAPTERS, withAdapters } from '../../../shared/app/deps';
import type { LambdaWiring } from '../../../shared/app/lambda-handler';
import { createAwsAdapters } from '../../../shared/app/runtime';
import { FUNCTION_KEYS, type FunctionKey } from '../../../serverless/naming';

const WIRING: Record<FunctionKey, LambdaWiring> = { probe, alarm, orchestrator, drill, status, control };

test.each(FUNCTION_KEYS)('functions/%s.ts carries exactly the adapters FUNCTION_AWS_ADAPTERS lists', (key) => {
  const carried = AWS_ADAPTER_NAMES.filter((name) => WIRING[key][name] !== undefined);
  expect(carried).toEqual(AWS_ADAPTER_NAMES.filter((name) => (FUNCTION_AWS_ADAPTERS[key] as readonly string[]).includes(name)));
});

test('an adapter a function was built without fails on use, naming the functions that carry it', () => {
  const aws = createAwsAdapters({});
  expect(() => aws.cloudWatch).toThrow(
    'this function was built without the CloudWatch client; only probe, orchestrator and drill carry it (FUNCTION_AWS_ADAPTERS)',
  );
  expect(() => aws.sns).toThrow('only probe, alarm, orchestrator, drill and control carry it');
  expect(() => aws.ec2()).toThrow('without the EC2 client; only orchestrator and drill carry it');
  expect(() => aws.iam()).toThrow('without the IAM client; only drill carries it');
  expect(aws.steps).toBeUndefined();
});

test('an adapter is built on first use, once', () => {
  let builds = 0;
  const sns = { publish: jest.fn() };
  const aws = createAwsAdapters({ sns: () => (builds++, sns as never) });
  expect(builds).toBe(0);
  expect(aws.sns).toBe(sns);
  expect(aws.sns).toBe(sns);
  expect(builds).toBe(1);
});

test('withAdapters replaces one adapter without reading the others (a spread would throw on those a function lacks)', () => {
  const sns = { sendSms: jest.fn(), publishToTopic: jest.fn(), smsAccountStatus: jest.fn() };
  const aws = createAwsAdapters({ sns: () => sns });
  expect(() => ({ ...aws })).toThrow('without the CloudWatch client');
  let made = 0;
  const layered = withAdapters(aws, { sns: (original) => (made++, { ...original, sendSms: jest.fn() }) });
  expect(made).toBe(0);
  expect(layered.sns.publishToTopic).toBe(sns.publishToTopic);
  expect(layered.sns.sendSms).not.toBe(sns.sendSms);
  expect(layered.sns).toBe(layered.sns);
  expect(made).toBe(1);
  expect(() => layered.route53).toThrow('without the Route 53 client');
});
