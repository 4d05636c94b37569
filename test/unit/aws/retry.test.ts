import { AwsActionError } from '../../../shared/aws/errors';
import { backoffCeilingMs, getRetryOutcome, type RetryInfo, withRetry } from '../../../shared/aws/retry';
import { awsError, createFakeClock } from './aws-test-kit';

const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

function deps(random = () => 0.5, clock = createFakeClock()) {
  const retries: RetryInfo[] = [];
  return { clock, retries, deps: { sleep: clock.sleep, now: clock.now, random, onRetry: (info: RetryInfo) => retries.push(info) } };
}

describe('withRetry', () => {
  it('retries a throttle twice and then succeeds on attempt 3', async () => {
    const { deps: d, clock, retries } = deps();
    const seen: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw awsError('Throttling');
        return 'done';
      },
      policy,
      d,
    );
    expect(result).toEqual({ value: 'done', attempts: 3 });
    expect(seen).toEqual([1, 2, 3]);
    // full jitter with random() = 0.5: 0.5 × 100, then 0.5 × 200
    expect(clock.sleeps).toEqual([50, 100]);
    expect(retries.map((r) => [r.attempt, r.delayMs, r.kind])).toEqual([
      [1, 50, 'throttle'],
      [2, 100, 'throttle'],
    ]);
  });

  it('makes exactly one attempt on a fatal error and marks the error', async () => {
    const { deps: d, clock } = deps();
    const operation = jest.fn(async () => {
      throw awsError('AccessDenied', { status: 403 });
    });
    const failure = await withRetry(operation, policy, d).catch((error: unknown) => error);
    expect(operation).toHaveBeenCalledTimes(1);
    expect(clock.sleeps).toEqual([]);
    expect(getRetryOutcome(failure)).toEqual({ attempts: 1, retryStopReason: 'fatal' });
    expect((failure as Error).name).toBe('AccessDenied');
  });

  it('gives up after maxAttempts on transient errors, with attempts on the thrown AwsActionError', async () => {
    const { deps: d } = deps();
    const operation = jest.fn(async () => {
      throw new AwsActionError({ action: 'ec2:StartInstances', resource: 'i-1', cause: awsError('InternalError', { fault: 'server' }) });
    });
    const failure = await withRetry(operation, { ...policy, maxAttempts: 3 }, d).catch((error: unknown) => error);
    expect(operation).toHaveBeenCalledTimes(3);
    expect(failure).toBeInstanceOf(AwsActionError);
    expect((failure as AwsActionError).attempts).toBe(3);
    expect(getRetryOutcome(failure)).toEqual({ attempts: 3, retryStopReason: 'attempts' });
  });

  it('stops before a sleep that would overrun the budget', async () => {
    // random() = 1 gives the ceiling: delays 100, 200, 400, 800 … ; budget 500 allows 100 + 200 only.
    const { deps: d, clock } = deps(() => 1);
    const operation = jest.fn(async () => {
      throw awsError('ServiceUnavailable', { status: 503 });
    });
    const failure = await withRetry(operation, { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 10_000, budgetMs: 500 }, d).catch(
      (error: unknown) => error,
    );
    expect(clock.sleeps).toEqual([100, 200]);
    expect(operation).toHaveBeenCalledTimes(3);
    expect(getRetryOutcome(failure)).toEqual({ attempts: 3, retryStopReason: 'budget' });
  });

  it('counts time spent inside attempts against the budget', async () => {
    const clock = createFakeClock();
    const { deps: d } = deps(() => 0, clock);
    const operation = jest.fn(async () => {
      await clock.sleep(400); // a slow call that times out
      throw Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    });
    const failure = await withRetry(operation, { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000, budgetMs: 1000 }, d).catch(
      (error: unknown) => error,
    );
    // after attempt 3 the clock is at 1200 ms > budget
    expect(operation).toHaveBeenCalledTimes(3);
    expect(getRetryOutcome(failure)?.retryStopReason).toBe('budget');
  });

  it('keeps every delay within [0, min(cap, base × 2^(attempt−1))) for any random value', async () => {
    for (const random of [0, 0.25, 0.999999]) {
      const { deps: d, clock } = deps(() => random);
      await withRetry(async () => Promise.reject(awsError('Throttling')), { maxAttempts: 7, baseDelayMs: 100, maxDelayMs: 1000 }, d).catch(
        () => undefined,
      );
      expect(clock.sleeps).toHaveLength(6);
      clock.sleeps.forEach((delay, index) => {
        const ceiling = Math.min(1000, 100 * 2 ** index);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(delay).toBe(Math.floor(random * ceiling));
      });
    }
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffCeilingMs(attempt, { baseDelayMs: 100, maxDelayMs: 1000 }))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffCeilingMs(5000, { baseDelayMs: 100, maxDelayMs: 1000 })).toBe(1000);
  });

  it('wraps a thrown non-Error so the outcome can still be attached', async () => {
    const { deps: d } = deps();
    const failure = await withRetry(() => Promise.reject('boom'), policy, d).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(getRetryOutcome(failure)).toEqual({ attempts: 1, retryStopReason: 'fatal' });
  });

  it('refuses a nonsensical policy', async () => {
    const { deps: d } = deps();
    await expect(withRetry(async () => 1, { maxAttempts: 0, baseDelayMs: 1, maxDelayMs: 1 }, d)).rejects.toThrow('maxAttempts');
  });
});
