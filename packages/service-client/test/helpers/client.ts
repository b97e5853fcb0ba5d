import { Registry } from 'prom-client';
import { createServiceClient } from '../../src/index.js';
import type { ServiceClient, ServiceClientOptions } from '../../src/index.js';

export interface LoggedLine {
  level: 'warn' | 'info';
  obj: Record<string, unknown>;
  msg: string;
}

export interface TestClient {
  client: ServiceClient;
  registry: Registry;
  logs: LoggedLine[];
  /** Current value of a metric sample, or undefined when absent. */
  metric(name: string, labels?: Record<string, string>): Promise<number | undefined>;
}

/** Short timings so breaker and retry behaviour shows within milliseconds. */
export function testClient(baseUrl: string, overrides: Partial<ServiceClientOptions> = {}): TestClient {
  const registry = new Registry();
  const logs: LoggedLine[] = [];
  const client = createServiceClient({
    baseUrl,
    serviceKey: 'k-123',
    name: 'fake',
    timeoutMs: 300,
    retry: { retries: 2, minTimeoutMs: 5, maxTimeoutMs: 20 },
    breaker: { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 300, timeoutMs: 2000 },
    logger: {
      warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
      info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
    },
    metrics: registry,
    ...overrides,
  });
  return {
    client,
    registry,
    logs,
    async metric(name, labels = {}) {
      const metric = registry.getSingleMetric(name);
      if (metric === undefined) return undefined;
      const { values } = await metric.get();
      const match = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
      return match?.value;
    },
  };
}
