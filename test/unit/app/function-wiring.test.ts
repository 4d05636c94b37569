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
import { AWS_ADAPTER_NAMES, FUNCTION_AWS_ADAPTERS } from '../../../shared/app/deps';
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
