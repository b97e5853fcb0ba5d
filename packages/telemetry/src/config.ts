import { z } from 'zod';

/**
 * Tracing is on exactly when an OTLP endpoint is configured (the standard OpenTelemetry
 * variables; the SDK reads the rest of them itself: OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER,
 * OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_HEADERS, ...). OTEL_SDK_DISABLED wins.
 */
const envSchema = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().trim().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().trim().optional(),
  OTEL_SDK_DISABLED: z.enum(['true', 'false', '']).optional(),
});

export interface TelemetryConfig {
  tracing: boolean;
}

export function loadTelemetryConfig(env: Record<string, string | undefined> = process.env): TelemetryConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid OpenTelemetry configuration: ${parsed.error.message}`);
  const e = parsed.data;
  const endpoint = Boolean(e.OTEL_EXPORTER_OTLP_ENDPOINT) || Boolean(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  return { tracing: endpoint && e.OTEL_SDK_DISABLED !== 'true' };
}
