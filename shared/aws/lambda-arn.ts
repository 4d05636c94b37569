/** Lambda function ARNs without the SDK (the action registry and the config schema load this). */
const FUNCTION_ARN_REGION = /^arn:aws[a-z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):\d{12}:function:/;

/** The region of a full function ARN (`arn:aws:lambda:us-east-1:123456789012:function:promote`), else undefined. */
export function regionOfFunctionArn(functionName: string): string | undefined {
  return FUNCTION_ARN_REGION.exec(functionName)?.[1];
}
