import { randomInt } from 'node:crypto';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

function letters(n: number): string {
  let out = '';
  for (let i = 0; i < n; i += 1) out += LETTERS[randomInt(LETTERS.length)];
  return out;
}

/**
 * `abc-defg-hij`: 26^10 ≈ 1.4e14 codes from a CSPRNG (randomInt has no modulo bias), so codes
 * cannot be guessed or enumerated at any rate the API allows; the unique index catches the
 * rare collision and the caller draws again.
 */
export function generateMeetingCode(): string {
  return `${letters(3)}-${letters(4)}-${letters(3)}`;
}
