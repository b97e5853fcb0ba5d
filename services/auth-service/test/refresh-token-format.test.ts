import { createHash, createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  hashRefreshToken,
  mintRefreshToken,
  newSessionSalt,
  parseRefreshToken,
  successorRefreshToken,
} from '../src/modules/sessions/refresh-token.js';

// The refresh token's format and its parser, without a server: the parser is the first thing a
// presented token meets, so every way it could accept a token we never issued is pinned here.
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const ids = () => ({ userId: randomUUID(), sessionId: randomUUID() });
const bytes = (token: string) => Buffer.from(token, 'base64url');

describe('refresh tokens', () => {
  it('are user id, session id and 256 random bits, base64url; only the SHA-256 hex of the token is the hash', () => {
    const { userId, sessionId } = ids();
    const { token, hash } = mintRefreshToken(userId, sessionId);
    expect(token).toMatch(/^[A-Za-z0-9_-]{86}$/);
    const raw = bytes(token);
    expect(raw).toHaveLength(64);
    expect(raw.subarray(0, 16).toString('hex')).toBe(userId.replaceAll('-', ''));
    expect(raw.subarray(16, 32).toString('hex')).toBe(sessionId.replaceAll('-', ''));
    expect(hash).toBe(sha256(token));
    expect(hashRefreshToken(token)).toBe(sha256(token));
    // The secret part is random: two tokens of one session share nothing after the ids.
    const other = mintRefreshToken(userId, sessionId);
    expect(bytes(other.token).subarray(32).equals(raw.subarray(32))).toBe(false);
    expect(other.hash).not.toBe(hash);
  });

  it('parse back to the ids they were minted for, with the same hash', () => {
    const { userId, sessionId } = ids();
    const { token, hash } = mintRefreshToken(userId, sessionId);
    expect(parseRefreshToken(token)).toEqual({ userId, sessionId, hash });
  });

  it('session salts are 128 random bits, base64url', () => {
    const a = newSessionSalt();
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(bytes(a)).toHaveLength(16);
    expect(newSessionSalt()).not.toBe(a);
  });

  it('the successor is HMAC-SHA256(salt, presented token) under the same ids: deterministic, and another salt gives another', () => {
    const { userId, sessionId } = ids();
    const presented = mintRefreshToken(userId, sessionId).token;
    const salt = newSessionSalt();
    const next = successorRefreshToken(presented, userId, sessionId, salt);
    const raw = bytes(next.token);
    expect(raw.subarray(32).equals(createHmac('sha256', salt).update(presented).digest())).toBe(true);
    expect(parseRefreshToken(next.token)).toEqual({ userId, sessionId, hash: sha256(next.token) });
    expect(next.hash).toBe(sha256(next.token));
    expect(successorRefreshToken(presented, userId, sessionId, salt)).toEqual(next);
    expect(successorRefreshToken(presented, userId, sessionId, newSessionSalt()).token).not.toBe(next.token);
    expect(successorRefreshToken(next.token, userId, sessionId, salt).token).not.toBe(next.token);
  });

  describe('the parser refuses', () => {
    const { userId, sessionId } = ids();
    const { token } = mintRefreshToken(userId, sessionId);

    it.each([
      ['empty', ''],
      ['one byte short', bytes(token).subarray(0, 63).toString('base64url')],
      ['one byte long', Buffer.concat([bytes(token), Buffer.from([1])]).toString('base64url')],
      ['ids without a secret', bytes(token).subarray(0, 32).toString('base64url')],
      ['standard base64 with padding', bytes(token).toString('base64')],
      ['a trailing newline', `${token}\n`],
      ['a dot appended', `${token}.`],
    ])('%s', (_name, candidate) => {
      expect(parseRefreshToken(candidate)).toBeUndefined();
    });

    it('a second spelling of the same bytes (non-zero padding bits in the last character)', () => {
      // 64 bytes are 86 characters, the last carrying 2 bits of data and 4 padding bits:
      // flipping a padding bit decodes to the same bytes but is not the token we issued.
      const last = token.at(-1) ?? 'A';
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const alias = token.slice(0, -1) + (alphabet[alphabet.indexOf(last) ^ 1] ?? 'B');
      expect(bytes(alias).equals(bytes(token))).toBe(true);
      expect(parseRefreshToken(alias)).toBeUndefined();
    });
  });
});
