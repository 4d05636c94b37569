/**
 * IAM adapter, loaded only by the drill: ask IAM whether the orchestrator's role may make a call,
 * without making it (`iam:SimulatePrincipalPolicy`). The drill uses it for runbook calls whose input
 * holds a value known only at run time (an instance a launch step creates), where an EC2 DryRun
 * would be sent with a missing parameter (MissingParameter) or against the wrong instance.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 *
 * - `PolicySourceArn` is the orchestrator's role: the simulation includes every policy attached to
 *   it. `CallerArn` is left out (it may name only a user, group or role, and defaults to
 *   PolicySourceArn); no `ResourcePolicy` (EC2 has no resource-based policies).
 * - Each action is evaluated for each of `ResourceArns`; one call carries one set of
 *   `ContextEntries`, so requests are grouped by action and context (the context of the new instance
 *   — `aws:RequestTag/…`, `aws:ResourceTag/…`, `ec2:ResourceTag/…` — differs from the image's).
 *   Per-resource decisions come in `ResourceSpecificResults` (the top-level `EvalResourceName` is
 *   an ARN template, not the resource asked about).
 * - The caller (the drill's role) needs `iam:SimulatePrincipalPolicy` on the orchestrator role's ARN
 *   (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
 * - What it cannot see: AWS says "the policy simulator results can differ from your live AWS
 *   environment". Resource-based policies are not fetched, and organization policies (resource
 *   control policies, and service control policies in some cases) and VPC endpoint policies are
 *   evaluated differently or not at all; the README says so where it explains the drill.
 */
import { IAMClient, SimulatePrincipalPolicyCommand, type ContextEntry } from '@aws-sdk/client-iam';
import { sdkClientFactory, type AwsClients, type AdapterKit } from './clients';
import type { AuthorizationRequest } from './ec2-authorization';
import { callAws } from './errors';

export const iamClientFactory = sdkClientFactory(IAMClient);

export type SimulatedDecision = 'allowed' | 'implicitDeny' | 'explicitDeny';

export interface SimulatedRequest {
  request: AuthorizationRequest;
  decision: SimulatedDecision;
  /** Context keys the role's policies test that the request did not carry. */
  missingContextValues: string[];
}

export interface IamAdapter {
  /** Evaluate each request against the policies of `roleArn`, as AWS would for a call that role makes. */
  simulateRequests(roleArn: string, requests: AuthorizationRequest[]): Promise<SimulatedRequest[]>;
}

function contextEntries(context: AuthorizationRequest['context']): ContextEntry[] {
  return Object.entries(context).map(([key, value]) => ({
    ContextKeyName: key,
    ContextKeyValues: Array.isArray(value) ? value : [value],
    ContextKeyType: Array.isArray(value) ? 'stringList' : 'string',
  }));
}

function decisionOf(value: string | undefined): SimulatedDecision {
  return value === 'allowed' || value === 'explicitDeny' ? value : 'implicitDeny';
}

export function createIamAdapter(clients: Pick<AwsClients, 'iam'>): IamAdapter {
  async function simulateGroup(roleArn: string, group: AuthorizationRequest[]): Promise<SimulatedRequest[]> {
    const [{ action, context }] = group;
    const resources = group.map((request) => request.resource);
    const results = new Map<string, SimulatedRequest>();
    let marker: string | undefined;
    do {
      const response = await callAws('iam:SimulatePrincipalPolicy', `${roleArn} ${action}`, () =>
        clients.iam().send(
          new SimulatePrincipalPolicyCommand({
            PolicySourceArn: roleArn,
            ActionNames: [action],
            ResourceArns: resources,
            ContextEntries: contextEntries(context),
            ...(marker && { Marker: marker }),
          }),
        ),
      );
      for (const result of response.EvaluationResults ?? []) {
        const specific = result.ResourceSpecificResults ?? [];
        for (const request of group) {
          const own = specific.find((item) => item.EvalResourceName === request.resource);
          if (!own && specific.length > 0) continue; // on another page
          results.set(request.resource, {
            request,
            decision: decisionOf(own?.EvalResourceDecision ?? result.EvalDecision),
            missingContextValues: own?.MissingContextValues ?? result.MissingContextValues ?? [],
          });
        }
      }
      marker = response.IsTruncated ? response.Marker : undefined;
    } while (marker);
    // A resource IAM did not answer for is not allowed.
    return group.map((request) => results.get(request.resource) ?? { request, decision: 'implicitDeny', missingContextValues: [] });
  }

  return {
    async simulateRequests(roleArn, requests) {
      const groups = new Map<string, AuthorizationRequest[]>();
      for (const request of requests) {
        const key = JSON.stringify([request.action, request.context]);
        groups.set(key, [...(groups.get(key) ?? []), request]);
      }
      const results: SimulatedRequest[] = [];
      for (const group of groups.values()) results.push(...(await simulateGroup(roleArn, group)));
      return results;
    },
  };
}

/** What a function that carries the iam adapter passes (see FUNCTION_AWS_ADAPTERS). */
export const iamKit: AdapterKit<'iam', IamAdapter> = { factory: iamClientFactory, adapter: createIamAdapter };
