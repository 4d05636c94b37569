/**
 * The deployed handler wrapper (lambdaHandler): the metrics a use case counts leave as one EMF line
 * after the invocation (Powertools' logMetrics middleware), with the dimension set the alarms watch,
 * also when the use case throws.
 */
import type { Context } from 'aws-lambda';
import { lambdaHandler } from '../../../shared/app/lambda-handler';
import { writeCompiledConfig } from '../../support/compiled-config';

const env = {
  ...process.env,
  AWS_REGION: 'us-west-2',
  SWITCHBACK_CONFIG_PATH: writeCompiledConfig(),
  SWITCHBACK_TABLE: 'switchback-prod',
  SWITCHBACK_STAGE: 'prod',
  SWITCHBACK_ROLE: 'controller',
  SWITCHBACK_LOCATION: 'us-west-2',
  SWITCHBACK_ORCHESTRATOR_FUNCTION: 'switchback-prod-orchestrator',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

const context = {
  awsRequestId: 'req-1',
  functionName: 'switchback-prod-probe',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-west-2:123456789012:function:switchback-prod-probe',
  memoryLimitInMB: '256',
  logGroupName: '/aws/lambda/switchback-prod-probe',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done() {},
  fail() {},
  succeed() {},
} as unknown as Context;

/** Every EMF document written to stdout while `run` runs. */
async function emfDuring(run: () => Promise<unknown>): Promise<Array<Record<string, any>>> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  try {
    await run().catch(() => undefined);
  } finally {
    spy.mockRestore();
  }
  return lines.flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as Record<string, any>;
      return parsed._aws ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

describe('lambdaHandler', () => {
  it('flushes what the use case counted as one EMF line with service, Stage and Location', async () => {
    const handler = lambdaHandler(
      'probe',
      async (deps) => {
        deps.metrics.count('ProbeRoundsCompleted', 6);
        deps.metrics.count('DecisionErrors');
        return 'done';
      },
      { env },
    );
    const documents = await emfDuring(() => handler({}, context));
    expect(documents).toHaveLength(1);
    const [emf] = documents;
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'switchback',
      Dimensions: [expect.arrayContaining(['service', 'Stage', 'Location'])],
    });
    expect(emf).toMatchObject({ service: 'switchback', Stage: 'prod', Location: 'us-west-2', ProbeRoundsCompleted: 6, DecisionErrors: 1 });
  });

  it('flushes them also when the use case throws', async () => {
    const handler = lambdaHandler(
      'alarm',
      async (deps) => {
        deps.metrics.count('AlarmEventsRejected');
        throw new Error('boom');
      },
      { env },
    );
    const documents = await emfDuring(() => handler({}, context));
    expect(documents.map((emf) => emf.AlarmEventsRejected)).toEqual([1]);
  });
});
