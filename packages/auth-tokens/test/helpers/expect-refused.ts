import { expect } from 'vitest';
import { TokenVerificationError } from '../../src/index.js';

/** Assert a refusal with `code`, and that the message leaks nothing from the token. */
export async function expectRefused(promise: Promise<unknown>, code: string, token?: string): Promise<TokenVerificationError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TokenVerificationError);
  const error = err as TokenVerificationError;
  expect(error.code).toBe(code);
  if (token !== undefined) {
    for (const part of token.split('.')) if (part.length >= 8) expect(error.message).not.toContain(part);
    expect(error.message).not.toContain('ada');
  }
  return error;
}
