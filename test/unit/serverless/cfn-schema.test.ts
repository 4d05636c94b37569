import { TABLE_DEFINITION } from '../../../shared/store/table';
import { cfnSchemaProblems, type CfnTemplate } from '../../support/cfn-schema';

/** A small template in the shapes our stacks use, correct as CloudFormation defines them. */
function template(): CfnTemplate {
  return {
    Resources: {
      ChainQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'chain', VisibilityTimeout: 180, MessageRetentionPeriod: '3600' } },
      ChainMapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { EventSourceArn: { 'Fn::GetAtt': ['ChainQueue', 'Arn'] }, FunctionName: 'probe', BatchSize: 1, Enabled: true },
      },
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          ...structuredClone(TABLE_DEFINITION),
          TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        },
      },
    },
    Outputs: { TableArn: { Value: { 'Fn::GetAtt': ['Table', 'Arn'] } }, QueueUrl: { Value: { Ref: 'ChainQueue' } } },
  };
}

describe('cfnSchemaProblems: a template against the CloudFormation resource definitions', () => {
  it('finds nothing in a correct template', () => {
    expect(cfnSchemaProblems(template())).toEqual([]);
  });

  it('finds a misspelt property, with the ones the type has', () => {
    const bad = template();
    bad.Resources.ChainQueue.Properties = { QueueName: 'chain', VisiblityTimeout: 180 };
    const [problem, ...rest] = cfnSchemaProblems(bad);
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^ChainQueue \(AWS::SQS::Queue\)\.VisiblityTimeout: not a property \(known: .*\bVisibilityTimeout\b/);
  });

  it('finds a misspelt property inside a nested object', () => {
    const bad = template();
    bad.Resources.Table.Properties!.TimeToLiveSpecification = { AttributeName: 'ttl', Enable: true };
    expect(cfnSchemaProblems(bad)).toEqual([
      expect.stringMatching(/^Table \(AWS::DynamoDB::Table\)\.TimeToLiveSpecification\.Enable: not a property/),
      'Table (AWS::DynamoDB::Table).TimeToLiveSpecification.Enabled: required and missing',
    ]);
  });

  it('finds a missing required property, a value of the wrong shape and an unknown type', () => {
    const bad = template();
    delete bad.Resources.Table.Properties!.KeySchema;
    bad.Resources.ChainMapping.Properties!.BatchSize = 'one';
    bad.Resources.Extra = { Type: 'AWS::SQS::Queues', Properties: {} };
    expect(cfnSchemaProblems(bad)).toEqual([
      'ChainMapping (AWS::Lambda::EventSourceMapping).BatchSize: expected a number, got "one"',
      'Table (AWS::DynamoDB::Table).KeySchema: required and missing',
      'Extra: AWS::SQS::Queues is not a CloudFormation resource type',
    ]);
  });

  it('finds a Fn::GetAtt of an attribute the type does not have, and references to nothing', () => {
    const bad = template();
    bad.Resources.ChainMapping.Properties!.EventSourceArn = { 'Fn::GetAtt': ['ChainQueue', 'QueueArn'] };
    bad.Outputs = { Missing: { Value: { Ref: 'NoSuchQueue' } }, Gone: { Value: { 'Fn::GetAtt': 'NoSuchTable.Arn' } } };
    expect(cfnSchemaProblems(bad)).toEqual([
      expect.stringMatching(/^ChainMapping: Fn::GetAtt ChainQueue\.QueueArn: AWS::SQS::Queue has no attribute QueueArn \(it has .*\bArn\b/),
      'Outputs: Ref NoSuchQueue, which the template does not have',
      'Outputs: Fn::GetAtt of NoSuchTable, which the template does not have',
    ]);
  });

  it("finds a value outside the API's enumeration where the resource definition gives none", () => {
    const bad = template();
    bad.Resources.Table.Properties!.BillingMode = 'ON_DEMAND';
    bad.Resources.Table.Properties!.KeySchema = [{ AttributeName: 'pk', KeyType: 'PARTITION' }];
    bad.Resources.Alarm = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notbreaching' },
    };
    bad.Resources.Fn = {
      Type: 'AWS::Lambda::Function',
      Properties: { Role: 'arn', Code: {}, Runtime: 'nodejs24', Architectures: ['arm64'] },
    };
    expect(cfnSchemaProblems(bad)).toEqual([
      'Table (AWS::DynamoDB::Table).BillingMode: "ON_DEMAND" is not one of PAY_PER_REQUEST, PROVISIONED',
      'Table (AWS::DynamoDB::Table).KeySchema[0].KeyType: "PARTITION" is not one of HASH, RANGE',
      'Alarm (AWS::CloudWatch::Alarm).TreatMissingData: "notbreaching" is not one of breaching, notBreaching, ignore, missing',
      expect.stringMatching(/^Fn \(AWS::Lambda::Function\)\.Runtime: "nodejs24" is not one of .*\bnodejs24\.x\b/),
    ]);
  });

  it('leaves intrinsic functions to CloudFormation', () => {
    const withIntrinsics = template();
    withIntrinsics.Resources.ChainQueue.Properties!.VisibilityTimeout = { 'Fn::If': ['Long', 900, 180] };
    withIntrinsics.Resources.ChainMapping.Properties!.FunctionName = { 'Fn::Sub': '${AWS::StackName}-probe' };
    expect(cfnSchemaProblems(withIntrinsics)).toEqual([]);
  });
});
