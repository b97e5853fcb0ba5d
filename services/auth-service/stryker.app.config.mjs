// The auth-service modules whose guards are checked through the whole app (root README,
// "Mutation testing"): WebAuthn verification and the admin routes' permission guards. Slow: each
// mutant runs suites that build the app on a database of their own. One module:
// pnpm --filter @authmeet/auth-service test:mutation:app --mutate src/modules/passkeys/passkeys.service.ts
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: [
    // Registration and login: the WebAuthn checks (a representative part of the module: options,
    // listing, renaming and removal are left out to keep a run under half an hour under load).
    'src/modules/passkeys/passkeys.service.ts:68-104',
    'src/modules/passkeys/passkeys.service.ts:120-152',
    // The admin routes' guards: authentication and the permission each route needs.
    'src/modules/admin/admin.routes.ts:14-25',
    'src/modules/audit/audit.routes.ts:20-20',
    'src/modules/audit/audit.routes.ts:24-24',
  ],
  vitest: { configFile: 'vitest.mutation-app.config.ts' },
  timeoutMS: 60_000,
  // Same sandbox directory as the module runs: run one or the other at a time.
  htmlReporter: { fileName: 'reports/mutation/app/index.html' },
  jsonReporter: { fileName: 'reports/mutation/app/mutation.json' },
};
