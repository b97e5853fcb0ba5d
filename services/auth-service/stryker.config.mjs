// Mutation testing of this service's security-critical modules (root README, "Mutation testing").
// Manual (not in CI: even the module suites take minutes per module under load). One module:
// pnpm --filter @authmeet/auth-service test:mutation --mutate src/modules/sessions/refresh-token.ts
// The modules checked through the whole app: stryker.app.config.mjs (test:mutation:app).
// Not --testFiles: with it, Stryker 10.1 activates module-level (static) mutants too late and
// reports them as survivors (stryker-js#6144); the include list of the vitest config selects.
import { strykerConfig } from '@authmeet/test-kit/stryker-config';

export default strykerConfig(import.meta.resolve('@stryker-mutator/vitest-runner'), {
  mutate: [
    'src/modules/sessions/refresh-token.ts',
    'src/modules/passwords/login-throttle.ts',
    'src/modules/passwords/brute-force.lua.ts',
    'src/modules/oauth/redirect-allowlist.ts',
    'src/modules/sessions/sessions.repository.ts',
    'src/modules/auth/authentication.ts',
    'src/modules/mfa/secret-box.ts',
    'src/modules/mfa/codes.ts',
    'src/modules/mfa/second-factor.ts',
    'src/modules/passkeys/passkey-challenges.ts',
    'src/modules/audit/audit-chain.ts',
    // The chain's pruning and verification (audit:verify), and the retention run that prunes.
    'src/modules/audit/audit.repository.ts:152-189',
    'src/modules/audit/audit.retention.ts',
    // Cookie mode: the Origin check, reading, setting and clearing the refresh cookie.
    'src/modules/sessions/browser-sessions.ts',
  ],
  vitest: { configFile: 'vitest.mutation.config.ts' },
  timeoutMS: 20_000,
});
