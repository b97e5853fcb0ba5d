import { AppError } from './errors.js';
import { isRedisUnavailable, redisUnavailable } from './redis.js';

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
  // Socket errors node-postgres reports as they are (a raw `pool.query`, not through Prisma):
  // the server went away under a connection, or cannot be reached or resolved.
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '3D000', // invalid_catalog_name
  '42P01', // undefined_table
  '53300', // too_many_connections
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);
/** Driver-adapter error kinds (raw queries report these instead of a P-code). */
const unreachableKinds = new Set(['DatabaseNotReachable', 'DatabaseDoesNotExist', 'TableDoesNotExist', 'AuthenticationFailed', 'TooManyConnections']);
/**
 * Contention, not bugs: an interactive transaction that could not start or finish in time
 * (P2028, e.g. a burst of joins queueing on one row lock), a serialization failure or a
 * deadlock. The client may simply retry.
 */
const contentionCodes = new Set(['P2028', 'P2034', '40001', '40P01']);

/**
 * Data exceptions (SQLSTATE class 22) and their Prisma equivalents: a value the client sent that
 * Postgres cannot store or compare, e.g. NUL in text (22021) or a date past year 9999 (22008).
 * The schemas should refuse all of them first; whatever slips through is still the client's
 * input, so it is a 400, never a 500.
 */
const dataExceptionCodes = new Set([
  '22001', // string_data_right_truncation
  '22003', // numeric_value_out_of_range
  '22007', // invalid_datetime_format
  '22008', // datetime_field_overflow
  '22021', // character_not_in_repertoire (NUL, invalid UTF-8)
  '22025', // invalid_escape_sequence
  '22P02', // invalid_text_representation
  '22P05', // untranslatable_character
  '2201B', // invalid_regular_expression
  'P2000', // value too long for the column
  'P2006', // invalid value for the field type
  'P2007', // data validation error
  'P2020', // value out of range for the type
  'P2033', // number does not fit a 64-bit integer
]);

const isIn = (set: Set<string>, value: unknown) => typeof value === 'string' && set.has(value);

/**
 * Database and Redis failures become a 503 the client can retry, and values the database cannot
 * take a 400; never a 500.
 */
export function mapInfrastructureError(error: unknown): AppError | undefined {
  if (isRedisUnavailable(error)) return redisUnavailable(error);
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  const causeCode = (error.cause as { code?: unknown } | undefined)?.code;
  const kind = (error.cause as { kind?: unknown } | undefined)?.kind;
  const adapterCause = (error as { meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown; originalCode?: unknown } } } }).meta
    ?.driverAdapterError?.cause;
  const adapterKind = adapterCause?.kind;
  // A Postgres error the adapter has no kind for (e.g. 57P01 when the server shuts down under a
  // query) carries its SQLSTATE here, not in `code`.
  const adapterCode = adapterCause?.code;
  const sqlState = adapterCause?.originalCode;
  if (isIn(dataExceptionCodes, code) || isIn(dataExceptionCodes, causeCode) || isIn(dataExceptionCodes, sqlState)) {
    return new AppError('VALIDATION_FAILED', {
      detail: 'The request holds a value that cannot be stored',
      errors: [{ path: 'request', message: 'contains a character or value that cannot be stored' }],
      cause: error,
    });
  }
  if (isIn(contentionCodes, code) || isIn(contentionCodes, causeCode) || isIn(contentionCodes, adapterCode)) {
    return new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'The database is busy, retry shortly', retryAfter: 1, cause: error });
  }
  if (
    error.name === 'PrismaClientInitializationError' ||
    isIn(unreachableCodes, code) ||
    isIn(unreachableCodes, causeCode) ||
    isIn(unreachableCodes, adapterCode) ||
    isIn(unreachableKinds, kind) ||
    isIn(unreachableKinds, adapterKind) ||
    /ECONNREFUSED|Connection terminated|Server has closed the connection|timeout exceeded when trying to connect/i.test(error.message)
  ) {
    return new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'The database is unavailable', retryAfter: 2, cause: error });
  }
  return undefined;
}
