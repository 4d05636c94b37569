/**
 * The configs `switchback chaos` draws on when it is given none: the shapes people deploy (a warm
 * standby, a cold launch chain, the data-plane flag switch, three probe locations, several services
 * on one controller). Timings are short (15 s probes, 60 s hold-down) so one schedule with an
 * incident, its recovery and the failback fits in about twelve minutes of virtual time.
 */

const NOTIFY = { sms: ['+15555550100'] };
const FAST_DEFAULTS = {
  // A generous probe timeout costs nothing here (chaos sites refuse, reset or answer at once) and keeps a
  // slow answer on a loaded machine from coming out differently from run to run.
  probe: { intervalSeconds: 15, timeoutMs: 2000, failureThreshold: 3, recoveryThreshold: 3 },
  failback: { mode: 'auto', holdDownSeconds: 60 },
  guard: { cooldownSeconds: 180, maxFailoversPer24h: 2 },
  detect: { maxAlarmAgeSeconds: 120 },
  // Short enough that a run which outlives it shows up inside a twelve-minute schedule.
  runTimeoutSeconds: 600,
};

function service(name: string, index: number, extra: Record<string, unknown> = {}, secondary: Record<string, unknown> = {}) {
  const primaryIp = `203.0.113.${10 + index}`;
  const secondaryIp = `198.51.100.${20 + index}`;
  return {
    name,
    dns: { hostedZoneId: 'Z0123456789ABC', recordName: `${name}.example.com`, type: 'A', ttl: 30 },
    primary: {
      region: 'us-east-1',
      target: [primaryIp],
      probe: { type: 'http', url: `http://${primaryIp}/health` },
      alarms: [`${name}-5xx-high`],
    },
    secondary: {
      region: 'us-west-2',
      target: [secondaryIp],
      probe: { type: 'http', url: `http://${secondaryIp}/health` },
      ...secondary,
    },
    ...extra,
  };
}

const warmStandbySteps = (instance: string, allocation: string) => ({
  prepare: [
    { 'ec2.start': { instanceIds: [instance] } },
    { 'ec2.associateAddress': { allocationId: allocation, instanceId: instance, allowReassociation: true } },
    { 'http.waitHealthy': { timeoutSeconds: 120 } },
  ],
  cleanup: [{ 'ec2.stop': { instanceIds: [instance] } }],
});

const LAUNCHED = '${steps.launch.instanceId}';
const STANDBY_LAUNCH = {
  imageId: 'ami-0abc1234def567890',
  instanceType: 't3.small',
  subnetId: 'subnet-0abc1234',
  tags: { Name: 'api-standby' },
};

/** Cold standby: launch from an AMI, attach the data volume and the Elastic IP to it, wait until healthy. */
const coldLaunchSteps = {
  prepare: [
    { id: 'launch', 'ec2.launchFromAmi': STANDBY_LAUNCH },
    { 'ec2.attachVolume': { volumeId: 'vol-0abc1234def567890', instanceId: LAUNCHED, device: '/dev/sdf' } },
    { 'ec2.associateAddress': { allocationId: 'eipalloc-0abc1234', instanceId: LAUNCHED, allowReassociation: true } },
    { 'http.waitHealthy': { timeoutSeconds: 120 } },
  ],
};

/** A built-in chaos config: the control region us-west-2, fast timings, one trigger for every service. */
function chaosConfig(trigger: string, services: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { controlRegion: 'us-west-2', ...extra, notify: NOTIFY, defaults: { ...FAST_DEFAULTS, trigger }, services };
}

export const CHAOS_CONFIGS: Record<string, Record<string, unknown>> = {
  'warm-standby': chaosConfig('probe', [service('web', 0, {}, warmStandbySteps('i-0abc1234def567890', 'eipalloc-0abc1234'))]),
  'cold-launch': chaosConfig('alarm-confirmed-by-probe', [service('api', 1, {}, coldLaunchSteps)]),
  flag: chaosConfig('probe', [service('shop', 2, { dns: { ...service('shop', 2).dns, strategy: 'health-check-flag' } })]),
  'three-locations': chaosConfig(
    'alarm-confirmed-by-probe',
    [service('web', 3, {}, warmStandbySteps('i-0abc1234def567891', 'eipalloc-0abc1235'))],
    {
      probeLocations: ['us-west-2', 'eu-west-1', 'ap-southeast-2'],
    },
  ),
  'several-services': chaosConfig('probe', [
    service('web', 4, {}, warmStandbySteps('i-0abc1234def567892', 'eipalloc-0abc1236')),
    service('api', 5, { trigger: 'alarm', failback: { mode: 'manual' } }),
    service('docs', 6, { dns: { ...service('docs', 6).dns, strategy: 'health-check-flag' } }),
  ]),
};

export const CHAOS_CONFIG_NAMES = Object.keys(CHAOS_CONFIGS);
