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

const participantCount = z.number().int().min(0).meta({ description: 'Participants present after the change' });

/** `participant.joined`: someone joined (or joined again). */
export const participantJoinedData = z
  .object({ meetingId: z.uuid(), participant: participantSchema, participantCount })
  .meta({ id: 'ParticipantJoinedData' });

/** `participant.left`: someone left. */
export const participantLeftData = z
  .object({ meetingId: z.uuid(), userId: z.uuid(), leftAt: z.iso.datetime(), participantCount })
  .meta({ id: 'ParticipantLeftData' });

/** `participant.removed`: the host (or a moderator) removed someone. */
export const participantRemovedData = z
  .object({ meetingId: z.uuid(), userId: z.uuid(), removedAt: z.iso.datetime(), participantCount })
  .meta({ id: 'ParticipantRemovedData' });

/** `meeting.ended`: ended by its host, deleted, or its host's account was deleted. */
export const meetingEndedData = z
  .object({ meetingId: z.uuid(), endedAt: z.iso.datetime(), reason: z.enum(['ended', 'deleted', 'host-deleted']) })
  .meta({ id: 'MeetingEndedData' });

/**
 * The events of one meeting: sent to clients on GET /v1/meetings/{id}/events (SSE, `event:` is
 * the type, `data:` the JSON) and between meetings-service replicas over Redis pub/sub. The
 * payloads are the schemas above, which the meetings-service's OpenAPI document publishes.
 */
export type MeetingEvent =
  | { type: 'participant.joined'; data: z.infer<typeof participantJoinedData> }
  | { type: 'participant.left'; data: z.infer<typeof participantLeftData> }
  | { type: 'participant.removed'; data: z.infer<typeof participantRemovedData> }
  | { type: 'meeting.ended'; data: z.infer<typeof meetingEndedData> };

export type MeetingEventType = MeetingEvent['type'];

export const meetingEventTypes: readonly MeetingEventType[] = ['participant.joined', 'participant.left', 'participant.removed', 'meeting.ended'];

/** An event as delivered: `id` is assigned once at publication, so every replica sends the same one. */
export type DeliveredEvent = MeetingEvent & { id: string };
