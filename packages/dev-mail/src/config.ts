import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

const envSchema = z.object({
  DEV_MAIL_HOST: z.string().default('127.0.0.1'),
  DEV_MAIL_SMTP_PORT: port(1025),
  DEV_MAIL_HTTP_PORT: port(1080),
  DEV_MAIL_MAX_MESSAGES: z.coerce.number().int().min(1).default(500),
});

/** The only reader of the environment in this package. */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new Error(`Invalid configuration:\n  ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  }
  const e = result.data;
  return { host: e.DEV_MAIL_HOST, smtpPort: e.DEV_MAIL_SMTP_PORT, httpPort: e.DEV_MAIL_HTTP_PORT, maxMessages: e.DEV_MAIL_MAX_MESSAGES };
}
