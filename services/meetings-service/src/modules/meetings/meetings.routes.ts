import { requireAal2Within } from '@authmeet/auth-tokens';
import type { HttpApp } from '@authmeet/http-kit';
import { AppError, pageOf, toTokenAppError } from '@authmeet/http-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { MeetingEvents } from './meeting-events.js';
import { streamMeetingEvents } from './meeting-stream.js';
import type { StreamHeartbeat } from './stream-heartbeat.js';
import type { StreamRegistry } from './stream-registry.js';
import type { StreamSlots } from './stream-slots.js';
import {
  createMeetingBody,
  joinBody,
  joinResponse,
  listMeetingsQuery,
  meetingIdParams,
  meetingSchema,
  meetingStreamEventSchema,
  participantSchema,
  participantsQuery,
} from './meetings.schemas.js';
import type { Caller, MeetingService } from './meetings.service.js';
import { errorCodes } from '../../errors.js';

export interface MeetingsRoutesOptions {
  meetings: MeetingService;
  events: MeetingEvents;
  /** Pings every open event stream (one timer for all). */
  heartbeat: StreamHeartbeat;
  streams: StreamRegistry;
  slots: StreamSlots;
  maxStreamsPerUser: number;
  /** The revocation view's check (from memory on the hot path). */
  isRevoked: (claims: { sub: string; sid: string; exp: number; iat: number }) => Promise<boolean>;
}

const security = [{ bearerAuth: [] }];
const tags = ['meetings'];

function callerId(request: FastifyRequest): string {
  if (!request.auth) throw new AppError('UNAUTHENTICATED');
  return request.auth.userId;
}

/** Deleting a meeting is sensitive: hosts with MFA on need a strong login within 10 minutes. */
const deleteStepUp = requireAal2Within(10);

/** The step-up check of the caller's token, as the service asks for it (403 STEP_UP_REQUIRED). */
const stepUpOf = (request: FastifyRequest) => () => {
  const auth = request.auth;
  try {
    if (auth) deleteStepUp({ acr: auth.acr, auth_time: auth.authTime });
  } catch (error) {
    throw toTokenAppError(error);
  }
};

/** The caller with the roles its token carries: permissions come from them alone. */
function caller(request: FastifyRequest): Caller {
  if (!request.auth) throw new AppError('UNAUTHENTICATED');
  return { userId: request.auth.userId, roles: request.auth.roles };
}

const participantParams = z.object({ id: z.uuid('must be a meeting id'), userId: z.uuid('must be a user id') });

const eventsDescription = [
  'Server-Sent Events (`text/event-stream`) for one meeting, for its host and current participants',
  '(403 `FORBIDDEN` for someone who left, 404 for anyone else).',
  'Events: `participant.joined` `{ meetingId, participant, participantCount }`, `participant.left`',
  '`{ meetingId, userId, leftAt, participantCount }`, `participant.removed` `{ meetingId, userId, removedAt, participantCount }`,',
  '`meeting.ended` `{ meetingId, endedAt, reason: "ended" | "deleted" | "host-deleted" }`.',
  'The stream ends with a last event `stream.closed` `{ reason }`, then closes: `revoked` within 1 s of its session being revoked',
  '(logout, logout-all, password reset, account deletion), `expired` at its access token\'s `exp` (reconnect with a fresh token),',
  '`left` / `removed` when its user leaves or is removed, `ended` after `meeting.ended`. A stream closed without `stream.closed`',
  '(network, server restart) may be reopened at once.',
  'At most `SSE_MAX_STREAMS_PER_USER` (default 10) open streams per user across all replicas: beyond that 429 `RATE_LIMITED` with `Retry-After`.',
  'Every event has an `id:`; heartbeats are `: ping` comments.',
  'Events reach subscribers on every replica; there is no replay (`Last-Event-ID` is ignored): reload state after reconnecting.',
].join(' ');

/** The meeting itself: create, list, read, end, delete. */
function lifecycleRoutes(app: HttpApp, meetings: MeetingService) {
  app.post(
    '/',
    {
      schema: {
        tags,
        security,
        operationId: 'createMeeting',
        summary: 'Create a meeting',
        description:
          'The caller becomes its host and first participant. With `scheduledFor` in the future the meeting is ' +
          '`scheduled` (it becomes `active` with the first join at or after that time); without it, or with a time ' +
          'already passed, it is `active` at once with `startedAt` = now. `maxParticipants` (2–1000, default 100) counts the host.',
        body: createMeetingBody,
        response: { 201: meetingSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await meetings.create(callerId(request), request.body)),
  );

  app.get(
    '/',
    {
      schema: {
        tags,
        security,
        operationId: 'listMeetings',
        summary: "The caller's meetings, newest first",
        description:
          '`role=host`: meetings the caller hosts, by creation time. `role=participant`: meetings the caller joined as ' +
          'a participant; `role=any` (default): both, by the time the caller joined (for a host, its creation). ' +
          'Meetings the caller has left are included.',
        querystring: listMeetingsQuery,
        response: { 200: pageOf(meetingSchema) },
      },
    },
    async (request) => meetings.listMine(callerId(request), request.query),
  );

  app.get(
    '/:id',
    {
      schema: {
        tags,
        security,
        operationId: 'getMeeting',
        errors: errorCodes('NOT_FOUND'),
        summary: 'One meeting (its host, present or past participants, moderators and admins; 404 for anyone else)',
        params: meetingIdParams,
        response: { 200: meetingSchema },
      },
    },
    async (request) => meetings.get(request.params.id, caller(request)),
  );

  app.post(
    '/:id/end',
    {
      schema: {
        tags,
        security,
        operationId: 'endMeeting',
        errors: errorCodes('FORBIDDEN', 'NOT_FOUND'),
        summary: 'End a meeting (its host, moderators and admins)',
        description: 'Ending an ended meeting answers it again. 403 for another participant, 404 for anyone else.',
        params: meetingIdParams,
        response: { 200: meetingSchema },
      },
    },
    async (request) => meetings.end(caller(request), request.params.id),
  );

  app.delete(
    '/:id',
    {
      schema: {
        tags,
        security,
        operationId: 'deleteMeeting',
        errors: errorCodes('FORBIDDEN', 'STEP_UP_REQUIRED', 'NOT_FOUND'),
        summary: 'Delete a meeting (its host and admins)',
        description:
          'Open event streams receive `meeting.ended` and close. 403 for another participant (and moderators who take part), 404 for anyone else. ' +
          'A caller whose account has MFA on needs a token from an `aal2` login (second factor or passkey) within the last 10 minutes: ' +
          'otherwise 403 `STEP_UP_REQUIRED` (with `acrValues` and `maxAge` members); log in again with the second factor and retry.',
        params: meetingIdParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await meetings.delete(caller(request), request.params.id, stepUpOf(request));
      return reply.code(204).send(null);
    },
  );
}

/** Taking part: join by code, leave, the participant list. */
function participationRoutes(app: HttpApp, meetings: MeetingService) {
  app.post(
    '/join',
    {
      schema: {
        tags,
        security,
        operationId: 'joinMeeting',
        errors: errorCodes('REMOVED_FROM_MEETING', 'NOT_FOUND', 'MEETING_ENDED', 'MEETING_FULL'),
        summary: 'Join a meeting by its code',
        description:
          'Idempotent: joining a meeting one is in returns the same participation; someone who left joins again, ' +
          'someone removed does not (403 `REMOVED_FROM_MEETING`). ' +
          '409 `MEETING_ENDED` for an ended meeting, 409 `MEETING_FULL` when `participantCount` reached `maxParticipants`.',
        body: joinBody,
        response: { 200: joinResponse },
      },
    },
    async (request) => meetings.join(callerId(request), request.body.code),
  );

  app.post(
    '/:id/leave',
    {
      schema: {
        tags,
        security,
        operationId: 'leaveMeeting',
        errors: errorCodes('NOT_FOUND', 'HOST_CANNOT_LEAVE'),
        summary: 'Leave a meeting',
        description: 'Leaving twice is not an error. The host cannot leave (409 `HOST_CANNOT_LEAVE`): end or delete the meeting instead.',
        params: meetingIdParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await meetings.leave(callerId(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/:id/participants',
    {
      schema: {
        tags,
        security,
        operationId: 'listParticipants',
        errors: errorCodes('FORBIDDEN', 'NOT_FOUND'),
        summary: 'Participants of a meeting, in joining order (host, current participants, moderators and admins)',
        description: '403 `FORBIDDEN` for someone who left the meeting, 404 for anyone else.',
        params: meetingIdParams,
        querystring: participantsQuery,
        response: { 200: pageOf(participantSchema) },
      },
    },
    async (request) => meetings.participants(caller(request), request.params.id, request.query),
  );

  app.delete(
    '/:id/participants/:userId',
    {
      schema: {
        tags,
        security,
        operationId: 'removeParticipant',
        errors: errorCodes('FORBIDDEN', 'NOT_FOUND'),
        summary: 'Remove a participant (its host, moderators and admins)',
        description:
          'The participant is out at once (their event streams end with `removed`; others receive `participant.removed`) and ' +
          'cannot join again: 403 `REMOVED_FROM_MEETING`. Removing twice is not an error; the host cannot be removed (403). ' +
          '403 for another participant, 404 for anyone else or a user who never took part.',
        params: participantParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await meetings.removeParticipant(caller(request), request.params.id, request.params.userId);
      return reply.code(204).send(null);
    },
  );
}

/** The live event stream of one meeting. */
function eventRoutes(app: HttpApp, opts: MeetingsRoutesOptions) {
  const { meetings } = opts;
  app.get(
    '/:id/events',
    {
      schema: {
        tags,
        security,
        operationId: 'streamMeetingEvents',
        errors: errorCodes('FORBIDDEN', 'NOT_FOUND'),
        summary: 'Live events of a meeting (Server-Sent Events)',
        description: eventsDescription,
        params: meetingIdParams,
        produces: ['text/event-stream'],
        response: { 200: meetingStreamEventSchema },
      },
    },
    async (request, reply) => {
      const auth = request.auth;
      if (!auth) throw new AppError('UNAUTHENTICATED');
      const { userId, sessionId, expiresAt, issuedAt } = auth;
      const meetingId = request.params.id;
      await meetings.forCurrentMember(meetingId, userId);
      const release = await opts.slots.acquire(userId);
      if (release === undefined) {
        throw new AppError('RATE_LIMITED', {
          detail: `At most ${opts.maxStreamsPerUser} open event streams per user`,
          retryAfter: opts.slots.retryAfterSec,
        });
      }
      return streamMeetingEvents(reply, {
        events: opts.events,
        registry: opts.streams,
        meetingId,
        viewer: { userId, sessionId, expiresAt, issuedAt },
        heartbeat: opts.heartbeat,
        isRevoked: () => opts.isRevoked({ sub: userId, sid: sessionId, exp: expiresAt, iat: issuedAt }),
        // Gone (deleted, or this user's participation gone) → null; a database error is not "gone".
        currentState: () =>
          meetings.forMember(meetingId, userId).then(
            ({ meeting, participation }) => ({ status: meeting.status, endedAt: meeting.endedAt, present: participation.leftAt === null }),
            (error: unknown) => {
              if (error instanceof AppError && error.code === 'NOT_FOUND') return null;
              throw error;
            },
          ),
        onEnd: release,
      });
    },
  );
}

export function meetingsRoutes(opts: MeetingsRoutesOptions) {
  return async function routes(app: HttpApp) {
    // Authentication first, so an anonymous caller learns nothing from validation errors.
    app.addHook('onRequest', app.authenticate);
    lifecycleRoutes(app, opts.meetings);
    participationRoutes(app, opts.meetings);
    eventRoutes(app, opts);
  };
}
