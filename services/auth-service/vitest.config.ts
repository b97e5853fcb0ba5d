import { vitestConfig } from '@authmeet/test-kit/vitest-config';

// Two files at a time, one per core: the files wait on Postgres, Redis, SMTP and S3 most of the
// time. The login timing test compares interleaved medians, so load from the other file hits
// both of its series alike.
export default vitestConfig({ maxWorkers: 2 });
