/**
 * IAM in the world: calls from a function's clients are evaluated against the policy `sls package`
 * generates for it, on the resources and condition keys AWS authorizes for each action.
 */
import { AttachVolumeCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetChangeCommand } from '@aws-sdk/client-route-53';
import { PublishCommand } from '@aws-sdk/client-sns';
import { createAwsClients } from '../../../../shared/aws/clients';
import { ALL_AWS_CLIENT_FACTORIES } from '../../../../shared/aws/all-client-factories';
import { createEc2Adapter } from '../../../../shared/aws/ec2';
import type { SwitchbackConfig } from '../../../../shared/config/types';
import { loadScenarioFile } from '../../../../sim/scenario';
import { installSimulatedRoles, type SimulatedRole } from '../../../../sim/iam-roles';
import { authorizationRequests, DEFAULT_SECURITY_GROUP_ID } from '../../../../sim/world/authorization';
import { decodeAuthorizationMessage, type PolicyDocument } from '../../../../sim/world';
import { join } from 'node:path';
import { createTestWorld, rejectionOf } from './world-test-kit';

const REGION = 'us-west-2';
const ACCOUNT = '123456789012';
const IMAGE = 'ami-0abc1234def567890';
const VOLUME = 'vol-0abc1234def567890';
const SUITE = join(__dirname, '..', '..', '..', '..', 'scenarios', 'suite');

function launchConfig(): SwitchbackConfig {
  const config = loadScenarioFile(join(SUITE, 'crash-sweep.yml')).config;
  const prepare = config.services[0].secondary.prepare;
  // The launch step with everything RunInstances can carry.
  prepare[0] = {
    ...prepare[0],
    params: {
      ...prepare[0].params,
      securityGroupIds: ['sg-0abc1234def567890'],
      keyName: 'ops',
      iamInstanceProfile: 'api-standby',
    },
  };
  return config;
}

/** The world with the generated roles installed, and the orchestrator's clients and adapter. */
function setup(config: SwitchbackConfig, adjust?: (document: PolicyDocument) => PolicyDocument) {
  const kit = createTestWorld();
  kit.world.seed(config);
  const roles = installSimulatedRoles(config, kit.world, { stage: 'sim', accountId: kit.world.accountId });
  const orchestrator = roles.find((role) => role.key === 'orchestrator' && role.location === config.controlRegion) as SimulatedRole;
  if (adjust) kit.world.iam.putRolePolicy(orchestrator.roleArn, 'generated', adjust(orchestrator.document));
  const clients = createAwsClients({
    defaultRegion: config.controlRegion,
    factories: ALL_AWS_CLIENT_FACTORIES,
    ...kit.world.awsOptions(orchestrator),
  });
  return { ...kit, clients, adapter: createEc2Adapter(clients), orchestrator };
}

/** The generated policy without one resource of one action (a grant someone forgot). */
function withoutGrant(action: string, resourceIncludes: string) {
  return (document: PolicyDocument): PolicyDocument => ({
    ...document,
    Statement: document.Statement.flatMap((statement) => {
      const actions = statement.Action as string[];
      if (!actions.includes(action)) return [statement];
      const resources = (statement.Resource as string[]).filter((resource) => !resource.includes(resourceIncludes));
      const others = actions.filter((item) => item !== action);
      return [
        ...(resources.length > 0 ? [{ ...statement, Action: [action], Resource: resources }] : []),
        ...(others.length > 0 ? [{ ...statement, Action: others }] : []),
      ];
    }),
  });
}

function runInput(runId = 'r0001') {
  return {
    imageId: IMAGE,
    instanceType: 't3.small',
    clientToken: `${runId}-launch`,
    runId,
    subnetId: 'subnet-0abc1234',
    securityGroupIds: ['sg-0abc1234def567890'],
    keyName: 'ops',
    iamInstanceProfile: 'api-standby',
    tags: { Name: 'api-standby' },
  };
}

describe('what AWS authorizes for a call (Service Authorization Reference)', () => {
  const lookup = {
    accountId: ACCOUNT,
    instance: () => ({ tags: { 'switchback:run': 'r1' }, availabilityZone: `${REGION}a`, instanceType: 't3.small' }),
    volume: () => ({ availabilityZone: `${REGION}a`, attachedTo: [] }),
    instanceProfileRole: (name: string) => `${name}-role`,
    networkInterfaceOf: (_region: string, instanceId: string) => `eni-${instanceId.slice(2)}`,
  };

  it('RunInstances: image, instance, network-interface, security-group, subnet, volume, key-pair; CreateTags for tags; iam:PassRole for a profile', () => {
    const requests = authorizationRequests(
      'ec2',
      'RunInstances',
      {
        ImageId: IMAGE,
        MinCount: 1,
        MaxCount: 1,
        SubnetId: 'subnet-1',
        SecurityGroupIds: ['sg-1', 'sg-2'],
        KeyName: 'ops',
        IamInstanceProfile: { Name: 'web' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'switchback:run', Value: 'r1' }] }],
      },
      REGION,
      lookup,
    );
    const arn = (resource: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${resource}`;
    expect(requests?.map((request) => `${request.action} ${request.resource}`)).toEqual([
      `ec2:RunInstances arn:aws:ec2:${REGION}::image/${IMAGE}`,
      `ec2:RunInstances ${arn('instance/*')}`,
      `ec2:RunInstances ${arn('network-interface/*')}`,
      `ec2:RunInstances ${arn('security-group/sg-1')}`,
      `ec2:RunInstances ${arn('security-group/sg-2')}`,
      `ec2:RunInstances ${arn('subnet/subnet-1')}`,
      `ec2:RunInstances ${arn('volume/*')}`,
      `ec2:RunInstances ${arn('key-pair/ops')}`,
      `ec2:CreateTags ${arn('instance/*')}`,
      `iam:PassRole arn:aws:iam::${ACCOUNT}:role/web-role`,
    ]);
    const instance = requests?.[1];
    expect(instance?.context).toMatchObject({
      'aws:RequestTag/switchback:run': 'r1',
      'aws:TagKeys': ['switchback:run'],
      'ec2:InstanceProfile': `arn:aws:iam::${ACCOUNT}:instance-profile/web`,
      'ec2:Region': REGION,
    });
    expect(requests?.[8].context).toMatchObject({ 'ec2:CreateAction': 'RunInstances' });
    expect(requests?.[9].context).toMatchObject({ 'iam:PassedToService': 'ec2.amazonaws.com' });
  });

  it('RunInstances without groups or subnet is authorized on the default VPC ones', () => {
    const requests = authorizationRequests('ec2', 'RunInstances', { ImageId: IMAGE, MinCount: 1, MaxCount: 1 }, REGION, lookup);
    expect(requests?.map((request) => request.resource)).toContain(
      `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${DEFAULT_SECURITY_GROUP_ID}`,
    );
  });

  it('AttachVolume on the instance (with its tags) and the volume; AssociateAddress on elastic-ip, instance and network interface', () => {
    const attach = authorizationRequests(
      'ec2',
      'AttachVolume',
      { VolumeId: VOLUME, InstanceId: 'i-0123', Device: '/dev/sdf' },
      REGION,
      lookup,
    );
    expect(attach?.map((request) => request.resource)).toEqual([
      `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:volume/${VOLUME}`,
    ]);
    expect(attach?.[0].context).toMatchObject({ 'aws:ResourceTag/switchback:run': 'r1', 'ec2:ResourceTag/switchback:run': 'r1' });
    const associate = authorizationRequests(
      'ec2',
      'AssociateAddress',
      { AllocationId: 'eipalloc-1', InstanceId: 'i-0123' },
      REGION,
      lookup,
    );
    expect(associate?.map((request) => request.resource)).toEqual([
      `arn:aws:ec2:${REGION}:${ACCOUNT}:elastic-ip/eipalloc-1`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/eni-0123`,
    ]);
  });

  it('a request missing a required parameter is left to the service (EC2 answers MissingParameter before IAM)', () => {
    expect(
      authorizationRequests('ec2', 'AttachVolume', { VolumeId: VOLUME, Device: '/dev/sdf', DryRun: true }, REGION, lookup),
    ).toBeUndefined();
    expect(authorizationRequests('ec2', 'AssociateAddress', { AllocationId: 'eipalloc-1', DryRun: true }, REGION, lookup)).toBeUndefined();
  });

  it('route53:GetChange on change/<id>; ChangeResourceRecordSets with the normalized names, types and actions', () => {
    expect(authorizationRequests('route53', 'GetChange', { Id: '/change/C123' }, REGION, lookup)?.[0].resource).toBe(
      'arn:aws:route53:::change/C123',
    );
    const change = authorizationRequests(
      'route53',
      'ChangeResourceRecordSets',
      {
        HostedZoneId: '/hostedzone/Z1',
        ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: 'App.Example.com.', Type: 'A' } }] },
      },
      REGION,
      lookup,
    );
    expect(change?.[0]).toMatchObject({
      resource: 'arn:aws:route53:::hostedzone/Z1',
      context: {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['app.example.com'],
        'route53:ChangeResourceRecordSetsRecordTypes': ['A'],
        'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
        'aws:RequestedRegion': 'us-east-1',
      },
    });
  });
});

describe('the generated policies, enforced by the world', () => {
  it('allow the launch chain exactly as the adapter sends it (tags, groups, key, profile)', async () => {
    const { adapter, world } = setup(launchConfig());
    const instanceId = await adapter.runInstance(REGION, runInput());
    expect(world.ec2.instance(instanceId)?.tags['switchback:run']).toBe('r0001');
    expect(world.iam.denials()).toEqual([]);
  });

  it('a grant removed: RunInstances fails with UnauthorizedOperation naming the resource, with an encoded message', async () => {
    const { clients, world, orchestrator } = setup(launchConfig(), withoutGrant('ec2:RunInstances', 'security-group/'));
    const error = await rejectionOf(
      clients.ec2(REGION).send(
        new RunInstancesCommand({
          ImageId: IMAGE,
          InstanceType: 't3.small',
          MinCount: 1,
          MaxCount: 1,
          SubnetId: 'subnet-0abc1234',
          SecurityGroupIds: ['sg-0abc1234def567890'],
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'switchback:run', Value: 'r1' }] }],
        }),
      ),
    );
    expect(error.name).toBe('UnauthorizedOperation');
    expect(error.$metadata.httpStatusCode).toBe(403);
    const resource = `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0abc1234def567890`;
    expect(error.message).toContain(
      `You are not authorized to perform this operation. User: arn:aws:sts::${ACCOUNT}:assumed-role/switchback-sim-orchestrator-${REGION}/switchback-sim-orchestrator is not authorized to perform: ec2:RunInstances on resource: ${resource} because no identity-based policy allows the ec2:RunInstances action. Encoded authorization failure message: `,
    );
    const decoded = decodeAuthorizationMessage(error.message);
    expect(decoded).toMatchObject({ allowed: false, explicitDeny: false, context: { action: 'ec2:RunInstances', resource } });
    expect(world.iam.denials()).toEqual([
      expect.objectContaining({
        principal: orchestrator.roleArn,
        action: 'ec2:RunInstances',
        resource,
        api: 'ec2.RunInstances',
        dryRun: false,
      }),
    ]);
    expect(world.ec2.instances(REGION).filter((instance) => instance.tags['switchback:run'])).toEqual([]);
  });

  it('a launch without the run tag is denied by the generated condition (aws:RequestTag)', async () => {
    const { clients } = setup(launchConfig());
    const error = await rejectionOf(
      clients.ec2(REGION).send(
        new RunInstancesCommand({
          ImageId: IMAGE,
          InstanceType: 't3.small',
          MinCount: 1,
          MaxCount: 1,
          SubnetId: 'subnet-0abc1234',
          SecurityGroupIds: ['sg-0abc1234def567890'],
        }),
      ),
    );
    expect(error.name).toBe('UnauthorizedOperation');
    expect(decodeAuthorizationMessage(error.message).context.resource).toBe(`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`);
  });

  it('DryRuns are authorized too: allowed answers DryRunOperation, denied answers UnauthorizedOperation', async () => {
    const config = launchConfig();
    const allowed = setup(config);
    const launched = await allowed.adapter.runInstance(REGION, runInput());
    allowed.clock.advance(15_000); // running
    const attach = { VolumeId: VOLUME, InstanceId: launched, Device: '/dev/sdf' };
    expect(await allowed.adapter.checkPermission(REGION, 'AttachVolume', attach)).toMatchObject({ allowed: true });

    const denied = setup(config, withoutGrant('ec2:AttachVolume', 'volume/'));
    const other = await denied.adapter.runInstance(REGION, runInput());
    denied.clock.advance(15_000);
    const error = await rejectionOf(
      denied.clients.ec2(REGION).send(new AttachVolumeCommand({ ...attach, InstanceId: other, DryRun: true })),
    );
    expect(error.name).toBe('UnauthorizedOperation');
    expect(denied.world.iam.denials()).toEqual([expect.objectContaining({ action: 'ec2:AttachVolume', dryRun: true })]);
  });

  it('an instance without the run tag is not one switchback launched: AttachVolume on it is denied (aws:ResourceTag)', async () => {
    const { adapter, world } = setup(launchConfig());
    world.ec2.addInstance({ region: REGION, instanceId: 'i-0fedcba9876543210', state: 'running' });
    const check = await adapter.checkPermission(REGION, 'AttachVolume', {
      VolumeId: VOLUME,
      InstanceId: 'i-0fedcba9876543210',
      Device: '/dev/sdf',
    });
    expect(check.allowed).toBe(false);
    expect(check.detail).toMatch(/UnauthorizedOperation/);
  });

  it('route53:GetChange needs change/*; an SMS to a number needs Resource "*" (a topic grant is not enough)', async () => {
    const config = loadScenarioFile(join(SUITE, 'clean-failover.yml')).config;
    const full = setup(config);
    const change = await rejectionOf(full.clients.route53().send(new GetChangeCommand({ Id: 'C0000000000001' })));
    expect(change.name).toBe('NoSuchChange'); // allowed by IAM, then the service answers
    const noChange = setup(config, withoutGrant('route53:GetChange', 'change/'));
    const denied = await rejectionOf(noChange.clients.route53().send(new GetChangeCommand({ Id: 'C0000000000001' })));
    expect(denied.name).toBe('AccessDenied');
    expect(denied.message).toContain(
      'is not authorized to perform: route53:GetChange on resource: arn:aws:route53:::change/C0000000000001',
    );

    const topicOnly = setup(config, (document) => ({
      ...document,
      Statement: document.Statement.map((statement) =>
        (statement.Action as string[]).includes('sns:Publish')
          ? { ...statement, Resource: [`arn:aws:sns:${REGION}:${ACCOUNT}:alerts`] }
          : statement,
      ),
    }));
    const sms = await rejectionOf(topicOnly.clients.sns(REGION).send(new PublishCommand({ PhoneNumber: '+15555550100', Message: 'x' })));
    expect(sms.name).toBe('AuthorizationErrorException');
    expect(sms.message).toContain(
      'is not authorized to perform: sns:Publish because no identity-based policy allows the sns:Publish action',
    );
  });
});
