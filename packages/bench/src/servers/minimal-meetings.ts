// The minimal reference for the meetings-service's `GET /v1/meetings?limit=N` (issue 17, item 1):
// the same token check (minimal-kit.ts, keys from the auth-service's JWKS), the same SQL as the
// service's `role=any` page (meeting-queries.ts, `joinedBy`), the same JSON. Nothing else: no
// rate limit, no admission of the caller, no request metrics, no security headers.
import { createRemoteJWKSet } from 'jose';
import { peerEnv } from '../config.js';
import { minimalServer, problem, tokenCheck } from './minimal-kit.js';

interface Row {
  id: string;
  code: string;
  title: string;
  description: string | null;
  hostId: string;
  status: string;
  scheduledFor: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
  maxParticipants: number;
  participantCount: number;
  createdAt: Date;
  updatedAt: Date;
  sortAt: Date;
  sortId: string;
}

const LIST_MINE = `SELECT m.id, m.code, m.title, m.description, m.host_id AS "hostId", m.status::text AS status,
  m.scheduled_for AS "scheduledFor", m.started_at AS "startedAt", m.ended_at AS "endedAt",
  m.max_participants AS "maxParticipants", m.participant_count AS "participantCount",
  m.created_at AS "createdAt", m.updated_at AS "updatedAt", p.joined_at AS "sortAt", p.id AS "sortId"
  FROM meeting_participants p JOIN meetings m ON m.id = p.meeting_id
  WHERE p.user_id = $1::uuid
  ORDER BY p.joined_at DESC, p.id ASC
  LIMIT $2`;

const { app, pool, sessions, listen } = minimalServer();
const check = tokenCheck(createRemoteJWKSet(new URL(peerEnv('AUTH_JWKS_URL'))), sessions);

app.get<{ Querystring: { limit?: string } }>('/v1/meetings', async (request, reply) => {
  const claims = await check(request.headers.authorization);
  if (claims === undefined) return problem(reply, 401, 'UNAUTHENTICATED');
  const limit = Number(request.query.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return problem(reply, 400, 'VALIDATION_FAILED');
  const { rows } = await pool.query<Row>(LIST_MINE, [claims.sub, limit + 1]);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    // Dates serialise as their ISO strings, like the service's view.
    items: page.map(({ sortAt: _at, sortId: _id, ...meeting }) => meeting),
    nextCursor: rows.length > limit && last ? Buffer.from(JSON.stringify({ t: last.sortAt.toISOString(), id: last.sortId })).toString('base64url') : null,
  };
});

await listen();
