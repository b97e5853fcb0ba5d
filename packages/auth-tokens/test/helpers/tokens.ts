import { SignJWT, base64url, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWTHeaderParameters, JWTPayload } from 'jose';

export const ISSUER = 'https://auth.authmeet.test';
export const AUDIENCE = 'meetings-service';

export interface TestKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function makeKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { kid, privateKey, publicJwk: { ...jwk, kid, alg: 'EdDSA', use: 'sig' } };
}

export const nowSec = (): number => Math.floor(Date.now() / 1000);

let counter = 0;

/** A full, valid claim set; `overrides` replaces, `omit` deletes. */
export function claims(overrides: JWTPayload = {}, omit: readonly string[] = []): JWTPayload {
  counter += 1;
  const now = nowSec();
  const result: JWTPayload = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    client_id: 'authmeet-web',
    sid: 'session-1',
    jti: `jti-${counter}-${Math.random().toString(36).slice(2)}`,
    iat: now,
    exp: now + 900,
    email: 'ada@example.com',
    username: 'ada',
    ...overrides,
  };
  for (const name of omit) delete result[name];
  return result;
}

export interface SignOptions {
  readonly payload?: JWTPayload;
  /** Merged over `{ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' }`; `undefined` values remove. */
  readonly header?: Partial<Record<keyof JWTHeaderParameters, unknown>>;
}

export async function sign(key: TestKey, options: SignOptions = {}): Promise<string> {
  const header: Record<string, unknown> = { alg: 'EdDSA', kid: key.kid, typ: 'at+jwt', ...options.header };
  for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
  return new SignJWT(options.payload ?? claims())
    .setProtectedHeader(header as unknown as JWTHeaderParameters)
    .sign(key.privateKey);
}

const encodeJson = (value: unknown): string => base64url.encode(JSON.stringify(value));

/** Assemble a compact JWS by hand (for `alg: none` and tampering). */
export function rawToken(header: unknown, payload: unknown, signature = ''): string {
  return `${encodeJson(header)}.${encodeJson(payload)}.${signature}`;
}

export function splitToken(token: string): [string, string, string] {
  const [h, p, s] = token.split('.');
  if (h === undefined || p === undefined || s === undefined) throw new Error('not a compact JWS');
  return [h, p, s];
}

export function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64url.decode(segment))) as Record<string, unknown>;
}
