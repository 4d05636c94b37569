/**
 * The drill's permission check for a runbook call whose input holds a value known only at run time
 * (`${steps.launch.instanceId}`: no instance exists before the run). An EC2 DryRun of it would be
 * sent without the parameter (MissingParameter) or against another instance, and would answer for
 * the drill's role, not the orchestrator's. Instead the drill builds the authorization requests AWS
 * will evaluate for the real call (shared/aws/ec2-authorization.ts, the function the embedded world
 * authorizes every call with) and asks IAM about the orchestrator's role with
 * `iam:SimulatePrincipalPolicy` (../aws/iam.ts):
 * - the instance a launch step creates is `instance/*` (its id does not exist yet; a grant must
 *   cover every id, as the generated `instance/*` + run-tag condition does), with the tags the launch
 *   writes as `aws:ResourceTag/…` and `ec2:ResourceTag/…` (the run tag's value is `dry-run`: the run
 *   id is not known either) and its instance type; its network interface is `network-interface/*`;
 * - a reference to a step that names an instance (`ec2.start`) is that instance;
 * - every request carries `aws:RequestedRegion`.
 * Not sent: `ec2:AvailabilityZone` of the new instance and volume (a policy conditioned on them is
 * reported under MissingContextValues when IAM finds it missing).
 */
import { findAction } from '../actions';
import type { LaunchedInstance } from '../actions/define-action';
import { ec2AuthorizationRequests, withRequestedRegion } from '../aws/ec2-authorization';
import { functionRoleArn } from '../aws/lambda-arn';
import type { ServiceConfig } from '../config/types';
import type { AppDeps } from './deps';

/** `${steps.<id>.<key>}` → id and key. */
const STEP_REF = /^\$\{steps\.([^.}]+)\.([A-Za-z]+)\}$/;
/** An id that does not exist before the run, as IAM compares it: only a grant covering every id allows it. */
const NOT_YET_KNOWN = '*';

interface Substituted {
  input: unknown;
  /** The instances the references stand for (launched ones are `*`). */
  launched: LaunchedInstance[];
  /** Sentences for the report: what stood in for what. */
  notes: string[];
}

/** Replace every step reference in an SDK input with what IAM will see for it at run time. */
function substituteRefs(service: ServiceConfig, input: unknown): Substituted {
  const launched: LaunchedInstance[] = [];
  const notes = new Set<string>();
  const replace = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(replace);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replace(item)]));
    if (typeof value !== 'string') return value;
    const match = STEP_REF.exec(value);
    if (!match) return value;
    const step = service.secondary.prepare.find((candidate) => candidate.id === match[1]);
    const action = step && findAction(step.action);
    const instance = action?.launchedInstanceFor(step?.params, { serviceName: service.name, stepId: match[1] });
    if (instance) {
      launched.push(instance);
      notes.add(`the instance ${match[1]} launches`);
      return NOT_YET_KNOWN;
    }
    const named = step && action ? action.namedInstanceIdsFor(step.params)[0] : undefined;
    if (named) return named;
    notes.add(`${value} (not known before the run)`);
    return NOT_YET_KNOWN;
  };
  return { input: replace(input), launched, notes: [...notes] };
}

/** The orchestrator's role in the control region (serverless/deployment.ts names it; the sim's roles have the same names). */
export function orchestratorRoleArn(deps: AppDeps, accountId: string): string {
  return functionRoleArn(accountId, deps.functions.orchestrator, deps.config.controlRegion);
}

/** `simulateOrchestrator` of the drill's DryRunContext for one service. */
export function orchestratorSimulation(deps: AppDeps, service: ServiceConfig, region: string, accountId: string | undefined) {
  return async (_service: 'ec2', operation: string, sdkInput: Record<string, unknown>): Promise<{ ok: boolean; detail: string }> => {
    const action = `ec2:${operation}`;
    if (!accountId)
      return {
        ok: false,
        detail: `${action}: cannot name the orchestrator role to ask IAM (the drill's invocation carried no account id)`,
      };
    const roleArn = orchestratorRoleArn(deps, accountId);
    const role = roleArn.replace(/^.*:role\//, '');
    const { input, launched, notes } = substituteRefs(service, sdkInput);
    const [instance] = launched;
    const requests = ec2AuthorizationRequests(operation, input as Record<string, unknown>, region, {
      accountId,
      instance: (_region, instanceId) => (instanceId === NOT_YET_KNOWN ? instance : undefined),
      volume: () => undefined,
      // The role inside the profile is not read (no iam:GetInstanceProfile): any role, as the generated grant says.
      instanceProfileRole: () => NOT_YET_KNOWN,
      networkInterfaceOf: () => NOT_YET_KNOWN,
    });
    if (!requests)
      return { ok: false, detail: `${action} as the step sends it lacks a required parameter (EC2 would answer MissingParameter)` };
    const results = await deps.aws.iam().simulateRequests(roleArn, withRequestedRegion(requests, region));
    const standIns = notes.length > 0 ? `; ${notes.join(', ')} stands in as ${NOT_YET_KNOWN}` : '';
    const denied = results.filter((result) => result.decision !== 'allowed');
    if (denied.length === 0) {
      const resources = [...new Set(results.map((result) => `${result.request.action} on ${result.request.resource}`))];
      return { ok: true, detail: `the orchestrator role ${role} may ${resources.join(', ')} (iam:SimulatePrincipalPolicy${standIns})` };
    }
    const reasons = denied.map(
      (result) =>
        `${result.request.action} on ${result.request.resource} (${result.decision}${
          result.missingContextValues.length > 0 ? `; missing context ${result.missingContextValues.join(', ')}` : ''
        })`,
    );
    return { ok: false, detail: `the orchestrator role ${role} may not ${reasons.join('; ')} (iam:SimulatePrincipalPolicy${standIns})` };
  };
}
