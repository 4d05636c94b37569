/**
 * IAM grants as step actions declare them: (action, resource, condition) triples that the generator
 * in `serverless/iam.ts` merges into few policy statements. Resources are CloudFormation `Fn::Sub`
 * strings so the partition and account come from the stack. Pure: no AWS SDK.
 */

/** A string, or a CloudFormation intrinsic that yields one. */
export type CfnString = string | { 'Fn::Sub': string } | { Ref: string };
export type PolicyCondition = Record<string, Record<string, string | string[]>>;

export interface Grant {
  action: string;
  resource: '*' | CfnString;
  condition?: PolicyCondition;
}

/** Tag every instance switchback launches carries (`switchback:run = <run id>`). */
export const RUN_TAG_KEY = 'switchback:run';

const STEP_REF = /^\$\{(?:steps|failover)\.[^}]+\}$/;

/** Is this param a `${steps.<id>.<key>}` or `${failover.<id>.<key>}` reference (a value known only at run time)? */
export function isStepRef(value: string): boolean {
  return STEP_REF.test(value);
}

/** Does a request (or params) hold a step reference anywhere, in a list or nested object too? */
export function holdsStepRef(value: unknown): boolean {
  if (typeof value === 'string') return isStepRef(value);
  if (Array.isArray(value)) return value.some(holdsStepRef);
  if (value && typeof value === 'object') return Object.values(value).some(holdsStepRef);
  return false;
}

/** User values inside Fn::Sub: `${` must be written `${!` to stay literal. */
export function literal(value: string): string {
  return value.replace(/\$\{/g, '${!');
}

export function sub(template: string): { 'Fn::Sub': string } {
  return { 'Fn::Sub': template };
}

export function arn(service: string, region: string, resource: string): { 'Fn::Sub': string } {
  return sub(`arn:\${AWS::Partition}:${service}:${literal(region)}:\${AWS::AccountId}:${literal(resource)}`);
}

export function ec2Arn(region: string, resource: string): { 'Fn::Sub': string } {
  return arn('ec2', region, resource);
}

export function lambdaArn(region: string, name: string): CfnString {
  return arn('lambda', region, `function:${name}`);
}

/** A configured Lambda hook (name, name:qualifier, partial ARN or full ARN) → the ARN to grant. */
export function hookArn(functionNameOrArn: string, region: string): CfnString {
  if (functionNameOrArn.startsWith('arn:')) return functionNameOrArn;
  const partial = /^(\d{12}):function:(.+)$/.exec(functionNameOrArn);
  if (partial) return sub(`arn:\${AWS::Partition}:lambda:${literal(region)}:${partial[1]}:function:${literal(partial[2])}`);
  return lambdaArn(region, functionNameOrArn);
}

/** Instances launched by switchback carry the `switchback:run` tag; later steps may act on them (step references). */
export function instanceGrant(action: string, region: string, instanceId: string): Grant {
  if (!isStepRef(instanceId)) return { action, resource: ec2Arn(region, `instance/${instanceId}`) };
  return { action, resource: ec2Arn(region, 'instance/*'), condition: { Null: { [`aws:ResourceTag/${RUN_TAG_KEY}`]: 'false' } } };
}
