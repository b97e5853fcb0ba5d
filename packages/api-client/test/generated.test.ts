import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SERVICES, generatedPath, renderTypes } from '../scripts/openapi-types.ts';

// The typed clients are only as true as their types: these must be what the services' committed
// OpenAPI documents say today. When a document changes, `pnpm --filter @authmeet/api-client generate`.
it.each(SERVICES)('the committed types of %s are generated from its current openapi.json', async (service) => {
  const committed = readFileSync(generatedPath(service), 'utf8');
  expect(committed === (await renderTypes(service)), `src/generated/${service}.ts is stale: run pnpm --filter @authmeet/api-client generate`).toBe(true);
});
