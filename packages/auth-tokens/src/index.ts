export { boundedCache } from './bounded-cache.js';
export type { BoundedCacheOptions } from './bounded-cache.js';
export { createTokenVerifier } from './token-verifier.js';
export { TokenVerificationError, RevocationUnavailableError } from './errors.js';
export type { TokenVerificationErrorCode } from './errors.js';
export type {
  KeysOptions,
  LocalKeysOptions,
  RemoteKeysOptions,
  RevocationChecker,
  RevocationClaims,
  TokenVerifier,
  TokenVerifierOptions,
  TokenVerifierStats,
  VerifiedAccessToken,
} from './types.js';
export {
  REDIS_EPOCH_KEY,
  REVOCATION_CHANNEL,
  appendNotBefore,
  appendRevocation,
  execRevocations,
  isValidRevocationId,
  parseNotBeforeMessage,
  parseRevocationMessage,
  publishRevocation,
  revocationChannelFor,
  revokedSessionKey,
  sessionAliveKey,
  userNotBeforeKey,
} from './revocation-layout.js';
export type { NotBeforeInput, NotBeforeMessage, PublishRevocationInput, RevocationMessage, RevocationRedisClient } from './revocation-layout.js';
export { createRedisRevocationView } from './redis-revocation-view.js';
export type {
  NotBeforeListener,
  RedisRevocationView,
  RedisRevocationViewOptions,
  RevocationListener,
  RevocationLogger,
  RevocationViewStats,
} from './redis-revocation-view.js';
export { StepUpRequiredError, isRecentAal2, requireAal2Within } from './step-up.js';
export type { AssuranceClaims } from './step-up.js';
export { PERMISSIONS, ROLES, ROLE_PERMISSIONS, hasPermission, isRole } from './permissions.js';
export type { Permission, Role } from './permissions.js';
