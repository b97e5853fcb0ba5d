// Mutation testing of this service's access guards (root README, "Mutation testing"). Manual:
// every mutant costs suites that build the app on a database of their own.
// One module: pnpm --filter @authmeet/meetings-service test:mutation --mutate src/modules/meetings/stream-slots.ts
// Not --testFiles: with it, Stryker 10.1 activates module-level (static) mutants too late and
// reports them as survivors (stryker-js#6144); the include list of the vitest config selects.
import { strykerConfig } from '@authmeet/test-kit/stryker-config';

export default strykerConfig(import.meta.resolve('@stryker-mutator/vitest-runner'), {
  mutate: [
    // Who may read, follow, moderate or remove (the host, current members, roles' permissions),
    // and that a removed participant cannot join again.
    'src/modules/meetings/meetings.service.ts:47-85',
    'src/modules/meetings/meetings.service.ts:148-150',
    'src/modules/meetings/meetings.service.ts:219-226',
    // The per-user cap on open event streams, and the ending of streams whose access ended.
    'src/modules/meetings/stream-slots.ts',
    'src/modules/meetings/stream-registry.ts',
  ],
  vitest: { configFile: 'vitest.mutation.config.ts' },
  timeoutMS: 20_000,
});
