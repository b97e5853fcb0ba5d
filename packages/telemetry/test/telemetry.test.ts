import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTelemetryConfig } from '../src/config.js';
import { currentTraceContext, runInTraceContext, runWithRequestId } from '../src/trace-context.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs a snippet in a fresh Node with the preload, as the services start; returns its stdout. */
function withPreload(env: Record<string, string>, code: string): string {
  return execFileSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--import', '@authmeet/telemetry/register', '--input-type=module', '-e', code],
    { cwd: packageDir, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 },
  ).trim();
}

// The OpenTelemetry API keeps its registered SDK parts on this global; absent, nothing was set up.
const PROBE = "console.log(Object.getOwnPropertySymbols(globalThis).some((s) => String(s).includes('opentelemetry')))";

describe('tracing configuration', () => {
  it('is on only with an OTLP endpoint, and OTEL_SDK_DISABLED wins', () => {
    expect(loadTelemetryConfig({}).tracing).toBe(false);
    expect(loadTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toBe(true);
    expect(loadTelemetryConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }).tracing).toBe(true);
    expect(loadTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).tracing).toBe(false);
  });

  it('the preload sets nothing up without an endpoint, and starts the SDK with one', () => {
    expect(withPreload({}, PROBE)).toBe('false');
    expect(withPreload({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SERVICE_NAME: 'probe' }, PROBE)).toBe('true');
  }, 120_000);
});

describe('trace context without the SDK', () => {
  it('carries the request id alone, into work continued later', async () => {
    expect(currentTraceContext()).toBeUndefined();
    const carrier = runWithRequestId('req-7', () => currentTraceContext());
    expect(carrier).toEqual({ 'x-request-id': 'req-7' });
    const seen = await runInTraceContext(carrier, 'later', {}, async () => currentTraceContext());
    expect(seen).toEqual({ 'x-request-id': 'req-7' });
  });
});
