import { hasPermission } from '@authmeet/auth-tokens';
import type { Permission, Role } from '@authmeet/auth-tokens';
import { AppError, decodeCursor, encodeCursor } from '@authmeet/http-kit';
import type { Meeting, MeetingStatus } from '../../generated/prisma/client.js';
import type { ListRole } from './meeting-queries.js';
import { generateMeetingCode } from './meeting-code.js';
import type { MeetingEvents } from './meeting-events.js';
import { isUniqueViolation } from './meetings.repository.js';
import type { MeetingsRepository, ParticipantRow } from './meetings.repository.js';
import { cursorShape, toMeetingView, toParticipantView } from './meetings.schemas.js';
import type { MeetingView, ParticipantView } from './meetings.schemas.js';
import { appError } from '../../errors.js';

export interface MeetingServiceDeps {
  meetings: MeetingsRepository;
  /** Whether a user has a second factor (synced `mfaEnabled`): such hosts must step up to delete. */
  hasMfa: (userId: string) => Promise<boolean>;
  events: Pick<MeetingEvents, 'publish'>;
  clock: () => number;
  generateCode?: () => string;
}

export interface CreateMeetingInput {
  title: string;
  description?: string | null | undefined;
  scheduledFor?: string | undefined;
  maxParticipants?: number | undefined;
}

const CODE_ATTEMPTS = 5;
const DEFAULT_MAX_PARTICIPANTS = 100;

// Outsiders learn nothing, not even that the meeting exists.
const notFound = () => new AppError('NOT_FOUND', { detail: 'No such meeting' });

/** Who calls, as the access token says: permissions come from its roles alone. */
export interface Caller {
  userId: string;
  roles: readonly Role[];
}

export function createMeetingService(deps: MeetingServiceDeps) {
  const { meetings, events } = deps;
  const now = () => new Date(deps.clock());
  const newCode = deps.generateCode ?? generateMeetingCode;

  /** The meeting if the user is (or was) its host or a participant; 404 otherwise. */
  async function forMember(meetingId: string, userId: string) {
    const found = await meetings.findWithParticipation(meetingId, userId);
    if (!found?.participation) throw notFound();
    return { meeting: found.meeting, participation: found.participation };
  }

  /**
   * Live data (the participant list, the event stream) is for the host and CURRENT participants
   * (api.md). Someone who left may still read the meeting itself, so its existence is no secret
   * to them: they get 403, like a member lacking a right; an outsider still gets 404.
   */
  async function forCurrentMember(meetingId: string, userId: string) {
    const found = await forMember(meetingId, userId);
    if (found.participation.leftAt !== null) {
      throw new AppError('FORBIDDEN', { detail: 'Only current participants can follow this meeting' });
    }
    return found;
  }

  /**
   * Host actions that a role may also take: the host and holders of `permission` pass; a
   * participant without it gets 403, an outsider 404 (so a meeting's existence stays private).
   */
  async function forHostOr(meetingId: string, caller: Caller, permission: Permission): Promise<Meeting> {
    const found = await meetings.findWithParticipation(meetingId, caller.userId);
    if (!found) throw notFound();
    if (found.meeting.hostId === caller.userId || hasPermission(caller.roles, permission)) return found.meeting;
    if (!found.participation) throw notFound();
    throw new AppError('FORBIDDEN', { detail: 'Only the host, or a role allowed to, can do this' });
  }

  /** Reading: members (present or past) and holders of `meetings:read`. */
  async function forReader(meetingId: string, caller: Caller) {
    const found = await meetings.findWithParticipation(meetingId, caller.userId);
    if (!found || (!found.participation && !hasPermission(caller.roles, 'meetings:read'))) throw notFound();
    return found;
  }

  return {
    forMember,
    forCurrentMember,

    async create(hostId: string, input: CreateMeetingInput): Promise<MeetingView> {
      const at = now();
      const scheduledFor = input.scheduledFor === undefined ? null : new Date(input.scheduledFor);
      // A time in the future means "scheduled"; no time, or one already passed, starts it now.
      const future = scheduledFor !== null && scheduledFor.getTime() > at.getTime();
      for (let attempt = 1; ; attempt += 1) {
        try {
          const meeting = await meetings.create(
            {
              code: newCode(),
              title: input.title,
              description: input.description ?? null,
              hostId,
              status: future ? 'scheduled' : 'active',
              scheduledFor,
              startedAt: future ? null : at,
              maxParticipants: input.maxParticipants ?? DEFAULT_MAX_PARTICIPANTS,
            },
            at,
          );
          return toMeetingView(meeting);
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= CODE_ATTEMPTS) throw error;
        }
      }
    },

    async get(meetingId: string, caller: Caller): Promise<MeetingView> {
      return toMeetingView((await forReader(meetingId, caller)).meeting);
    },

    async listMine(userId: string, q: { role: ListRole; status?: MeetingStatus | undefined; cursor?: string | undefined; limit: number }) {
      const c = decodeCursor(q.cursor, cursorShape);
      const rows = await meetings.listMine({
        userId,
        role: q.role,
        status: q.status,
        after: c ? { t: new Date(c.t), id: c.id } : undefined,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        items: page.map(toMeetingView),
        nextCursor: rows.length > q.limit && last ? encodeCursor({ t: last.sortAt.toISOString(), id: last.sortId }) : null,
      };
    },

    /**
     * Idempotent join. The meeting row is locked (SELECT ... FOR UPDATE) for the whole
     * transaction, so concurrent joins for the last seats are decided one at a time against an
     * exact count: never more participants than maxParticipants.
     */
    async join(userId: string, code: string): Promise<{ meeting: MeetingView; participant: ParticipantView }> {
      const at = now();
      const result = await meetings.transaction(async (tx) => {
        const meeting = await meetings.lockByCode(code, tx);
        if (!meeting) throw notFound();
        const existing = await meetings.findParticipant(meeting.id, userId, tx);
        if (existing?.removedAt) throw appError('REMOVED_FROM_MEETING');
        if (meeting.status === 'ended') throw appError('MEETING_ENDED');
        if (existing && existing.leftAt === null) return { meeting, participant: existing, changed: false };
        if (meeting.participantCount >= meeting.maxParticipants) throw appError('MEETING_FULL');
        const participant = await meetings.enter(meeting.id, userId, at, tx);
        // A scheduled meeting starts with the first join at or after its time.
        const starts = meeting.status === 'scheduled' && meeting.scheduledFor !== null && meeting.scheduledFor <= at;
        const updated = await meetings.changeCount(meeting.id, 1, tx, starts ? at : undefined);
        return { meeting: updated, participant, changed: true };
      });
      const participant = toParticipantView(result.participant);
      if (result.changed) {
        await events.publish(result.meeting.id, {
          type: 'participant.joined',
          data: { meetingId: result.meeting.id, participant, participantCount: result.meeting.participantCount },
        });
      }
      return { meeting: toMeetingView(result.meeting), participant };
    },

    /** Leaving twice is fine (204 again); the host cannot leave: they end or delete instead. */
    async leave(userId: string, meetingId: string): Promise<void> {
      const at = now();
      const result = await meetings.transaction(async (tx) => {
        const meeting = await meetings.lockById(meetingId, tx);
        const participation = meeting ? await meetings.findParticipant(meetingId, userId, tx) : null;
        if (!meeting || !participation) throw notFound();
        if (participation.role === 'host') throw appError('HOST_CANNOT_LEAVE');
        if (participation.leftAt !== null) return null;
        const left: ParticipantRow = await meetings.markLeft(participation.id, at, tx);
        const updated = await meetings.changeCount(meetingId, -1, tx);
        return { left, count: updated.participantCount };
      });
      if (result) {
        await events.publish(meetingId, {
          type: 'participant.left',
          data: { meetingId, userId, leftAt: at.toISOString(), participantCount: result.count },
        });
      }
    },

    /** Ending twice answers the ended meeting again; only the call that ended it notifies. */
    async end(caller: Caller, meetingId: string): Promise<MeetingView> {
      await forHostOr(meetingId, caller, 'meetings:moderate');
      const at = now();
      if (await meetings.endIfRunning(meetingId, at)) {
        await events.publish(meetingId, { type: 'meeting.ended', data: { meetingId, endedAt: at.toISOString(), reason: 'ended' } });
      }
      const meeting = await meetings.findById(meetingId);
      if (!meeting) throw notFound();
      return toMeetingView(meeting);
    },

    /**
     * `stepUp` throws unless the caller's login was strong and recent enough; it is asked only
     * of callers with MFA on (api.md: such a caller needs `aal2` within 10 minutes).
     */
    async delete(caller: Caller, meetingId: string, stepUp: () => void = () => undefined): Promise<void> {
      await forHostOr(meetingId, caller, 'meetings:delete');
      if (await deps.hasMfa(caller.userId)) stepUp();
      if (await meetings.delete(meetingId)) {
        // Open streams learn that the meeting is over, then close.
        await events.publish(meetingId, { type: 'meeting.ended', data: { meetingId, endedAt: now().toISOString(), reason: 'deleted' } });
      }
    },

    /**
     * The host, a moderator or an admin takes a participant out; they cannot join again. Removing
     * twice is fine; the host cannot be removed (they end or delete the meeting instead).
     */
    async removeParticipant(caller: Caller, meetingId: string, userId: string): Promise<void> {
      await forHostOr(meetingId, caller, 'meetings:moderate');
      const at = now();
      const result = await meetings.transaction(async (tx) => {
        const meeting = await meetings.lockById(meetingId, tx);
        const participation = meeting ? await meetings.findParticipant(meetingId, userId, tx) : null;
        if (!meeting || !participation) throw new AppError('NOT_FOUND', { detail: 'No such participant' });
        if (participation.role === 'host') throw new AppError('FORBIDDEN', { detail: 'The host cannot be removed' });
        if (participation.removedAt !== null) return null;
        await meetings.markRemoved(participation, caller.userId, at, tx);
        const present = participation.leftAt === null;
        return { count: present ? (await meetings.changeCount(meetingId, -1, tx)).participantCount : meeting.participantCount };
      });
      if (result) {
        await events.publish(meetingId, {
          type: 'participant.removed',
          data: { meetingId, userId, removedAt: at.toISOString(), participantCount: result.count },
        });
      }
    },

    async participants(caller: Caller, meetingId: string, q: { cursor?: string | undefined; limit: number }) {
      if (!hasPermission(caller.roles, 'meetings:read')) await forCurrentMember(meetingId, caller.userId);
      else if (!(await meetings.findById(meetingId))) throw notFound();
      const c = decodeCursor(q.cursor, cursorShape);
      const rows = await meetings.listParticipants(meetingId, c ? { t: new Date(c.t), id: c.id } : undefined, q.limit + 1);
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        items: page.map(toParticipantView),
        nextCursor: rows.length > q.limit && last ? encodeCursor({ t: last.joinedAt.toISOString(), id: last.id }) : null,
      };
    },
  };
}

export type MeetingService = ReturnType<typeof createMeetingService>;
