/** switchback.yml variants for the deployment tests (unit tests and the `sls package` integration test). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '../../../shared/config/load';
import type { SwitchbackConfig } from '../../../shared/config/types';
import type { DeploymentContext } from '../../../serverless/deployment';

export const REPO_ROOT = join(__dirname, '..', '..', '..');

export const EXAMPLE_CONFIG_TEXT = readFileSync(join(REPO_ROOT, 'switchback.example.yml'), 'utf8');

/**
 * Everything the IAM and resource generators handle: a health-check-flag service whose standby is
 * launched from an AMI (later steps refer to it), a record-swap CNAME service with a failback check
 * hook and alarm-confirmed-by-probe, three probe locations, SMS numbers and a topic in controlRegion.
 */
export const FULL_CONFIG_TEXT = `
controlRegion: us-west-2
probeLocations: [us-west-2, eu-west-1, us-east-2]
notify:
  sms: ["+15555550100", "+15555550101"]
  topicArn: arn:aws:sns:us-west-2:123456789012:oncall
services:
  - name: web
    dns: { hostedZoneId: Z0123456789ABC, recordName: app.example.com, type: A, ttl: 30, strategy: health-check-flag }
    primary:
      region: us-east-1
      target: ["203.0.113.10", "203.0.113.11"]
      probe: { type: http, url: "http://203.0.113.10/health" }
      alarms: [web-5xx-high, "arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-latency-high"]
    secondary:
      region: us-west-2
      target: ["198.51.100.20"]
      probe: { type: http, url: "http://198.51.100.20/health" }
      prepare:
        - id: launch
          ec2.launchFromAmi: { imageId: ami-0abc1234def567890, instanceType: t4g.small, subnetId: subnet-0abc1234, securityGroupIds: [sg-0abc1234], keyName: ops, iamInstanceProfile: web-standby }
        - ec2.attachVolume: { volumeId: vol-0abc1234def567890, instanceId: "\${steps.launch.instanceId}", device: /dev/sdf, force: true }
        - ec2.associateAddress: { allocationId: eipalloc-0abc1234, instanceId: "\${steps.launch.instanceId}", allowReassociation: true }
        - lambda.invoke: { functionName: warm-caches }
        - http.waitHealthy: { timeoutSeconds: 300 }
      cleanup:
        - ec2.stop: { instanceIds: ["\${failover.launch.instanceId}"] }
  - name: api
    trigger: alarm-confirmed-by-probe
    dns: { hostedZoneId: Z0FEDCBA987654, recordName: Api.Example.com., type: CNAME, ttl: 60 }
    primary:
      region: us-east-1
      target: api-primary.example.net
      probe: { type: tcp, host: api-primary.example.net, port: 443 }
      alarms: [api-errors]
    secondary:
      region: us-east-2
      target: api-secondary.example.net
      probe: { type: tcp, host: api-secondary.example.net, port: 443 }
      prepare:
        - ec2.start: { instanceIds: [i-0123456789abcdef0], region: us-east-2 }
        - autoscaling.setCapacity: { autoScalingGroupName: api-fleet, minSize: 2, desiredCapacity: 2, maxSize: 6 }
    failback:
      mode: manual
      check: { functionName: "123456789012:function:replication-lag", region: us-east-2 }
`;

/** The example with two mistakes: every `path: message` must reach the operator. */
export const BROKEN_CONFIG_TEXT = EXAMPLE_CONFIG_TEXT.replace('ttl: 30', 'ttl: 0').replace('"+15555550100"', '"5555550100"');
export const BROKEN_CONFIG_PROBLEMS = [
  'services[0].dns.ttl: must be between 1 and 86400',
  'notify.sms[0]: "5555550100" is not an E.164 number',
];

export function exampleConfig(): SwitchbackConfig {
  return parseConfigText(EXAMPLE_CONFIG_TEXT, 'switchback.example.yml');
}

export function fullConfig(): SwitchbackConfig {
  return parseConfigText(FULL_CONFIG_TEXT, 'full.yml');
}

/** Parse a variant built by editing the example text. */
export function configFrom(text: string): SwitchbackConfig {
  return parseConfigText(text, 'variant.yml');
}

/** The controller stack of stage prod in the control region, as `sls deploy --stage prod` builds it. */
export const PROD_CONTROLLER: DeploymentContext = {
  stage: 'prod',
  role: 'controller',
  region: 'us-west-2',
  tableName: 'switchback-prod',
  tableDeletionPolicy: 'Retain',
  drillSchedule: 'cron(0 15 * * ? *)',
};

/** The forwarder rule pattern for FULL_CONFIG_TEXT's us-east-1 alarms (two named, one by ARN). */
export const FULL_CONFIG_FORWARDER_PATTERN = {
  source: ['aws.cloudwatch'],
  'detail-type': ['CloudWatch Alarm State Change'],
  resources: [
    { 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:us-east-1:${AWS::AccountId}:alarm:api-errors' },
    { 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:us-east-1:${AWS::AccountId}:alarm:web-5xx-high' },
    { 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:us-east-1:123456789012:alarm:web-latency-high' },
  ],
  detail: { state: { value: ['ALARM', 'OK'] } },
};

/** Everything a probe-only location's `probe` may do: its observations, its watch table, texts, its chain queue, logs. */
export const PROBE_LOCATION_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'sns:Publish',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:ReceiveMessage',
  'sqs:SendMessage',
];
