/** Lambda function ARNs and the names of the functions' roles, without the SDK (the action registry and the config schema load this). */
const FUNCTION_ARN_REGION = /^arn:aws[a-z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):\d{12}:function:/;

/** The region of a full function ARN (`arn:aws:lambda:us-east-1:123456789012:function:promote`), else undefined. */
export function regionOfFunctionArn(functionName: string): string | undefined {
  return FUNCTION_ARN_REGION.exec(functionName)?.[1];
}

/** IAM role names are at most 64 characters (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html). */
export const MAX_ROLE_NAME_CHARS = 64;

/**
 * The name of the role a deployed function runs with: its function name and its region (IAM is global,
 * one stack per region). serverless/deployment.ts gives each role this name, so the drill can name the
 * orchestrator's role to ask IAM about it.
 */
export function functionRoleName(functionName: string, region: string): string {
  return `${functionName}-${region}`;
}

export function functionRoleArn(accountId: string, functionName: string, region: string): string {
  return `arn:aws:iam::${accountId}:role/${functionRoleName(functionName, region)}`;
}
