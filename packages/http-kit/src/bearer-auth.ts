import { hasPermission } from '@authmeet/auth-tokens';
import type { Permission, Role } from '@authmeet/auth-tokens';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { GenericErrorCode } from './errors.js';
import { AppError } from './errors.js';

export interface AuthContext {
  userId: string;
  sessionId: string;
  tokenId: string;
  email: string;
  username: string;
  expiresAt: number;
  /** How the login behind the token was made (RFC 8176 `amr`, `acr`, `auth_time` in epoch s). */
  amr: readonly string[];
  acr: 'aal1' | 'aal2';
  authTime: number;
  /** Epoch seconds the token was issued at. */
  issuedAt: number;
  /** The token's `roles` claim: what the caller may do is decided from it alone. */
  roles: readonly Role[];
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
  interface FastifyInstance {
    /** preHandler that requires a valid, unrevoked Bearer access token. */
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
}

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  jti: string;
  email: string;
  username: string;
  exp: number;
  amr: readonly string[];
  acr: 'aal1' | 'aal2';
  auth_time: number;
  iat?: number;
  roles?: readonly Role[];
}

export interface AccessTokenVerificationOptions<C> {
  /**
   * Runs after the token passed every check: e.g. makes sure the user exists locally and may
   * act. Throws AppError (401/403/503); anything else goes through `mapError`.
   */
  admit?: (claims: C) => Promise<void>;
  /** Turns infrastructure errors from `admit` into 503s instead of "token invalid". */
  mapError?: (error: unknown) => AppError | undefined;
}

export interface BearerAuthOptions {
  /** A token verifier, raw or already wrapped by `accessTokenVerification` (with `admit`). */
  verify: (token: string) => Promise<AccessTokenClaims>;
}

const passThroughCodes = new Set<GenericErrorCode>(['TOKEN_EXPIRED', 'TOKEN_INVALID', 'TOKEN_REVOKED', 'DEPENDENCY_UNAVAILABLE']);

/** Extracts `Authorization: Bearer <token>`; anything else is "no credentials". */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  // Stryker disable next-line ConditionalExpression: exec(undefined) reads the string "undefined", no Bearer header either; the check is for the type
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
  return match?.[1];
}

/**
 * Token-verification failures become their coded 401/503. Anything else (a database outage
 * while loading the user, a bug) is returned unchanged for the error handler: disguising an
 * outage as a bad token would log users out for nothing.
 */
export function toTokenAppError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const stepUp = error as { code?: unknown; acrValues?: unknown; maxAgeSec?: unknown; message?: unknown };
  if (stepUp.code === 'STEP_UP_REQUIRED') {
    // RFC 9470's hints, so a client knows what kind of login to come back with.
    const extensions = { acrValues: stepUp.acrValues, maxAge: stepUp.maxAgeSec };
    return new AppError('STEP_UP_REQUIRED', { detail: typeof stepUp.message === 'string' ? stepUp.message : undefined, extensions, cause: error });
  }
  const e = error as { code?: unknown; retryAfterSec?: unknown };
  if (typeof e.code === 'string' && passThroughCodes.has(e.code as GenericErrorCode)) {
    const retryAfter = typeof e.retryAfterSec === 'number' ? e.retryAfterSec : 2;
    return new AppError(e.code as GenericErrorCode, e.code === 'DEPENDENCY_UNAVAILABLE' ? { retryAfter, cause: error } : { cause: error });
  }
  return error;
}

/**
 * The one translation of access-token failures for every service: `verify` (an
 * @authmeet/auth-tokens verifier) with its failures as coded 401/503 AppErrors (`toTokenAppError`),
 * then `admit`, whose non-AppError failures are mapped by `mapError` or become a 500.
 * `bearerAuth` verifies through it; a route that checks a token in a body uses it directly.
 */
export function accessTokenVerification<C>(
  verify: (token: string) => Promise<C>,
  opts: AccessTokenVerificationOptions<C> = {},
): (token: string) => Promise<C> {
  return async (token) => {
    let claims: C;
    try {
      claims = await verify(token);
    } catch (error) {
      throw toTokenAppError(error);
    }
    if (opts.admit) {
      try {
        await opts.admit(claims);
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw opts.mapError?.(error) ?? new AppError('INTERNAL_ERROR', { cause: error });
      }
    }
    return claims;
  };
}

async function bearerAuthPlugin(app: FastifyInstance, opts: BearerAuthOptions) {
  const verify = accessTokenVerification(opts.verify);
  app.decorateRequest('auth', null);
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const token = bearerToken(request);
    if (!token) throw new AppError('UNAUTHENTICATED', { detail: 'A Bearer access token is required' });
    const claims = await verify(token);
    request.auth = {
      userId: claims.sub,
      sessionId: claims.sid,
      tokenId: claims.jti,
      email: claims.email,
      username: claims.username,
      expiresAt: claims.exp,
      amr: claims.amr,
      acr: claims.acr,
      authTime: claims.auth_time,
      issuedAt: claims.iat ?? 0,
      roles: claims.roles ?? [],
    };
  });
}

/**
 * The one permission guard routes declare (`preHandler: requirePermission('users:write')`), after
 * `authenticate`. Decided from the token's roles alone: a role change reaches it through the
 * user's not-before marker, which refuses tokens minted before the change.
 */
export function requirePermission(permission: Permission) {
  return async function permissionGuard(request: FastifyRequest): Promise<void> {
    if (!request.auth) throw new AppError('UNAUTHENTICATED', { detail: 'A Bearer access token is required' });
    if (!hasPermission(request.auth.roles, permission)) {
      throw new AppError('FORBIDDEN', { detail: `This needs the ${permission} permission` });
    }
  };
}

// Stryker disable next-line ObjectLiteral,StringLiteral: plugin metadata (diagnostic name, Fastify range), no behaviour
export const bearerAuth = fp(bearerAuthPlugin, { name: 'authmeet-bearer-auth', fastify: '5.x' });
