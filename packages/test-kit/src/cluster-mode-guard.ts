import { TEST_REDIS_MODE } from './config.js';

// vitest `setupFiles` of the cluster test mode: if the cluster's address did not reach this
// worker, the files would quietly pass against the standalone Redis and prove nothing.
if (TEST_REDIS_MODE !== 'cluster') throw new Error('cluster test mode: TEST_REDIS_MODE did not reach the test worker');
