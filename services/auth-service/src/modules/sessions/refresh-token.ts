import { createHmac, hash, randomBytes } from 'node:crypto';

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

export const hashRefreshToken = (token: string) => hash('sha256', token, 'hex');

function refreshToken(userId: string, sessionId: string, secret: Buffer): { token: string; hash: string } {
  const token = Buffer.concat([uuidToBytes(userId), uuidToBytes(sessionId), secret]).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function mintRefreshToken(userId: string, sessionId: string): { token: string; hash: string } {
  return refreshToken(userId, sessionId, randomBytes(SECRET_BYTES));
}

/** A new session's salt for successor derivation: 128 random bits, kept in the session hash. */
export const newSessionSalt = () => randomBytes(16).toString('base64url');

/**
 * The token that replaces `presented` when it is rotated: its secret is HMAC-SHA256(session salt,
 * presented token). Deterministic, so every tab that presents the same token within the reuse
 * grace gets the same successor without the raw successor ever being stored. Reading Redis alone
 * is not enough to compute it (Redis holds only hashes of tokens), and holding one leaked token
 * alone is not enough to compute the chain of its successors (the salt never leaves Redis).
 */
export function successorRefreshToken(presented: string, userId: string, sessionId: string, salt: string): { token: string; hash: string } {
  return refreshToken(userId, sessionId, createHmac('sha256', salt).update(presented).digest());
}

export function parseRefreshToken(token: string): { userId: string; sessionId: string; hash: string } | undefined {
  // Stryker disable next-line Regex,ConditionalExpression: the round trip below refuses every token this does (base64url has only these characters); this only spares decoding garbage
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== TOKEN_BYTES || raw.toString('base64url') !== token) return undefined;
  return { userId: bytesToUuid(raw.subarray(0, 16)), sessionId: bytesToUuid(raw.subarray(16, 32)), hash: hashRefreshToken(token) };
}
