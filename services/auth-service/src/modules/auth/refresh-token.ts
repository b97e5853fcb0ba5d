import { createHash, randomBytes } from 'node:crypto';

/**
 * Refresh tokens are opaque to clients: base64url of user id (16 bytes) ‖ session id
 * (16 bytes) ‖ 256 random bits. The ids only locate the session; the random part is the
 * secret, and only its SHA-256 is stored. A fast hash is right here: the input has 256 bits
 * of entropy, so there is nothing to brute-force.
 */
const SECRET_BYTES = 32;
const TOKEN_BYTES = 16 + 16 + SECRET_BYTES;

const uuidToBytes = (uuid: string) => Buffer.from(uuid.replaceAll('-', ''), 'hex');
const bytesToUuid = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export const hashRefreshToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function mintRefreshToken(userId: string, sessionId: string): { token: string; hash: string } {
  const token = Buffer.concat([uuidToBytes(userId), uuidToBytes(sessionId), randomBytes(SECRET_BYTES)]).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function parseRefreshToken(token: string): { userId: string; sessionId: string; hash: string } | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== TOKEN_BYTES || raw.toString('base64url') !== token) return undefined;
  return { userId: bytesToUuid(raw.subarray(0, 16)), sessionId: bytesToUuid(raw.subarray(16, 32)), hash: hashRefreshToken(token) };
}
