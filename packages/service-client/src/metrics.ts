import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { BreakerState } from './types.js';

export type RequestOutcome = 'success' | 'client_error' | 'failure' | 'rejected';

export interface ClientMetrics {
  breakerState(state: BreakerState): void;
  request(outcome: RequestOutcome): void;
  retry(): void;
}

const stateValue: Record<BreakerState, number> = { closed: 0, halfOpen: 1, open: 2 };

/**
 * Several clients may share one registry (one per dependency); prom-client refuses a second
 * metric of the same name, so an existing one is reused and the `name` label tells them apart.
 */
function reuse<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function createClientMetrics(registry: Registry | undefined, name: string): ClientMetrics {
  if (registry === undefined) return { breakerState: () => {}, request: () => {}, retry: () => {} };
  const state = reuse(
    registry,
    'service_client_breaker_state',
    () =>
      new Gauge({
        name: 'service_client_breaker_state',
        help: 'Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open',
        labelNames: ['name'] as const,
        registers: [registry],
      }),
  );
  const requests = reuse(
    registry,
    'service_client_requests_total',
    () =>
      new Counter({
        name: 'service_client_requests_total',
        help: 'Calls to a dependency by outcome (success, client_error = 4xx answer, failure, rejected = breaker open)',
        labelNames: ['name', 'outcome'] as const,
        registers: [registry],
      }),
  );
  const retries = reuse(
    registry,
    'service_client_retries_total',
    () =>
      new Counter({
        name: 'service_client_retries_total',
        help: 'Retried attempts to a dependency',
        labelNames: ['name'] as const,
        registers: [registry],
      }),
  );
  return {
    breakerState: (s) => state.set({ name }, stateValue[s]),
    request: (outcome) => requests.inc({ name, outcome }),
    retry: () => retries.inc({ name }),
  };
}
