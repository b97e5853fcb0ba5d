// Mutation testing of this package's security-critical modules (root README, "Mutation testing").
// One module quickly: pnpm --filter @authmeet/http-kit test:mutation --mutate src/bearer-auth.ts
import { strykerConfig } from '@authmeet/test-kit/stryker-config';

export default strykerConfig(import.meta.resolve('@stryker-mutator/vitest-runner'), {
  mutate: [
    'src/secret-compare.ts',
    'src/service-key.ts',
    'src/bearer-auth.ts',
    'src/body-guard.ts',
    'src/security.ts',
    'src/request-id.ts',
    'src/rate-limit.ts',
    'src/rate-limit-store.ts',
  ],
  // The guards' own tests and the app they are mounted in. The rest of the suite (a private
  // Redis Cluster, child processes) never reaches these modules; it would only make the dry run
  // and every static mutant (each runs all selected tests) slower.
  testFiles: [
    'test/secret-compare.test.ts',
    'test/service-key.test.ts',
    'test/bearer-auth.test.ts',
    'test/body-guard.test.ts',
    'test/security.test.ts',
    'test/request-id.test.ts',
    'test/rate-limit.test.ts',
    'test/rate-limit-store.test.ts',
    'test/http-kit.test.ts',
    'test/error-catalogue.test.ts',
  ],
  // Two workers: the tests mostly wait on timers, sockets and Redis, not on the CPU.
  concurrency: 2,
});
