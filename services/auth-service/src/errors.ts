import { AppError, isRedisUnavailable, redisUnavailable } from '@authmeet/http-kit';

// Prisma and Postgres codes that mean "the database is not usable right now": unreachable,
// refusing us, shutting down, missing or not yet migrated. None is the client's fault, so none
// may surface as a 500.
const unreachableCodes = new Set([
  'P1000', // authentication failed
  'P1001', // cannot reach the server
  'P1002', // timed out
  'P1003', // database does not exist
  'P1008', // operation timed out
  'P1010', // access denied
  'P1017', // server closed the connection
  'P2021', // table does not exist (not migrated)
  'P2024', // connection pool timeout
  'ECONNREFUSED',
  '3D000', // invalid_catalog_name
  '42P01', // undefined_table
  '53300', // too_many_connections
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
]);

/** Infrastructure failures become a 503 the client can retry, never a 500. */
export function mapInfrastructureError(error: unknown): AppError | undefined {
  if (isRedisUnavailable(error)) return redisUnavailable(error);
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  const causeCode = (error.cause as { code?: unknown; kind?: unknown } | undefined)?.code;
  const kind = (error.cause as { kind?: unknown } | undefined)?.kind;
  if (
    error.name === 'PrismaClientInitializationError' ||
    (typeof code === 'string' && unreachableCodes.has(code)) ||
    (typeof causeCode === 'string' && unreachableCodes.has(causeCode)) ||
    kind === 'DatabaseNotReachable' ||
    /ECONNREFUSED|Connection terminated|timeout exceeded when trying to connect/i.test(error.message)
  ) {
    return new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'The database is unavailable', retryAfter: 2, cause: error });
  }
  return undefined;
}
