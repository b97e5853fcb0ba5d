import type { ServiceContext } from '../../context.js';
import { createUsersRepository } from './users.repository.js';
import { internalUsersRoutes } from './users.routes.js';

/** The users table, and the internal user routes the meetings-service reads. */
export function usersModule({ app, config }: ServiceContext) {
  const repository = createUsersRepository(app.prisma, app.pg);
  return { repository, routes: internalUsersRoutes({ users: repository, serviceKeys: config.serviceKeys }) };
}

export type UsersModule = ReturnType<typeof usersModule>;
