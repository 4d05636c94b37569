/**
 * IAM enforced in every scenario: the functions run with the policies `sls package` generates, and a
 * grant missing from them fails the scenario with AWS's own error.
 */
import { runScenario } from '../../sim/runner';
import { forgetElasticIpGrant, suiteScenario } from './scenario-kit';

describe('IAM in the simulated world', () => {
  test('the clean failover needs every grant it has: without the Elastic IP grant it fails as AWS would', async () => {
    const result = await runScenario(suiteScenario('clean-failover'), { adjustRoles: forgetElasticIpGrant });
    const [failover] = result.summary.runs;
    expect(failover).toMatchObject({ kind: 'failover', status: 'failed' });
    expect(failover.error).toMatch(/ec2:AssociateAddress .*denied \(UnauthorizedOperation\)/);
    expect(result.summary.services.web.finalState).toBe('FAILOVER_FAILED');
    expect(result.summary.accessDenied[0]).toEqual({
      t: expect.any(Number),
      api: 'ec2.AssociateAddress',
      action: 'ec2:AssociateAddress',
      resource: 'arn:aws:ec2:us-west-2:123456789012:elastic-ip/eipalloc-0abc1234',
      role: 'switchback-sim-orchestrator-us-west-2',
      dryRun: false,
    });
    // People are told why, in AWS's words (the SMS is cut to fit).
    expect(result.summary.sms.map((sms) => sms.text)).toContainEqual(
      expect.stringMatching(/FAILOVER FAILED at ec2\.associateAddress: ec2:AssociateAddress on eipalloc-0abc1234 .*denied \(Unautho/),
    );
  });
});
