import { randomBytes } from 'node:crypto';

/**
 * This run's suffix for its databases and its Redis prefix: on a shared machine two benches
 * (two checkouts) run at once, and fixed names let one drop the other's databases mid-run.
 */
export const RUN_ID = randomBytes(3).toString('hex');
