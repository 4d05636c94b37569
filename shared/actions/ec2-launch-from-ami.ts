/**
 * `ec2.launchFromAmi`: launch a cold standby. RunInstances carries a ClientToken derived from run id +
 * step id, so a re-executed launch returns the instance the first execution created. The instance is
 * tagged `switchback:run` (later steps may act on it through `${steps.<id>.instanceId}`).
 */
import { createHash } from 'node:crypto';
import * as z from '../app/event-schema';
import type { ActionResult } from './context';
import { defineAction, type DryRunCheck, type DryRunContext, type GrantContext } from './define-action';
import { EC2_RETRY, ec2PermissionCheck, waitForInstances } from './ec2-support';
import { ec2Arn, literal, RUN_TAG_KEY, sub, type Grant } from './grants';
import { inRegion, inSiteRegion, nonEmpty, region, stepRegion } from './params';
import { launchedInstanceTags, runInstancesRequest, type RunInstanceInput } from '../aws/ec2-requests';

/** EC2 ClientToken: at most 64 ASCII characters. */
export const CLIENT_TOKEN_MAX_CHARS = 64;

/** sha256(runId + stepId) as hex, cut to 64 characters: the same run and step always launch the same instance. */
export function clientTokenFor(runId: string, stepId: string): string {
  return createHash('sha256').update(`${runId}\n${stepId}`).digest('hex').slice(0, CLIENT_TOKEN_MAX_CHARS);
}

/**
 * What RunInstances refuses, refused when the config is read instead of at failover time. Tags
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions): 50 per
 * resource, keys of 1–128 and values of up to 256 Unicode characters, no `aws:` prefix. User data
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html): 16 KB raw,
 * before base64.
 */
const EC2_LIMITS = { tagsPerResource: 50, tagKeyChars: 128, tagValueChars: 256, userDataBytes: 16 * 1024 } as const;

const characters = (text: string) => [...text].length;

const launchTags = z
  .record(
    z.string().check(z.minLength(1, 'a tag key must not be empty')),
    z
      .string()
      .check(
        z.refine((value) => characters(value) <= EC2_LIMITS.tagValueChars, `a tag value is at most ${EC2_LIMITS.tagValueChars} characters`),
      ),
  )
  .check(
    z.superRefine((tags, issues) => {
      const problem = (message: string) => issues.addIssue({ code: 'custom', input: tags, message });
      for (const key of Object.keys(tags)) {
        if (key.toLowerCase().startsWith('aws:')) problem(`${JSON.stringify(key)}: tag keys starting with aws: are reserved for AWS`);
        if (characters(key) > EC2_LIMITS.tagKeyChars)
          problem(`${JSON.stringify(key)}: a tag key is at most ${EC2_LIMITS.tagKeyChars} characters`);
        if (key === RUN_TAG_KEY) problem(`${JSON.stringify(key)}: switchback sets this tag (the run id) on every instance it launches`);
      }
      if (Object.keys({ Name: '', ...tags, [RUN_TAG_KEY]: '' }).length > EC2_LIMITS.tagsPerResource)
        problem(
          `an instance takes at most ${EC2_LIMITS.tagsPerResource} tags, and switchback adds Name and ${RUN_TAG_KEY}: at most ${EC2_LIMITS.tagsPerResource - 2} more (Name may be one of them)`,
        );
    }),
  );

const userData = z.string().check(
  z.superRefine((text, issues) => {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > EC2_LIMITS.userDataBytes)
      issues.addIssue({
        code: 'custom',
        input: text,
        message: `is ${bytes} bytes; EC2 takes at most ${EC2_LIMITS.userDataBytes} (16 KB) before base64`,
      });
  }),
);

/** The value of the run tag in the drill's DryRun (the real one is the run id, not known before the run). */
export const DRY_RUN_RUN_ID = 'dry-run';

/** The step's params as RunInstances takes them (the run adds the client token and run id). */
type LaunchParams = Omit<RunInstanceInput, 'clientToken' | 'runId'>;

/** What the adapter's RunInstances gets for this step: one definition for the run and the drill's DryRun. */
function launchInput(p: LaunchParams, at: { serviceName: string; stepId: string; runId: string }): RunInstanceInput {
  return {
    imageId: p.imageId,
    instanceType: p.instanceType,
    subnetId: p.subnetId,
    securityGroupIds: p.securityGroupIds,
    keyName: p.keyName,
    iamInstanceProfile: p.iamInstanceProfile,
    userData: p.userData,
    tags: { Name: `${at.serviceName}-${at.stepId}`, ...p.tags },
    clientToken: clientTokenFor(at.runId, at.stepId),
    runId: at.runId,
  };
}

// RunInstances is authorized on every resource the request names or creates.
function launchGrants(p: LaunchParams, { region }: GrantContext): Grant[] {
  const runInstances = (resource: Grant['resource']): Grant => ({ action: 'ec2:RunInstances', resource });
  const grants: Grant[] = [
    runInstances(sub(`arn:\${AWS::Partition}:ec2:${literal(region)}::image/${literal(p.imageId)}`)),
    runInstances(ec2Arn(region, p.subnetId ? `subnet/${p.subnetId}` : 'subnet/*')),
    ...(p.securityGroupIds && p.securityGroupIds.length > 0 ? p.securityGroupIds : ['*']).map((group) =>
      runInstances(ec2Arn(region, `security-group/${group}`)),
    ),
    runInstances(ec2Arn(region, 'network-interface/*')),
    runInstances(ec2Arn(region, 'volume/*')),
    ...(p.keyName ? [runInstances(ec2Arn(region, `key-pair/${p.keyName}`))] : []),
    // The new instance must carry the run tag, and tags may only be written while launching.
    {
      action: 'ec2:RunInstances',
      resource: ec2Arn(region, 'instance/*'),
      condition: { Null: { [`aws:RequestTag/${RUN_TAG_KEY}`]: 'false' } },
    },
    {
      action: 'ec2:CreateTags',
      resource: ec2Arn(region, 'instance/*'),
      condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
    },
  ];
  if (p.iamInstanceProfile) {
    // The role inside an instance profile is not named in the config: any role, but only handed to EC2.
    grants.push({
      action: 'iam:PassRole',
      resource: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*'),
      condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    });
  }
  return grants;
}

const DAY_MS = 86_400_000;

/**
 * The AMI exists where the launch runs (AMIs are regional: one copied to the secondary region has
 * another id there), is available, and, with `maxImageAgeDays`, is recent enough
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html).
 */
function imageCheck(p: LaunchParams & { maxImageAgeDays?: number }, context: DryRunContext): DryRunCheck {
  return {
    check: `image ${p.imageId}`,
    run: async () => {
      const image = await context.aws.ec2().describeImage(context.region, p.imageId);
      if (!image)
        return {
          ok: false,
          detail: `${p.imageId} does not exist in ${context.region} (AMIs are regional: copy it there with CopyImage): the launch would fail with InvalidAMIID.NotFound`,
        };
      if (image.state !== 'available') return { ok: false, detail: `${p.imageId} is ${image.state} in ${context.region}, not available` };
      const ageDays = image.creationEpochMs === undefined ? undefined : Math.floor((context.nowEpochMs - image.creationEpochMs) / DAY_MS);
      if (p.maxImageAgeDays !== undefined && (ageDays === undefined || ageDays > p.maxImageAgeDays))
        return {
          ok: false,
          detail: `${p.imageId} was created ${ageDays === undefined ? 'at an unknown date' : `${ageDays} days ago`}, more than maxImageAgeDays ${p.maxImageAgeDays}: the standby would boot old software; bake a new AMI`,
        };
      const age = ageDays === undefined ? '' : `, created ${ageDays} day${ageDays === 1 ? '' : 's'} ago`;
      return { ok: true, detail: `${p.imageId} is available in ${context.region}${age}` };
    },
  };
}

export const ec2LaunchFromAmi = defineAction({
  name: 'ec2.launchFromAmi',
  params: z.strictObject({
    imageId: z.string().check(z.regex(/^ami-[0-9a-f]{8,17}$/, 'must be an AMI id like ami-0abc1234')),
    instanceType: nonEmpty,
    subnetId: z.optional(z.string().check(z.regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id like subnet-0abc1234'))),
    securityGroupIds: z.optional(z.array(z.string().check(z.regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id like sg-0abc1234')))),
    keyName: z.optional(z.string()),
    iamInstanceProfile: z.optional(z.string()),
    userData: z.optional(userData),
    tags: z.optional(launchTags),
    /** The drill fails when the AMI is older than this (a standby booting months-old software). */
    maxImageAgeDays: z.optional(z.number().check(z.int(), z.gte(1), z.lte(3650))),
    region: z.optional(region),
  }),
  defaults: { timeoutSeconds: 600, retry: EC2_RETRY },
  place: inSiteRegion,
  describe: (p) => `launch a ${p.instanceType} from ${p.imageId}${inRegion(p.region)}`,
  grants: launchGrants,
  // The DryRun needs the run's grants; the image check reads (Describe* has no resource-level permission).
  dryRunGrants: (p, context) => [...launchGrants(p, context), { action: 'ec2:DescribeImages', resource: '*' }],
  // The same request the run sends: tags (the run tag the policy requires), groups, key, profile.
  dryRunSimulatesOrchestrator: true,
  dryRunCheck: (p, context) => [
    ec2PermissionCheck(
      context,
      'RunInstances',
      runInstancesRequest(launchInput(p, { serviceName: context.service.name, stepId: context.stepId, runId: DRY_RUN_RUN_ID })),
    ),
    imageCheck(p, context),
  ],
  launchedInstance: (p, { serviceName, stepId }) => ({
    tags: launchedInstanceTags(launchInput(p, { serviceName, stepId, runId: DRY_RUN_RUN_ID })),
    instanceType: p.instanceType,
  }),
  async execute(ctx, p): Promise<ActionResult> {
    const region = stepRegion(p, ctx);
    const ec2 = ctx.aws.ec2();
    const input = launchInput(p, { serviceName: ctx.service.name, stepId: ctx.step.id, runId: ctx.run.id });
    const clientToken = input.clientToken;
    const instanceId = await ec2.runInstance(region, input);
    await waitForInstances(ctx, region, [instanceId], 'running');
    const [summary] = await ec2.describeInstances(region, [instanceId]);
    return {
      output: {
        instanceId,
        instanceIds: [instanceId],
        ...(summary?.privateIpAddress && { privateIpAddress: summary.privateIpAddress }),
        ...(summary?.publicIpAddress && { publicIpAddress: summary.publicIpAddress }),
      },
      note: `launched ${instanceId} (client token ${clientToken.slice(0, 12)}…)`,
    };
  },
});
