import { Prisma } from '../../generated/prisma/client.js';
import type { Meeting, MeetingParticipant, MeetingStatus, PrismaClient } from '../../generated/prisma/client.js';
import type { Db, Tx } from '../../plugins/prisma.js';
import type { Pool } from 'pg';
import { meetingQueries } from './meeting-queries.js';
import type { ListMineQuery } from './meeting-queries.js';

export type ParticipantRow = MeetingParticipant & {
  user: { username: string; firstName: string | null; lastName: string | null; avatarUrl: string | null };
};

export interface NewMeeting {
  code: string;
  title: string;
  description: string | null;
  hostId: string;
  status: MeetingStatus;
  scheduledFor: Date | null;
  startedAt: Date | null;
  maxParticipants: number;
}

export type SortedMeeting = Meeting & { sortAt: Date; sortId: string };

const withUser = { user: { select: { username: true, firstName: true, lastName: true, avatarUrl: true } } } as const;

/** A unique violation; on meeting creation only `code` can collide (ids are uuid v7). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/** The only code that queries meetings and meeting_participants. */
export function createMeetingsRepository(prisma: PrismaClient, reads: Pick<Pool, 'query'>) {
  return {
    // Joins queue on one row lock: give a burst room to wait instead of failing after 2 s.
    transaction: <T>(fn: (tx: Tx) => Promise<T>) => prisma.$transaction(fn, { maxWait: 5_000, timeout: 10_000 }),

    /** The meeting and its host's participation, written together; the host is the first participant. */
    create: (data: NewMeeting, now: Date, db: Db = prisma): Promise<Meeting> =>
      db.meeting.create({
        data: {
          ...data,
          participantCount: 1,
          createdAt: now,
          participants: { create: { userId: data.hostId, role: 'host', joinedAt: now } },
        },
      }),

    findById: (id: string, db: Db = prisma) => db.meeting.findUnique({ where: { id } }),

    /** The meeting with the user's participation (if any), in one query: the access check of every route. */
    async findWithParticipation(id: string, userId: string, db: Db = prisma) {
      const found = await db.meeting.findUnique({ where: { id }, include: { participants: { where: { userId }, take: 1 } } });
      if (!found) return null;
      const { participants, ...meeting } = found;
      return { meeting, participation: participants[0] ?? null };
    },

    async lockByCode(code: string, tx: Tx): Promise<Meeting | null> {
      const rows = await tx.$queryRaw<Meeting[]>(meetingQueries.lockByCode(code));
      return rows[0] ?? null;
    },

    async lockById(id: string, tx: Tx): Promise<Meeting | null> {
      const rows = await tx.$queryRaw<Meeting[]>(meetingQueries.lockById(id));
      return rows[0] ?? null;
    },

    findParticipant: (meetingId: string, userId: string, db: Db = prisma): Promise<ParticipantRow | null> =>
      db.meetingParticipant.findUnique({ where: { meetingId_userId: { meetingId, userId } }, include: withUser }),

    /** A new participation, or a returning one (left earlier): present again from `now`. */
    enter: (meetingId: string, userId: string, now: Date, tx: Tx): Promise<ParticipantRow> =>
      tx.meetingParticipant.upsert({
        where: { meetingId_userId: { meetingId, userId } },
        create: { meetingId, userId, role: 'participant', joinedAt: now },
        update: { joinedAt: now, leftAt: null },
        include: withUser,
      }),

    markLeft: (id: string, now: Date, tx: Tx): Promise<ParticipantRow> =>
      tx.meetingParticipant.update({ where: { id }, data: { leftAt: now }, include: withUser }),

    /** Out of the meeting for good: `left_at` kept if they had already left, `removed_at` set. */
    markRemoved: (p: MeetingParticipant, by: string, now: Date, tx: Tx): Promise<ParticipantRow> =>
      tx.meetingParticipant.update({ where: { id: p.id }, data: { leftAt: p.leftAt ?? now, removedAt: now, removedBy: by }, include: withUser }),

    /** Only ever called inside the transaction that changed meeting_participants, so the count stays exact. */
    changeCount: (id: string, delta: 1 | -1, tx: Tx, start?: Date): Promise<Meeting> =>
      tx.meeting.update({
        where: { id },
        data: { participantCount: { increment: delta }, ...(start ? { status: 'active', startedAt: start } : {}) },
      }),

    /** Conditional, so of two concurrent "end" calls exactly one reports the change. */
    async endIfRunning(id: string, now: Date, db: Db = prisma): Promise<boolean> {
      const { count } = await db.meeting.updateMany({ where: { id, status: { not: 'ended' } }, data: { status: 'ended', endedAt: now } });
      return count === 1;
    },

    async delete(id: string, db: Db = prisma): Promise<boolean> {
      const { count } = await db.meeting.deleteMany({ where: { id } });
      return count === 1;
    },

    /** The hottest read: its SQL straight to the pool (the same rows `$queryRaw` returns, for half the CPU). */
    async listMine(q: ListMineQuery): Promise<SortedMeeting[]> {
      const sql = meetingQueries.listMine(q);
      return (await reads.query<SortedMeeting>(sql.text, sql.values)).rows;
    },

    listParticipants: (meetingId: string, after: { t: Date; id: string } | undefined, limit: number): Promise<ParticipantRow[]> =>
      prisma.meetingParticipant.findMany({
        where: {
          meetingId,
          ...(after ? { OR: [{ joinedAt: { gt: after.t } }, { joinedAt: after.t, id: { gt: after.id } }] } : {}),
        },
        orderBy: [{ joinedAt: 'asc' }, { id: 'asc' }],
        take: limit,
        include: withUser,
      }),

    /** Every meeting the user hosts and that still runs, ended now. */
    endAllHostedBy: (userId: string, now: Date, tx: Tx) =>
      tx.$queryRaw<{ id: string; endedAt: Date }[]>`
        UPDATE meetings SET status = 'ended', ended_at = ${now}, updated_at = ${now}
        WHERE host_id = ${userId}::uuid AND status <> 'ended'
        RETURNING id, ended_at AS "endedAt"`,

    /** The user leaves every meeting they are still in as a participant (counts kept exact). */
    leaveAll: (userId: string, now: Date, tx: Tx) =>
      tx.$queryRaw<{ id: string; participantCount: number }[]>`
        WITH gone AS (
          UPDATE meeting_participants SET left_at = ${now}
          WHERE user_id = ${userId}::uuid AND left_at IS NULL AND role = 'participant'
          RETURNING meeting_id
        )
        UPDATE meetings m SET participant_count = m.participant_count - 1, updated_at = ${now}
        FROM gone WHERE m.id = gone.meeting_id
        RETURNING m.id, m.participant_count AS "participantCount"`,
  };
}

export type MeetingsRepository = ReturnType<typeof createMeetingsRepository>;
