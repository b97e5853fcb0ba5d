import { meetingEndedData, participantJoinedData, participantLeftData, participantRemovedData, participantRole, participantSchema } from '@authmeet/contracts';
import type { ParticipantView } from '@authmeet/contracts';
import { pageQuery, safeText } from '@authmeet/http-kit';
import { z } from 'zod';
import type { Meeting } from '../../generated/prisma/client.js';
import type { ParticipantRow } from './meetings.repository.js';

export { participantRole, participantSchema };
export type { ParticipantView };

export const MEETING_CODE = /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/;

export const meetingStatus = z.enum(['scheduled', 'active', 'ended']);

export const meetingSchema = z
  .object({
    id: z.uuid(),
    code: z.string().meta({ example: 'abc-defg-hij' }),
    title: z.string(),
    description: z.string().nullable(),
    hostId: z.uuid(),
    status: meetingStatus,
    scheduledFor: z.iso.datetime().nullable(),
    startedAt: z.iso.datetime().nullable(),
    endedAt: z.iso.datetime().nullable(),
    maxParticipants: z.number().int(),
    participantCount: z.number().int().meta({ description: 'People in the meeting now (left_at unset), host included' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Meeting' });

export type MeetingView = z.infer<typeof meetingSchema>;

export const meetingIdParams = z.object({ id: z.uuid('must be a meeting id') });

export const createMeetingBody = z
  .object({
    title: safeText('name').trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    // Free text: paragraphs and tabs are fine, other control characters and bidi overrides are not.
    description: safeText('multiline').trim().max(5000, 'must be at most 5000 characters').nullable().optional(),
    scheduledFor: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
    maxParticipants: z.number().int().min(2, 'must be at least 2').max(1000, 'must be at most 1000').optional(),
  })
  .meta({ id: 'CreateMeeting' });

export const joinBody = z
  .object({
    // People type codes: surrounding blanks and capitals are forgiven, the shape is not.
    code: z.string().trim().toLowerCase().regex(MEETING_CODE, 'must look like abc-defg-hij').meta({ examples: ['tzn-cihh-vdj'] }),
  })
  .meta({ id: 'JoinMeeting' });

export const listMeetingsQuery = z.object({
  role: z.enum(['host', 'participant', 'any']).default('any'),
  status: meetingStatus.optional(),
  ...pageQuery,
});

export const participantsQuery = z.object({ ...pageQuery });

export const joinResponse = z.object({ meeting: meetingSchema, participant: participantSchema }).meta({ id: 'JoinResult' });

/** Cursors carry the last row's sort key: a timestamp and a tie-breaking id. */
export const cursorShape = z.object({ t: z.iso.datetime(), id: z.uuid() });

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function toMeetingView(m: Meeting): MeetingView {
  return {
    id: m.id,
    code: m.code,
    title: m.title,
    description: m.description,
    hostId: m.hostId,
    status: m.status,
    scheduledFor: iso(m.scheduledFor),
    startedAt: iso(m.startedAt),
    endedAt: iso(m.endedAt),
    maxParticipants: m.maxParticipants,
    participantCount: m.participantCount,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

export function toParticipantView(p: ParticipantRow): ParticipantView {
  return {
    userId: p.userId,
    username: p.user.username,
    firstName: p.user.firstName,
    lastName: p.user.lastName,
    avatarUrl: p.user.avatarUrl,
    role: p.role,
    joinedAt: p.joinedAt.toISOString(),
    leftAt: iso(p.leftAt),
  };
}

/** Why an event stream ended: the `reason` of its last event, `stream.closed`. */
export const streamEndReason = z.enum(['revoked', 'expired', 'left', 'removed', 'ended']);

export const streamClosedData = z
  .object({
    reason: streamEndReason.meta({
      description:
        '`revoked`: the session was revoked; `expired`: the access token expired (reconnect with a fresh one); `left` / `removed`: the user left or was removed; `ended`: the meeting ended',
    }),
  })
  .meta({ id: 'StreamClosedData' });

const sseEvent = <const E extends string, D extends z.ZodType>(event: E, data: D, id: string) =>
  z
    .object({
      event: z.literal(event).meta({ description: 'The SSE `event:` field' }),
      id: z.string().meta({ description: 'The SSE `id:` field' }),
      data,
    })
    .meta({ id });

/**
 * One message of GET /v1/meetings/{id}/events, as a client reads it: its `event:`, `id:` and
 * parsed `data:` fields. Heartbeats are `: ping` comments, which carry no message.
 */
export const meetingStreamEventSchema = z
  .discriminatedUnion('event', [
    sseEvent('participant.joined', participantJoinedData, 'ParticipantJoinedEvent'),
    sseEvent('participant.left', participantLeftData, 'ParticipantLeftEvent'),
    sseEvent('participant.removed', participantRemovedData, 'ParticipantRemovedEvent'),
    sseEvent('meeting.ended', meetingEndedData, 'MeetingEndedEvent'),
    sseEvent('stream.closed', streamClosedData, 'StreamClosedEvent'),
  ])
  .meta({
    id: 'MeetingStreamEvent',
    description:
      'One Server-Sent Event of the stream (the body is `text/event-stream`: a sequence of these, each as `event:`, `id:` and `data:` lines). `stream.closed` is always the last.',
  });
