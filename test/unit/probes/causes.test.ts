import { describeProbeError, MAX_CAUSE_CHARS, statusCause, truncateCause } from '../../../shared/probes';

function codeError(code: string, message = `${code} happened`): Error {
  return Object.assign(new Error(message), { code });
}

describe('describeProbeError', () => {
  it.each([
    ['ECONNREFUSED', 'ECONNREFUSED'],
    ['ECONNRESET', 'ECONNRESET'],
    ['EPIPE', 'ECONNRESET'],
    ['UND_ERR_SOCKET', 'ECONNRESET'],
    ['EHOSTUNREACH', 'EHOSTUNREACH'],
    ['ENETUNREACH', 'EHOSTUNREACH'],
    ['ENOTFOUND', 'ENOTFOUND'],
    ['ETIMEDOUT', 'timeout'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'timeout'],
    ['CERT_HAS_EXPIRED', 'TLS: certificate expired'],
    ['CERT_NOT_YET_VALID', 'TLS: certificate not yet valid'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS: self-signed certificate'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'TLS: self-signed certificate'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TLS: untrusted issuer'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS: hostname mismatch'],
  ])('maps code %s to %s', (code, cause) => {
    expect(describeProbeError(codeError(code))).toBe(cause);
  });

  it('finds the code inside an AggregateError (every address of a name refused)', () => {
    const aggregate = new AggregateError([codeError('ECONNREFUSED'), codeError('ECONNREFUSED')], 'connect failed');
    expect(describeProbeError(aggregate)).toBe('ECONNREFUSED');
  });

  it('finds a known code in the cause chain behind an unknown one', () => {
    const wrapped = Object.assign(new Error('request failed', { cause: codeError('ECONNRESET') }), { code: 'UND_ERR_WRAPPED' });
    expect(describeProbeError(wrapped)).toBe('ECONNRESET');
  });

  it('falls back to error: <code>, then error: <message>', () => {
    expect(describeProbeError(codeError('EAI_AGAIN'))).toBe('error: EAI_AGAIN');
    expect(describeProbeError(new Error('something odd'))).toBe('error: something odd');
    expect(describeProbeError('a string')).toBe('error: a string');
  });

  it('keeps causes to one line of at most 60 characters', () => {
    const cause = describeProbeError(new Error(`a very\nlong message ${'x'.repeat(200)}`));
    expect(cause.length).toBe(MAX_CAUSE_CHARS);
    expect(cause).toMatch(/^error: a very long message x+…$/);
    expect(truncateCause('short')).toBe('short');
  });

  it('formats status causes', () => {
    expect(statusCause(503)).toBe('status 503');
  });
});
