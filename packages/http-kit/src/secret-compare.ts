import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The one place secrets are compared. Everything that checks a presented secret (service keys,
 * one-time codes, browser bindings, their stored hashes) goes through here; a lint rule bans
 * `timingSafeEqual` everywhere else so nobody "simplifies" a check into `===`, `Buffer.equals`
 * or an early-exit loop, which leak through response timing how much of a guess was right.
 *
 * Both sides are first hashed to fixed-length SHA-256 digests: timingSafeEqual itself throws
 * on different lengths, and a length check before it would leak the secret's length.
 */
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Constant-time equality of two secrets (or hashes of secrets) of any length. */
export function secretsEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * A checker for "is this one of the accepted secrets?" (e.g. keys in rotation). Every accepted
 * secret is compared on every call, with no early exit, so timing does not tell which one
 * matched or how many there are before it. Empty secrets are never accepted.
 */
export function createSecretMatcher(secrets: readonly string[]): (presented: string) => boolean {
  const accepted = secrets.filter((secret) => secret.length > 0).map(digest);
  return (presented) => {
    const candidate = digest(presented);
    let matched = false;
    // `matched` on the right: the comparison runs even after a match.
    for (const secret of accepted) matched = timingSafeEqual(candidate, secret) || matched;
    return matched;
  };
}
