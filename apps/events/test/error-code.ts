import { DomainError } from '@up/contracts';

/** The error code a promise rejects with; fails the test when it resolves or throws anything else. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('expected a DomainError, got success');
}
