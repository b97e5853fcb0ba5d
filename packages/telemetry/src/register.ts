/**
 * The preload both services start with (`node --import @authmeet/telemetry/register ...`). It
 * must run before the application is imported: instrumentations patch modules (pg, ioredis,
 * pino, node:http) as they load. Without an OTLP endpoint it imports nothing else, so a service
 * without tracing pays no SDK, no patching and no context propagation cost.
 */
import { loadTelemetryConfig } from './config.js';

if (loadTelemetryConfig().tracing) {
  const { startTracing } = await import('./sdk.js');
  await startTracing();
}
