import type { HttpApp } from '@authmeet/http-kit';
import { AppError, decodeCursor, encodeCursor, pageOf, requirePermission } from '@authmeet/http-kit';
import { auditCatalogueMarkdown } from './audit-catalogue.js';
import type { AuditFilter, AuditRepository } from './audit.repository.js';
import { activityQuery, auditCursorShape, auditEventSchema, auditQuery, toAuditEventView } from './audit.schemas.js';
import { errorCodes } from '../../errors.js';

const security = [{ bearerAuth: [] }];

async function page(repository: AuditRepository, filter: AuditFilter, cursor: string | undefined, limit: number) {
  const c = decodeCursor(cursor, auditCursorShape);
  const rows = await repository.list({ ...filter, beforeId: c ? BigInt(c.id) : undefined }, limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(toAuditEventView), nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id.toString() }) : null };
}

/** `GET /v1/admin/audit`: the audit trail, newest first (`audit:read`). */
export function adminAuditRoutes(repository: AuditRepository) {
  return async function routes(app: HttpApp) {
    app.addHook('onRequest', app.authenticate);
    app.get(
      '/',
      {
        preHandler: requirePermission('audit:read'),
        schema: {
          tags: ['admin'],
          security,
          operationId: 'listAuditEvents',
          errors: errorCodes('FORBIDDEN'),
          summary: 'The audit trail, newest first',
          description:
            'Filters combine: `actorId`, `targetId`, `type`, `from` / `to` (inclusive). Admins only: others get 403 `FORBIDDEN`. ' +
            `Event types:\n\n${auditCatalogueMarkdown()}`,
          querystring: auditQuery,
          response: { 200: pageOf(auditEventSchema) },
        },
      },
      async (request) => {
        const { cursor, limit, from, to, ...rest } = request.query;
        return page(repository, { ...rest, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined }, cursor, limit);
      },
    );
  };
}

/** `GET /v1/auth/me/activity`: the caller's own events (sign-ins, password changes, admin actions on them). */
export function activityRoutes(repository: AuditRepository) {
  return async function routes(app: HttpApp) {
    app.addHook('onRequest', app.authenticate);
    app.get(
      '/',
      {
        schema: {
          tags: ['account'],
          security,
          operationId: 'listMyActivity',
          summary: "The caller's own security events, newest first",
          description: 'Events whose target is the caller: new sign-ins (and refused ones), logouts, password and email changes, admin actions.',
          querystring: activityQuery,
          response: { 200: pageOf(auditEventSchema) },
        },
      },
      async (request) => {
        if (!request.auth) throw new AppError('UNAUTHENTICATED');
        return page(repository, { targetId: request.auth.userId }, request.query.cursor, request.query.limit);
      },
    );
  };
}
