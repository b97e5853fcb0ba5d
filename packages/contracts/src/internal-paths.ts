/**
 * Internal routes one service calls on another, service key only. The prefixes are what the
 * owning service registers its routes under; the functions build a concrete path.
 */
export const internalPaths = {
  /** On both services: the auth-service's directory (GET) and the meetings-service's sync (PUT, DELETE). */
  users: '/internal/v1/users',
  user: (userId: string) => `/internal/v1/users/${encodeURIComponent(userId)}`,
} as const;
