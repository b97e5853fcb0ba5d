// pnpm --filter @authmeet/api-client generate: services/*/openapi.json → src/generated/*.ts.
import { writeFileSync } from 'node:fs';
import { SERVICES, generatedPath, renderTypes } from './openapi-types.ts';

for (const service of SERVICES) {
  writeFileSync(generatedPath(service), await renderTypes(service));
  console.log(`wrote src/generated/${service}.ts`);
}
