import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { AppError } from '@authmeet/http-kit';
import { z } from 'zod';

const zxcvbn = new ZxcvbnFactory({
  translations: en.translations,
  graphs: common.adjacencyGraphs,
  dictionary: { ...common.dictionary, ...en.dictionary },
});

export const MIN_PASSWORD_SCORE = 3;

/** Shape rules, checked by the request schema so each failure is a field error. */
export const passwordShape = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(128, 'must be at most 128 characters')
  .regex(/[a-z]/, 'must contain a lower-case letter')
  .regex(/[A-Z]/, 'must contain an upper-case letter')
  .regex(/[0-9]/, 'must contain a digit')
  .regex(/[^A-Za-z0-9]/, 'must contain a symbol');

/**
 * Strength: zxcvbn score ≥ 3, with the user's own email and username as dictionary words so
 * "alice2024!Alice" does not pass for alice. Returns a message, or undefined when strong enough.
 */
export function weakPasswordReason(password: string, userInputs: string[]): string | undefined {
  const inputs = userInputs.flatMap((v) => [v, ...v.split(/[@._+-]/)]).filter((v) => v.length >= 3);
  const result = zxcvbn.check(password, inputs);
  if (result.score >= MIN_PASSWORD_SCORE) return undefined;
  const hint = result.feedback.warning ?? result.feedback.suggestions[0];
  return `is too weak${hint ? `: ${hint}` : ''}`;
}

/** Throws a field error naming `path` when the password is too weak for this user. */
export function assertStrongPassword(password: string, userInputs: (string | null | undefined)[], path: string): void {
  const reason = weakPasswordReason(password, userInputs.filter((v): v is string => typeof v === 'string' && v.length > 0));
  if (reason) throw new AppError('VALIDATION_FAILED', { errors: [{ path, message: reason }] });
}
