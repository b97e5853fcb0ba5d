import { Prisma } from '../../generated/prisma/client.js';
import type { MeetingStatus, ParticipantRole } from '../../generated/prisma/client.js';

/**
 * The hot reads as SQL, so their plans are explicit and test/query-plans.test.ts can EXPLAIN
 * exactly what the repository runs.
 */

export type ListRole = ParticipantRole | 'any';

export interface ListMineQuery {
  userId: string;
  role: ListRole;
  status: MeetingStatus | undefined;
  /** Sort key of the last row of the previous page. */
  after: { t: Date; id: string } | undefined;
  limit: number;
}

const meetingColumns = Prisma.sql`m.id, m.code, m.title, m.description, m.host_id AS "hostId", m.status::text AS status,
  m.scheduled_for AS "scheduledFor", m.started_at AS "startedAt", m.ended_at AS "endedAt",
  m.max_participants AS "maxParticipants", m.participant_count AS "participantCount",
  m.created_at AS "createdAt", m.updated_at AS "updatedAt"`;

// Cursor conditions are written as `t <= x AND (t < x OR id > y)`: the first half is an index
// bound, so a later page starts where the previous one ended instead of re-reading it.
const statusFilter = (status: MeetingStatus | undefined) =>
  status === undefined ? Prisma.empty : Prisma.sql`AND m.status = ${status}::"MeetingStatus"`;

export const meetingQueries = {
  /** Join: find by code and hold the row until commit, so capacity checks serialise per meeting. */
  lockByCode: (code: string) => Prisma.sql`SELECT ${meetingColumns} FROM meetings m WHERE m.code = ${code} FOR UPDATE`,

  lockById: (id: string) => Prisma.sql`SELECT ${meetingColumns} FROM meetings m WHERE m.id = ${id}::uuid FOR UPDATE`,

  /**
   * Meetings the user hosts, newest first: a range scan of (host_id, created_at DESC, id) in
   * index order, so the page costs `limit` rows however many meetings the host has.
   */
  hostedBy(q: ListMineQuery) {
    const after = q.after
      ? Prisma.sql`AND m.created_at <= ${q.after.t}::timestamptz AND (m.created_at < ${q.after.t}::timestamptz OR m.id > ${q.after.id}::uuid)`
      : Prisma.empty;
    return Prisma.sql`SELECT ${meetingColumns}, m.created_at AS "sortAt", m.id AS "sortId"
      FROM meetings m
      WHERE m.host_id = ${q.userId}::uuid ${statusFilter(q.status)} ${after}
      ORDER BY m.created_at DESC, m.id ASC
      LIMIT ${q.limit}`;
  },

  /**
   * Meetings the user is in (any role, or only as a participant), most recently joined first:
   * a range scan of (user_id, joined_at DESC). The host's participation is written with the
   * meeting's created_at, so for hosted meetings "joined" and "created" order agree.
   */
  joinedBy(q: ListMineQuery) {
    const role = q.role === 'any' ? Prisma.empty : Prisma.sql`AND p.role = ${q.role}::"ParticipantRole"`;
    const after = q.after
      ? Prisma.sql`AND p.joined_at <= ${q.after.t}::timestamptz AND (p.joined_at < ${q.after.t}::timestamptz OR p.id > ${q.after.id}::uuid)`
      : Prisma.empty;
    return Prisma.sql`SELECT ${meetingColumns}, p.joined_at AS "sortAt", p.id AS "sortId"
      FROM meeting_participants p JOIN meetings m ON m.id = p.meeting_id
      WHERE p.user_id = ${q.userId}::uuid ${role} ${statusFilter(q.status)} ${after}
      ORDER BY p.joined_at DESC, p.id ASC
      LIMIT ${q.limit}`;
  },

  listMine: (q: ListMineQuery) => (q.role === 'host' ? meetingQueries.hostedBy(q) : meetingQueries.joinedBy(q)),
};
