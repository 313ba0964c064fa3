import { backoffDelay, isRetryable, isThrottling, withRetry } from '../../src/sts/retry.js';

const sdkError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const netError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('which errors are retried', () => {
  test.each([
    sdkError('Throttling', 400),
    sdkError('ThrottlingException', 400),
    sdkError('RequestLimitExceeded', 400),
    sdkError('InternalFailure', 500),
    sdkError('ServiceUnavailable', 503),
    sdkError('SomethingNew', 502),
    sdkError('IDPCommunicationErrorException', 400),
    netError('ECONNRESET'),
    netError('ETIMEDOUT'),
    netError('ENOTFOUND'),
    Object.assign(new Error('x'), { status: 500 }),
    Object.assign(new Error('x'), { status: 429 })
  ])('retries %s', error => expect(isRetryable(error)).toBe(true));

  test.each([
    sdkError('AccessDenied', 403),
    sdkError('ValidationError', 400),
    sdkError('InvalidClientTokenId', 403),
    sdkError('SignatureDoesNotMatch', 403),
    sdkError('MalformedPolicyDocumentException', 400),
    sdkError('RegionDisabledException', 403),
    sdkError('ExpiredToken', 403),
    sdkError('ExpiredTokenException', 400),
    sdkError('InvalidIdentityTokenException', 400),
    Object.assign(new Error('x'), { status: 401 }),
    new Error('plain')
  ])('fails fast on %s', error => expect(isRetryable(error)).toBe(false));
});

describe('backoff', () => {
  const policy = { maxAttempts: 12, baseDelayMs: 100, maxDelayMs: 5000 };
  test('grows exponentially, is capped, and is fully jittered', () => {
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(20, policy, () => 0.999)).toBe(4995);
    expect(backoffDelay(5, policy, () => 0)).toBe(0);
  });

  test('retries a retryable failure until it succeeds, sleeping between attempts only', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 4) throw sdkError('Throttling', 400);
        return 'ok';
      },
      { what: 'x', policy, pause: { sleep: async ms => void sleeps.push(ms), random: () => 0.5 }, log: () => undefined }
    );
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    expect(sleeps).toEqual([50, 100, 200]);
  });

  test('gives up after maxAttempts without a final sleep, and at once on a non-retryable error', async () => {
    const sleeps: number[] = [];
    const pause = { sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5 };
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw sdkError('ServiceUnavailable', 503);
        },
        { what: 'x', policy: { ...policy, maxAttempts: 3 }, pause, log: () => undefined }
      )
    ).rejects.toThrow('ServiceUnavailable');
    expect(calls).toBe(3);
    expect(sleeps).toHaveLength(2);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw sdkError('AccessDenied', 403);
        },
        { what: 'x', policy, pause, log: () => undefined }
      )
    ).rejects.toThrow();
    expect(calls).toBe(1);
  });
});

describe('throttling backs off on its own, longer scale', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5000, throttling: { baseDelayMs: 2000, maxDelayMs: 10000 } };

  test.each([sdkError('Throttling', 400), sdkError('TooManyRequestsException', 400), Object.assign(new Error('x'), { status: 429 })])('%s is throttling', error =>
    expect(isThrottling(error)).toBe(true)
  );
  test.each([sdkError('ServiceUnavailable', 503), sdkError('AccessDenied', 403), netError('ECONNRESET')])('%s is not', error => expect(isThrottling(error)).toBe(false));

  test('throttled attempts sleep on the throttling scale, other faults on the base scale', async () => {
    const sleeps: number[] = [];
    const errors = [sdkError('Throttling', 400), sdkError('Throttling', 400), sdkError('ServiceUnavailable', 503), sdkError('Throttling', 400)];
    const result = await withRetry(
      async attempt => {
        const error = errors[attempt - 1];
        if (error) throw error;
        return 'ok';
      },
      { what: 'x', policy, pause: { sleep: async ms => void sleeps.push(ms), random: () => 0.5 }, log: () => undefined }
    );
    expect(result).toBe('ok');
    expect(sleeps).toEqual([1000, 2000, 200, 5000]);
  });
});
