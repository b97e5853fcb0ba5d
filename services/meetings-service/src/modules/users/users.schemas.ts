import { z } from 'zod';

export const userIdParams = z.object({ id: z.uuid('must be a user id') });
