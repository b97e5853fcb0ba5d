import { AppError, isRedisUnavailable, redisUnavailable } from '@authmeet/http-kit';

const unreachableCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'ECONNREFUSED', '57P01', '57P03']);

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
