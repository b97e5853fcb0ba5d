// Mutation testing of this package's security-critical modules (root README, "Mutation testing").
// One module quickly: pnpm --filter @authmeet/auth-tokens test:mutation --mutate src/key-source.ts
import { strykerConfig } from '@authmeet/test-kit/stryker-config';

export default strykerConfig(import.meta.resolve('@stryker-mutator/vitest-runner'), {
  mutate: [
    'src/token-verifier.ts',
    'src/claims.ts',
    'src/redis-revocation-view.ts',
    'src/key-source.ts',
    'src/permissions.ts',
    'src/step-up.ts',
  ],
  // Two workers: the tests mostly wait on timers, sockets and Redis, not on the CPU.
  concurrency: 2,
});
