import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { SwitchbackError } from '../../../shared/errors';
import { AwsActionError, callAws, classifyAwsError, getAwsErrorCode, toAwsActionError } from '../../../shared/aws/errors';
import { awsError, networkError } from './aws-test-kit';

describe('classifyAwsError', () => {
  it.each(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete', 'RequestLimitExceeded', 'TooManyRequestsException', 'SlowDown'])(
    '%s is a throttle',
    (code) => {
      expect(classifyAwsError(awsError(code))).toBe('throttle');
    },
  );

  it('treats HTTP 429 and the SDK throttling flag as throttles even with an unknown code', () => {
    expect(classifyAwsError(awsError('Whatever', { status: 429 }))).toBe('throttle');
    expect(classifyAwsError(Object.assign(awsError('Whatever'), { $retryable: { throttling: true } }))).toBe('throttle');
  });

  it.each([
    ['InternalError', {}],
    ['ServiceUnavailable', { status: 503 }],
    ['SomethingNew', { fault: 'server' as const }],
    ['SomethingElse', { status: 502 }],
    ['InsufficientInstanceCapacity', { fault: 'server' as const, status: 500 }],
  ])('%s is transient', (code, options) => {
    expect(classifyAwsError(awsError(code, options))).toBe('transient');
  });

  it.each(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED'])('network error %s is transient', (code) => {
    expect(classifyAwsError(networkError(code))).toBe('transient');
  });

  it('treats socket hang up, the SDK TimeoutError and a wrapped network cause as transient', () => {
    expect(classifyAwsError(new Error('socket hang up'))).toBe('transient');
    expect(classifyAwsError(Object.assign(new Error('request timed out'), { name: 'TimeoutError' }))).toBe('transient');
    expect(classifyAwsError(new Error('request failed', { cause: networkError('ECONNRESET') }))).toBe('transient');
  });

  it.each([
    'ValidationError',
    'ValidationException',
    'InvalidParameterValue',
    'AccessDenied',
    'AccessDeniedException',
    'UnauthorizedOperation',
    'InvalidChangeBatch',
    'InvalidInstanceID.NotFound',
    'IncorrectInstanceState',
  ])('%s is fatal', (code) => {
    expect(classifyAwsError(awsError(code, { status: 400 }))).toBe('fatal');
  });

  it('never retries access errors, even when AWS reports them with a 5xx-looking status', () => {
    expect(classifyAwsError(awsError('AccessDenied', { status: 503 }))).toBe('fatal');
  });

  it('fails safe on anything it does not recognise', () => {
    expect(classifyAwsError(new TypeError('x is not a function'))).toBe('fatal');
    expect(classifyAwsError('a string')).toBe('fatal');
    expect(classifyAwsError(undefined)).toBe('fatal');
    expect(classifyAwsError(awsError('BrandNewClientError', { status: 400 }))).toBe('fatal');
  });

  it('reads real SDK exceptions', () => {
    const error = new EC2ServiceException({
      name: 'RequestLimitExceeded',
      $fault: 'client',
      $metadata: { httpStatusCode: 503 },
      message: 'Request limit exceeded.',
    });
    expect(classifyAwsError(error)).toBe('throttle');
    expect(getAwsErrorCode(error)).toBe('RequestLimitExceeded');
  });
});

describe('AwsActionError', () => {
  it('names the action, the resource and the code; keeps cause, code and kind', () => {
    const cause = awsError('UnauthorizedOperation', { status: 403, message: 'You are not authorized to perform this operation.' });
    const error = toAwsActionError(cause, 'ec2:StartInstances', 'i-0abc1234def567890');
    expect(error).toBeInstanceOf(SwitchbackError);
    expect(error.message).toBe(
      'ec2:StartInstances on i-0abc1234def567890 denied (UnauthorizedOperation): You are not authorized to perform this operation.',
    );
    expect(error.cause).toBe(cause);
    expect(error.code).toBe('UnauthorizedOperation');
    expect(error.kind).toBe('fatal');
    expect(error.name).toBe('AwsActionError');
    expect(error.context).toMatchObject({ action: 'ec2:StartInstances', resource: 'i-0abc1234def567890', code: 'UnauthorizedOperation' });
  });

  it('says "throttled" for throttles and "failed" otherwise, and truncates long AWS messages', () => {
    expect(toAwsActionError(awsError('Throttling', { message: 'Rate exceeded' }), 'route53:GetChange', 'C1').message).toBe(
      'route53:GetChange on C1 throttled (Throttling): Rate exceeded',
    );
    const long = toAwsActionError(awsError('InternalError', { fault: 'server', message: 'x'.repeat(500) }), 'ec2:StopInstances', 'i-1');
    expect(long.message.startsWith('ec2:StopInstances on i-1 failed (InternalError): xxx')).toBe(true);
    expect(long.message.length).toBeLessThan(260);
  });

  it('includes the reasons Route 53 lists for InvalidChangeBatch', () => {
    const cause = awsError('InvalidChangeBatch', {
      message: 'Invalid request',
      extra: { messages: ['RRSet with DNS name app. is not permitted in zone example.com.'] },
    });
    const error = toAwsActionError(cause, 'route53:ChangeResourceRecordSets', 'app.example.com A in Z1');
    expect(error.message).toContain('Invalid request RRSet with DNS name app. is not permitted');
    expect(error.kind).toBe('fatal');
  });

  it('passes an AwsActionError through unchanged and classifies it by its own kind', () => {
    const original = new AwsActionError({
      action: 'ec2:AttachVolume',
      resource: 'vol-1',
      code: 'VolumeInUse',
      kind: 'fatal',
      verb: 'refused',
      detail: 'in use',
    });
    expect(toAwsActionError(original, 'other', 'other')).toBe(original);
    expect(classifyAwsError(original)).toBe('fatal');
    expect(original.message).toBe('ec2:AttachVolume on vol-1 refused (VolumeInUse): in use');
  });

  it('callAws wraps failures and returns values', async () => {
    await expect(callAws('sns:Publish', 'topic', async () => 42)).resolves.toBe(42);
    const failure = callAws('sns:Publish', 'topic', async () => {
      throw networkError('ECONNRESET');
    });
    await expect(failure).rejects.toMatchObject({ code: 'ECONNRESET', kind: 'transient', action: 'sns:Publish' });
  });
});
