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

export interface LoggerConfig {
  level: string;
  pretty: boolean;
}

export function loggerOptions(service: string, config: LoggerConfig): LoggerOptions {
  return {
    level: config.level,
    base: { service },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    ...(config.pretty ? { transport: { target: import.meta.resolve('pino-pretty'), options: { singleLine: true } } } : {}),
  };
}
