import { z } from 'zod';

export const participantRole = z.enum(['host', 'participant']);

/** A person in a meeting, as clients see them (routes and the `participant.joined` event). */
export const participantSchema = z
  .object({
    userId: z.uuid(),
    username: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    /** The profile picture (a JPEG of at most 500×500), or null. */
    avatarUrl: z.string().nullable(),
    role: participantRole,
    joinedAt: z.iso.datetime(),
    leftAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Participant' });

export type ParticipantView = z.infer<typeof participantSchema>;

/**
 * The events of one meeting: sent to clients on GET /v1/meetings/{id}/events (SSE, `event:` is
 * the type, `data:` the JSON) and between meetings-service replicas over Redis pub/sub.
 */
export type MeetingEvent =
  | { type: 'participant.joined'; data: { meetingId: string; participant: ParticipantView; participantCount: number } }
  | { type: 'participant.left'; data: { meetingId: string; userId: string; leftAt: string; participantCount: number } }
  | { type: 'participant.removed'; data: { meetingId: string; userId: string; removedAt: string; participantCount: number } }
  | { type: 'meeting.ended'; data: { meetingId: string; endedAt: string; reason: 'ended' | 'deleted' | 'host-deleted' } };

export type MeetingEventType = MeetingEvent['type'];

export const meetingEventTypes: readonly MeetingEventType[] = ['participant.joined', 'participant.left', 'participant.removed', 'meeting.ended'];

/** An event as delivered: `id` is assigned once at publication, so every replica sends the same one. */
export type DeliveredEvent = MeetingEvent & { id: string };
