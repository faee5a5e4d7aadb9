import { errorPayloadOf } from '@up/contracts';

/**
 * The error code a promise rejects with: a DomainError's, or one a service answered over the bus
 * (BusRemoteError, BusTimeoutError). Fails the test when the promise resolves; any other failure
 * is rethrown as it is.
 */
export async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const payload = errorPayloadOf(error);
    if (payload) return payload.code;
    throw error;
  }
  throw new Error('Expected the call to fail, and it succeeded');
}
