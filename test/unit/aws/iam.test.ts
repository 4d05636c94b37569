/**
 * The IAM adapter on the embedded world: SimulatePrincipalPolicy answers per resource from the same
 * evaluation the world authorizes calls with; one call per action and context; an unknown role is
 * NoSuchEntity; the caller needs iam:SimulatePrincipalPolicy on the role it asks about.
 */
import { createAwsClients } from '../../../shared/aws/clients';
import { ALL_AWS_CLIENT_FACTORIES } from '../../../shared/aws/all-client-factories';
import { createIamAdapter } from '../../../shared/aws/iam';
import { createWorld, type CallerIdentity } from '../../../sim/world';

const ORCHESTRATOR = 'arn:aws:iam::123456789012:role/switchback-test-orchestrator-us-west-2';
const DRILL = 'arn:aws:iam::123456789012:role/switchback-test-drill-us-west-2';
const VOLUME = 'arn:aws:ec2:us-west-2:123456789012:volume/vol-0abc1234def567890';
const INSTANCES = 'arn:aws:ec2:us-west-2:123456789012:instance/*';

function setup(caller?: CallerIdentity) {
  const world = createWorld({ now: () => Date.UTC(2026, 0, 1) });
  world.iam.putRolePolicy(ORCHESTRATOR, 'generated', {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Volume', Effect: 'Allow', Action: ['ec2:AttachVolume'], Resource: [VOLUME] },
      {
        Sid: 'Launched',
        Effect: 'Allow',
        Action: ['ec2:AttachVolume'],
        Resource: [INSTANCES],
        Condition: { Null: { 'aws:ResourceTag/switchback:run': 'false' } },
      },
    ],
  });
  world.iam.putRolePolicy(DRILL, 'generated', {
    Version: '2012-10-17',
    Statement: [{ Sid: 'Simulate', Effect: 'Allow', Action: ['iam:SimulatePrincipalPolicy'], Resource: [ORCHESTRATOR] }],
  });
  const clients = createAwsClients({ defaultRegion: 'us-west-2', factories: ALL_AWS_CLIENT_FACTORIES, ...world.awsOptions(caller) });
  return { world, iam: createIamAdapter(clients) };
}

describe('IAM adapter: SimulatePrincipalPolicy', () => {
  test('a decision per request; requests with another context go in another call', async () => {
    const { world, iam } = setup();
    const tagged = { 'aws:ResourceTag/switchback:run': 'dry-run', 'ec2:ResourceTag/switchback:run': 'dry-run' };
    const results = await iam.simulateRequests(ORCHESTRATOR, [
      { action: 'ec2:AttachVolume', resource: INSTANCES, context: tagged },
      { action: 'ec2:AttachVolume', resource: VOLUME, context: {} },
      { action: 'ec2:AttachVolume', resource: 'arn:aws:ec2:us-west-2:123456789012:volume/vol-0000000000000000f', context: {} },
      { action: 'ec2:AttachVolume', resource: INSTANCES, context: {} },
    ]);
    expect(results.map((result) => `${result.request.resource} ${JSON.stringify(result.request.context)} ${result.decision}`)).toEqual([
      `${INSTANCES} ${JSON.stringify(tagged)} allowed`,
      `${VOLUME} {} allowed`,
      'arn:aws:ec2:us-west-2:123456789012:volume/vol-0000000000000000f {} implicitDeny',
      // Without the run tag the condition does not hold.
      `${INSTANCES} {} implicitDeny`,
    ]);
    expect(world.apiCalls()['iam.SimulatePrincipalPolicy']).toBe(2);
  });

  test('a role that does not exist is NoSuchEntity', async () => {
    const { iam } = setup();
    await expect(
      iam.simulateRequests('arn:aws:iam::123456789012:role/nobody', [{ action: 'ec2:AttachVolume', resource: VOLUME, context: {} }]),
    ).rejects.toMatchObject({ code: 'NoSuchEntityException' });
  });

  test('the caller may simulate only the role its policy names', async () => {
    const { iam } = setup({ roleArn: DRILL, sessionName: 'switchback-test-drill' });
    await expect(iam.simulateRequests(ORCHESTRATOR, [{ action: 'ec2:AttachVolume', resource: VOLUME, context: {} }])).resolves.toHaveLength(
      1,
    );
    await expect(iam.simulateRequests(DRILL, [{ action: 'ec2:AttachVolume', resource: VOLUME, context: {} }])).rejects.toMatchObject({
      code: 'AccessDenied',
    });
  });
});
