import type { z } from 'zod';

/** One AES-256 key of `MFA_ENCRYPTION_KEY`: its id travels with every ciphertext it makes. */
export interface MfaKey {
  id: string;
  key: Buffer;
}

const ENTRY = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/_-]+={0,2})$/;

/** Why an `MFA_ENCRYPTION_KEY` entry is unusable, or undefined when it is fine. */
function entryProblem(entry: string): string | undefined {
  const match = ENTRY.exec(entry);
  if (!match?.[2]) return 'must be "id:base64 of 32 random bytes"';
  if (Buffer.from(match[2], 'base64').length !== 32) return 'must hold exactly 32 bytes (base64), e.g. `openssl rand -base64 32`';
  return undefined;
}

export function parseMfaKeys(entries: string[]): MfaKey[] {
  return entries.flatMap((entry) => {
    const match = ENTRY.exec(entry);
    return match?.[1] && match[2] ? [{ id: match[1], key: Buffer.from(match[2], 'base64') }] : [];
  });
}

interface MfaEnv {
  NODE_ENV: string;
  MFA_ENABLED: boolean;
  MFA_ENCRYPTION_KEY?: string[] | undefined;
  WEBAUTHN_ORIGINS?: string[] | undefined;
}

export function refineMfaEnv(env: MfaEnv, ctx: z.RefinementCtx) {
  const keys = env.MFA_ENCRYPTION_KEY ?? [];
  const seen = new Set<string>();
  for (const [i, entry] of keys.entries()) {
    const problem = entryProblem(entry);
    if (problem) ctx.addIssue({ code: 'custom', path: ['MFA_ENCRYPTION_KEY', i], message: problem });
    const id = entry.split(':')[0] ?? '';
    if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['MFA_ENCRYPTION_KEY', i], message: `key id "${id}" appears twice` });
    seen.add(id);
  }
  // TOTP secrets at rest are only as safe as this key: production never falls back to a dev key.
  if (env.NODE_ENV === 'production' && env.MFA_ENABLED && keys.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['MFA_ENCRYPTION_KEY'], message: 'production with MFA_ENABLED needs an encryption key for TOTP secrets' });
  }
  for (const [i, origin] of (env.WEBAUTHN_ORIGINS ?? []).entries()) {
    let ok = false;
    try {
      ok = new URL(origin).origin === origin;
    } catch {
      ok = false;
    }
    if (!ok) ctx.addIssue({ code: 'custom', path: ['WEBAUTHN_ORIGINS', i], message: `"${origin}" must be an origin such as https://app.example.com` });
  }
}
