/**
 * Checks a CloudFormation template against AWS's own resource definitions, not against what our
 * generator meant to write: `@aws-cdk/aws-service-spec` is the CloudFormation registry's resource
 * schemas (with the older resource specification for the types not yet in the registry), the source
 * CloudFormation itself validates against. A property CloudFormation does not know, a missing
 * required one, a value of the wrong shape or a `Fn::GetAtt` of an attribute the type does not have
 * fails a deployment; `sls package` does not notice any of them.
 *
 * Values that are intrinsic functions (`Ref`, `Fn::*`) are not checked: CloudFormation resolves them
 * at deploy time. Numbers and booleans written as strings pass, as CloudFormation accepts them.
 * String enumerations are checked where the definitions carry them; many older types do not, so for
 * the ones our stacks set, API_ENUMS takes the values from the services' API models (the SDK's enums).
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, Resource, ResourceProperties, SpecDatabase } from '@aws-cdk/service-spec-types';
import { ComparisonOperator, StandardUnit, Statistic } from '@aws-sdk/client-cloudwatch';
import { BillingMode, KeyType, ScalarAttributeType } from '@aws-sdk/client-dynamodb';
import { Architecture, Runtime } from '@aws-sdk/client-lambda';
import { RRType } from '@aws-sdk/client-route-53';

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  Parameters?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

/**
 * Allowed values of string properties whose resource definitions give none, by type and property path
 * (`[]` for a list's elements): each is the enumeration of the API the resource calls.
 */
const API_ENUMS: Record<string, readonly string[]> = {
  'AWS::CloudWatch::Alarm.ComparisonOperator': Object.values(ComparisonOperator),
  'AWS::CloudWatch::Alarm.Statistic': Object.values(Statistic),
  'AWS::CloudWatch::Alarm.Unit': Object.values(StandardUnit),
  // PutMetricAlarm's TreatMissingData is a free string in the model; its documented values:
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
  'AWS::CloudWatch::Alarm.TreatMissingData': ['breaching', 'notBreaching', 'ignore', 'missing'],
  'AWS::DynamoDB::Table.BillingMode': Object.values(BillingMode),
  'AWS::DynamoDB::Table.AttributeDefinitions[].AttributeType': Object.values(ScalarAttributeType),
  'AWS::DynamoDB::Table.KeySchema[].KeyType': Object.values(KeyType),
  'AWS::Lambda::Function.Runtime': Object.values(Runtime),
  'AWS::Lambda::Function.Architectures[]': Object.values(Architecture),
  'AWS::Route53::RecordSet.Type': Object.values(RRType),
};

let database: SpecDatabase | undefined;
/** The definitions (~1 s to load), once per test file. */
function specDatabase(): SpecDatabase {
  return (database ??= loadAwsServiceSpecSync());
}

const INTRINSIC_KEY = /^(Ref|Condition|Fn::[A-Za-z]+)$/;

function isIntrinsic(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && INTRINSIC_KEY.test(keys[0]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const shown = (value: unknown) => JSON.stringify(value)?.slice(0, 80);

/** Whether `value` is the kind of thing `type` describes (a list, an object, a string ...), before its details. */
function hasShapeOf(type: PropertyType, value: unknown): boolean {
  switch (type.type) {
    case 'array':
      return Array.isArray(value);
    case 'ref':
    case 'map':
    case 'tag':
      return isObject(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
    case 'number':
      return typeof value === 'number' || typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean' || typeof value === 'string';
    default:
      return true;
  }
}

/** Where a value is: `path` for people (`Table (AWS::DynamoDB::Table).KeySchema[0]`), `specPath` for API_ENUMS. */
interface Where {
  path: string;
  specPath: string;
}

const member = (where: Where, name: string): Where => ({ path: `${where.path}.${name}`, specPath: `${where.specPath}.${name}` });
const element = (where: Where, index: number): Where => ({ path: `${where.path}[${index}]`, specPath: `${where.specPath}[]` });

function checkValue(db: SpecDatabase, type: PropertyType, value: unknown, where: Where, problems: string[]): void {
  if (isIntrinsic(value)) return;
  const { path } = where;
  switch (type.type) {
    case 'string': {
      const allowed = type.allowedValues ?? API_ENUMS[where.specPath];
      if (typeof value !== 'string') problems.push(`${path}: expected a string, got ${shown(value)}`);
      else if (allowed && !allowed.includes(value)) problems.push(`${path}: "${value}" is not one of ${allowed.join(', ')}`);
      return;
    }
    case 'integer':
    case 'number':
      if (typeof value !== 'number' && !(typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)))
        problems.push(`${path}: expected a number, got ${shown(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean' && value !== 'true' && value !== 'false')
        problems.push(`${path}: expected a boolean, got ${shown(value)}`);
      return;
    case 'json':
    case 'date-time':
    case 'null':
      return;
    case 'tag':
      if (!isObject(value)) problems.push(`${path}: expected a tag, got ${shown(value)}`);
      return;
    case 'array':
      if (!Array.isArray(value)) problems.push(`${path}: expected a list, got ${shown(value)}`);
      else value.forEach((item, index) => checkValue(db, type.element, item, element(where, index), problems));
      return;
    case 'map':
      if (!isObject(value)) problems.push(`${path}: expected a map, got ${shown(value)}`);
      else for (const [key, item] of Object.entries(value)) checkValue(db, type.element, item, member(where, key), problems);
      return;
    case 'union': {
      // The value fits if it fits one member. A free-form JSON member (KeySchema, RedrivePolicy) would
      // let anything through, so a value shaped like a structured member is checked against that one.
      const structured = type.types.filter((option) => option.type !== 'json' && hasShapeOf(option, value));
      if (structured.length === 0 && type.types.some((option) => option.type === 'json')) return;
      const attempts = (structured.length > 0 ? structured : type.types).map((option) => {
        const found: string[] = [];
        checkValue(db, option, value, where, found);
        return found;
      });
      if (attempts.every((found) => found.length > 0)) problems.push(...attempts.sort((a, b) => a.length - b.length)[0]);
      return;
    }
    case 'ref': {
      const definition = db.get('typeDefinition', type.reference.$ref);
      if (!isObject(value)) problems.push(`${path}: expected a ${definition.name} object, got ${shown(value)}`);
      else checkProperties(db, definition.properties, value, where, problems);
      return;
    }
  }
}

function checkProperties(
  db: SpecDatabase,
  properties: ResourceProperties,
  value: Record<string, unknown>,
  where: Where,
  problems: string[],
): void {
  for (const [name, propertyValue] of Object.entries(value)) {
    const property = properties[name];
    if (!property) problems.push(`${where.path}.${name}: not a property (known: ${Object.keys(properties).sort().join(', ')})`);
    else checkValue(db, property.type, propertyValue, member(where, name), problems);
  }
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in value)) problems.push(`${where.path}.${name}: required and missing`);
  }
}

/** Every `Fn::GetAtt` names an attribute its resource's type has; every `Ref` names something that exists. */
function checkReferences(template: CfnTemplate, types: Map<string, Resource>, node: unknown, where: string, problems: string[]): void {
  if (Array.isArray(node)) {
    for (const element of node) checkReferences(template, types, element, where, problems);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'Fn::GetAtt') {
      const [logicalId, attribute] = Array.isArray(value) ? (value as string[]) : String(value).split('.');
      const type = types.get(logicalId);
      if (!template.Resources[logicalId]) problems.push(`${where}: Fn::GetAtt of ${logicalId}, which the template does not have`);
      else if (type && typeof attribute === 'string' && !type.attributes[attribute])
        problems.push(
          `${where}: Fn::GetAtt ${logicalId}.${attribute}: ${type.cloudFormationType} has no attribute ${attribute} (it has ${Object.keys(type.attributes).sort().join(', ')})`,
        );
    } else if (key === 'Ref' && typeof value === 'string') {
      if (!value.startsWith('AWS::') && !template.Resources[value] && !template.Parameters?.[value])
        problems.push(`${where}: Ref ${value}, which the template does not have`);
    }
    checkReferences(template, types, value, where, problems);
  }
}

/** What CloudFormation would reject in `template`, one line each; empty when nothing. */
export function cfnSchemaProblems(template: CfnTemplate): string[] {
  const db = specDatabase();
  const problems: string[] = [];
  const types = new Map<string, Resource>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const [type] = db.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
    if (!type) {
      problems.push(`${logicalId}: ${resource.Type} is not a CloudFormation resource type`);
      continue;
    }
    types.set(logicalId, type);
    const where = { path: `${logicalId} (${resource.Type})`, specPath: resource.Type };
    checkProperties(db, type.properties, resource.Properties ?? {}, where, problems);
  }
  for (const [logicalId, resource] of Object.entries(template.Resources)) checkReferences(template, types, resource, logicalId, problems);
  checkReferences(template, types, template.Outputs ?? {}, 'Outputs', problems);
  return problems;
}
