import type { LoggerOptions } from 'pino';

export type { LoggerOptions };

/**
 * Secrets never reach a log: every place a credential can sit in a request, a response or a
 * logged object is censored here, in one list both services share.
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-service-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.passwordHash',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.serviceKey',
  '*.serviceKeys',
  '*.privateKey',
  '*.secret',
];

/**
 * Query parameters whose values are credentials or one-time secrets (tokens, OAuth codes and
 * state, passwords, keys...), matched on the decoded, lower-cased name with separators removed,
 * so `access_token`, `refreshToken`, `%74oken` and `TOKEN` are all caught.
 */
const sensitiveParam = /token|code|state|nonce|verifier|password|secret|key|signature|otp|session/;

function isSensitiveName(raw: string): boolean {
  let name = raw;
  try {
    name = decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    // A malformed escape is logged as sent; its value is judged by the raw name.
  }
  return sensitiveParam.test(name.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/** The URL as logged: the path and parameter names stay, values of sensitive parameters do not. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq >= 0 && isSensitiveName(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=[redacted]` : pair;
    });
  return `${url.slice(0, q + 1)}${params.join('&')}`;
}

interface LoggedRequest {
  method?: string;
  url?: unknown;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number } | null;
}

/** Fastify's request serializer, with the query string redacted. */
const serializers = {
  req: (req: LoggedRequest) => ({
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : undefined,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
};

export interface LoggerConfig {
  level: string;
  pretty: boolean;
}

export function loggerOptions(service: string, config: LoggerConfig): LoggerOptions {
  return {
    level: config.level,
    base: { service },
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers,
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    ...(config.pretty ? { transport: { target: import.meta.resolve('pino-pretty'), options: { singleLine: true } } } : {}),
  };
}
