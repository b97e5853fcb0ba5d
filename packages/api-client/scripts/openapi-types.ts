// Turns each service's committed OpenAPI document (services/<name>/openapi.json, written by
// `pnpm --filter @authmeet/<name> openapi:write`) into TypeScript types for openapi-fetch.
// Used by `pnpm --filter @authmeet/api-client generate` and by the test that fails when the
// committed types are stale.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

export const SERVICES = ['auth-service', 'meetings-service'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const documentPath = (service: ServiceName) => fileURLToPath(new URL(`../../../services/${service}/openapi.json`, import.meta.url));
export const generatedPath = (service: ServiceName) => fileURLToPath(new URL(`../src/generated/${service}.ts`, import.meta.url));

/** The file `generate` writes for one service: a header, then openapi-typescript's output. */
export async function renderTypes(service: ServiceName): Promise<string> {
  const source = documentPath(service);
  if (!existsSync(source)) {
    throw new Error(`services/${service}/openapi.json is missing: write it with \`pnpm --filter @authmeet/${service} openapi:write\``);
  }
  const document = JSON.parse(readFileSync(source, 'utf8')) as Parameters<typeof openapiTS>[0];
  const body = astToString(await openapiTS(document));
  return [
    `// Generated from services/${service}/openapi.json by \`pnpm --filter @authmeet/api-client generate\`.`,
    '// Do not edit: change the service, write its document again, and regenerate.',
    '',
    body,
  ].join('\n');
}
