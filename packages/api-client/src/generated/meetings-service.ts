// Generated from services/meetings-service/openapi.json by `pnpm --filter @authmeet/api-client generate`.
// Do not edit: change the service, write its document again, and regenerate.

export interface paths {
    "/v1/meetings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's meetings, newest first
         * @description `role=host`: meetings the caller hosts, by creation time. `role=participant`: meetings the caller joined as a participant; `role=any` (default): both, by the time the caller joined (for a host, its creation). Meetings the caller has left are included.
         */
        get: {
            parameters: {
                query?: {
                    role?: "host" | "participant" | "any";
                    status?: "scheduled" | "active" | "ended";
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["Meeting"][];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create a meeting
         * @description The caller becomes its host and first participant. With `scheduledFor` in the future the meeting is `scheduled` (it becomes `active` with the first join at or after that time); without it, or with a time already passed, it is `active` at once with `startedAt` = now. `maxParticipants` (2–1000, default 100) counts the host.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateMeetingInput"];
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Meeting"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One meeting (its host, present or past participants, moderators and admins; 404 for anyone else) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Meeting"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /**
         * Delete a meeting (its host and admins)
         * @description Open event streams receive `meeting.ended` and close. 403 for another participant (and moderators who take part), 404 for anyone else. A caller whose account has MFA on needs a token from an `aal2` login (second factor or passkey) within the last 10 minutes: otherwise 403 `STEP_UP_REQUIRED` (with `acrValues` and `maxAge` members); log in again with the second factor and retry.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{id}/end": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End a meeting (its host, moderators and admins)
         * @description Ending an ended meeting answers it again. 403 for another participant, 404 for anyone else.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Meeting"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/join": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Join a meeting by its code
         * @description Idempotent: joining a meeting one is in returns the same participation; someone who left joins again, someone removed does not (403 `REMOVED_FROM_MEETING`). 409 `MEETING_ENDED` for an ended meeting, 409 `MEETING_FULL` when `participantCount` reached `maxParticipants`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["JoinMeetingInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["JoinResult"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{id}/leave": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Leave a meeting
         * @description Leaving twice is not an error. The host cannot leave (409 `HOST_CANNOT_LEAVE`): end or delete the meeting instead.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{id}/participants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Participants of a meeting, in joining order (host, current participants, moderators and admins)
         * @description 403 `FORBIDDEN` for someone who left the meeting, 404 for anyone else.
         */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["Participant"][];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{id}/participants/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a participant (its host, moderators and admins)
         * @description The participant is out at once (their event streams end with `removed`; others receive `participant.removed`) and cannot join again: 403 `REMOVED_FROM_MEETING`. Removing twice is not an error; the host cannot be removed (403). 403 for another participant, 404 for anyone else or a user who never took part.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live events of a meeting (Server-Sent Events)
         * @description Server-Sent Events (`text/event-stream`) for one meeting, for its host and current participants (403 `FORBIDDEN` for someone who left, 404 for anyone else). Events: `participant.joined` `{ meetingId, participant, participantCount }`, `participant.left` `{ meetingId, userId, leftAt, participantCount }`, `participant.removed` `{ meetingId, userId, removedAt, participantCount }`, `meeting.ended` `{ meetingId, endedAt, reason: "ended" | "deleted" | "host-deleted" }`. The stream ends with a last event `stream.closed` `{ reason }`, then closes: `revoked` within 1 s of its session being revoked (logout, logout-all, password reset, account deletion), `expired` at its access token's `exp` (reconnect with a fresh token), `left` / `removed` when its user leaves or is removed, `ended` after `meeting.ended`. A stream closed without `stream.closed` (network, server restart) may be reopened at once. At most `SSE_MAX_STREAMS_PER_USER` (default 10) open streams per user across all replicas: beyond that 429 `RATE_LIMITED` with `Retry-After`. Every event has an `id:`; heartbeats are `: ping` comments. Events reach subscribers on every replica; there is no replay (`Last-Event-ID` is ignored): reload state after reconnecting.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description text/event-stream */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": string;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/internal/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Create or update a user (user sync)
         * @description Idempotent upsert: applied only when `version` is greater than the stored one (`applied: false` otherwise). A deleted user is never revived.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["UserSyncInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SyncApplied"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        post?: never;
        /**
         * A user is gone (user sync)
         * @description Ends every meeting the user hosts (`meeting.ended`), takes them out of the others, and anonymises them; the stored version becomes max(stored, `version`). An unknown id still answers 204 and leaves a tombstone, so a late, stale PUT cannot bring the user back.
         */
        delete: {
            parameters: {
                query?: {
                    version?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description RFC 9457 problem details */
        ProblemInput: {
            type: string;
            title: string;
            status: number;
            code: string;
            detail?: string;
            instance?: string;
            errors?: {
                path: string;
                message: string;
            }[];
        } & {
            [key: string]: unknown;
        };
        ParticipantInput: {
            /** Format: uuid */
            userId: string;
            username: string;
            firstName: string | null;
            lastName: string | null;
            avatarUrl: string | null;
            /** @enum {string} */
            role: "host" | "participant";
            /** Format: date-time */
            joinedAt: string;
            leftAt: string | null;
        };
        UserSyncInput: {
            email: string;
            username: string;
            firstName: string | null;
            lastName: string | null;
            isActive: boolean;
            emailVerified: boolean;
            mfaEnabled?: boolean;
            /** @default [] */
            roles: string[];
            /** @default null */
            avatarUrl: string | null;
            version: number;
        };
        SyncAppliedInput: {
            applied: boolean;
        };
        UserInput: {
            /** Format: uuid */
            id: string;
            email: string;
            username: string;
            firstName: string | null;
            lastName: string | null;
            emailVerified: boolean;
            isActive: boolean;
            mfaEnabled: boolean;
            roles: ("moderator" | "admin")[];
            avatarUrl: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        SyncUserInput: {
            /** Format: uuid */
            id: string;
            email: string;
            username: string;
            firstName: string | null;
            lastName: string | null;
            emailVerified: boolean;
            isActive: boolean;
            mfaEnabled: boolean;
            roles: ("moderator" | "admin")[];
            avatarUrl: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            version: number;
            deleted: boolean;
        };
        TotpSetupInput: {
            /** @description Base32, for typing into an app that cannot scan */
            secret: string;
            otpauthUrl: string;
            /** @description The otpauth URL as a QR code, an SVG document */
            qrSvg: string;
        };
        RecoveryCodesInput: {
            /** @description Shown once: only hashes are kept */
            recoveryCodes: string[];
        };
        MfaChallengeInput: {
            /** @constant */
            mfaRequired: true;
            /** @description Single use, 5 minutes, dies after 5 wrong codes */
            mfaToken: string;
            methods: ("totp" | "recovery_code")[];
        };
        /** @description The request was taken; any mail it causes is sent in the background. */
        AcceptedInput: {
            /** @constant */
            status: "accepted";
        };
        AdminUserDetailInput: {
            user: components["schemas"]["UserInput"];
            sessions: {
                id: string;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                lastUsedAt: string;
                /** Format: date-time */
                expiresAt: string;
                ip: string;
                userAgent: string;
            }[];
            identities: {
                provider: string;
                email: string | null;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                lastLoginAt: string;
            }[];
            mfa: {
                totp: boolean;
                passkeys: {
                    id: string;
                    name: string;
                    /** Format: date-time */
                    createdAt: string;
                    lastUsedAt: string | null;
                }[];
            };
        };
        AuditEventInput: {
            /** @description Position in the chain (a decimal integer) */
            id: string;
            /** Format: date-time */
            at: string;
            /** @enum {string} */
            type: "user.registered" | "user.login.succeeded" | "user.login.failed" | "user.logout" | "user.logout_all" | "session.revoked" | "session.refresh_reused" | "user.email_verified" | "user.password_changed" | "user.password_reset" | "user.oauth_linked" | "user.mfa_enabled" | "user.mfa_disabled" | "user.recovery_codes_regenerated" | "user.passkey_added" | "user.passkey_removed" | "user.passkey_renamed" | "user.deleted" | "admin.user_disabled" | "admin.user_enabled" | "admin.roles_changed" | "admin.sessions_revoked" | "admin.mfa_reset" | "audit.pruned";
            /** @enum {string} */
            outcome: "success" | "failure";
            actorId: string | null;
            /** @enum {string} */
            actorType: "user" | "admin" | "system";
            targetId: string | null;
            ip: string | null;
            userAgent: string | null;
            requestId: string | null;
            details: {
                [key: string]: unknown;
            };
        };
        TokensInput: {
            accessToken: string;
            refreshToken: string;
            /** @constant */
            tokenType: "Bearer";
            expiresIn: number;
            refreshExpiresIn: number;
            user: components["schemas"]["UserInput"];
            /** Format: uuid */
            sessionId: string;
        };
        SessionInput: {
            /** Format: uuid */
            id: string;
            current: boolean;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            lastUsedAt: string;
            /** Format: date-time */
            expiresAt: string;
            ip: string;
            userAgent: string;
        };
        AccessTokenClaimsInput: {
            iss: string;
            aud: string | string[];
            sub: string;
            /** @description RFC 9068: the client the token was issued to */
            client_id: string;
            sid: string;
            jti: string;
            iat: number;
            exp: number;
            email: string;
            username: string;
            /** @description RFC 8176: pwd, otp, mfa, fed, hwk */
            readonly amr: string[];
            /** @enum {string} */
            acr: "aal1" | "aal2";
            /** @description When the user last authenticated (kept across refreshes) */
            auth_time: number;
        };
        JwksInput: {
            keys: {
                kty: string;
                crv: string;
                x: string;
                kid: string;
                alg: string;
                use: string;
            }[];
        };
        PasskeyInput: {
            /** Format: uuid */
            id: string;
            name: string;
            /** Format: date-time */
            createdAt: string;
            lastUsedAt: string | null;
        };
        PasskeyCreationOptionsInput: {
            [key: string]: unknown;
        };
        PasskeyLoginOptionsInput: {
            /** Format: uuid */
            challengeId: string;
            options: {
                [key: string]: unknown;
            };
        };
        MeetingInput: {
            /** Format: uuid */
            id: string;
            /** @example abc-defg-hij */
            code: string;
            title: string;
            description: string | null;
            /** Format: uuid */
            hostId: string;
            /** @enum {string} */
            status: "scheduled" | "active" | "ended";
            scheduledFor: string | null;
            startedAt: string | null;
            endedAt: string | null;
            maxParticipants: number;
            /** @description People in the meeting now (left_at unset), host included */
            participantCount: number;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        CreateMeetingInput: {
            title: string & (unknown & unknown);
            description?: (string & (unknown & unknown)) | null;
            /** Format: date-time */
            scheduledFor?: string;
            maxParticipants?: number;
        };
        JoinMeetingInput: {
            code: string;
        };
        JoinResultInput: {
            meeting: components["schemas"]["MeetingInput"];
            participant: components["schemas"]["ParticipantInput"];
        };
        /** @description RFC 9457 problem details */
        Problem: {
            type: string;
            title: string;
            status: number;
            /** @enum {string} */
            code: "VALIDATION_FAILED" | "MALFORMED_REQUEST" | "UNAUTHENTICATED" | "TOKEN_EXPIRED" | "TOKEN_INVALID" | "TOKEN_REVOKED" | "FORBIDDEN" | "ACCOUNT_DISABLED" | "STEP_UP_REQUIRED" | "NOT_FOUND" | "METHOD_NOT_ALLOWED" | "NOT_ACCEPTABLE" | "REQUEST_TIMEOUT" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE" | "REQUEST_HEADERS_TOO_LARGE" | "RATE_LIMITED" | "INTERNAL_ERROR" | "DEPENDENCY_UNAVAILABLE" | "REMOVED_FROM_MEETING" | "MEETING_ENDED" | "MEETING_FULL" | "HOST_CANNOT_LEAVE";
            detail?: string;
            instance?: string;
            errors?: {
                path: string;
                message: string;
            }[];
        } & {
            [key: string]: unknown;
        };
        Participant: {
            /** Format: uuid */
            userId: string;
            username: string;
            firstName: string | null;
            lastName: string | null;
            avatarUrl: string | null;
            /** @enum {string} */
            role: "host" | "participant";
            /** Format: date-time */
            joinedAt: string;
            leftAt: string | null;
        };
        UserSync: {
            email: string;
            username: string;
            firstName: string | null;
            lastName: string | null;
            isActive: boolean;
            emailVerified: boolean;
            mfaEnabled?: boolean;
            roles: unknown;
            /** @default null */
            avatarUrl: string | null;
            version: number;
        };
        SyncApplied: {
            applied: boolean;
        };
        User: {
            /** Format: uuid */
            id: string;
            email: string;
            username: string;
            firstName: string | null;
            lastName: string | null;
            emailVerified: boolean;
            isActive: boolean;
            mfaEnabled: boolean;
            roles: ("moderator" | "admin")[];
            avatarUrl: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        SyncUser: {
            /** Format: uuid */
            id: string;
            email: string;
            username: string;
            firstName: string | null;
            lastName: string | null;
            emailVerified: boolean;
            isActive: boolean;
            mfaEnabled: boolean;
            roles: ("moderator" | "admin")[];
            avatarUrl: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            version: number;
            deleted: boolean;
        };
        TotpSetup: {
            /** @description Base32, for typing into an app that cannot scan */
            secret: string;
            otpauthUrl: string;
            /** @description The otpauth URL as a QR code, an SVG document */
            qrSvg: string;
        };
        RecoveryCodes: {
            /** @description Shown once: only hashes are kept */
            recoveryCodes: string[];
        };
        MfaChallenge: {
            /** @constant */
            mfaRequired: true;
            /** @description Single use, 5 minutes, dies after 5 wrong codes */
            mfaToken: string;
            methods: ("totp" | "recovery_code")[];
        };
        /** @description The request was taken; any mail it causes is sent in the background. */
        Accepted: {
            /** @constant */
            status: "accepted";
        };
        AdminUserDetail: {
            user: components["schemas"]["User"];
            sessions: {
                id: string;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                lastUsedAt: string;
                /** Format: date-time */
                expiresAt: string;
                ip: string;
                userAgent: string;
            }[];
            identities: {
                provider: string;
                email: string | null;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                lastLoginAt: string;
            }[];
            mfa: {
                totp: boolean;
                passkeys: {
                    id: string;
                    name: string;
                    /** Format: date-time */
                    createdAt: string;
                    lastUsedAt: string | null;
                }[];
            };
        };
        AuditEvent: {
            /** @description Position in the chain (a decimal integer) */
            id: string;
            /** Format: date-time */
            at: string;
            /** @enum {string} */
            type: "user.registered" | "user.login.succeeded" | "user.login.failed" | "user.logout" | "user.logout_all" | "session.revoked" | "session.refresh_reused" | "user.email_verified" | "user.password_changed" | "user.password_reset" | "user.oauth_linked" | "user.mfa_enabled" | "user.mfa_disabled" | "user.recovery_codes_regenerated" | "user.passkey_added" | "user.passkey_removed" | "user.passkey_renamed" | "user.deleted" | "admin.user_disabled" | "admin.user_enabled" | "admin.roles_changed" | "admin.sessions_revoked" | "admin.mfa_reset" | "audit.pruned";
            /** @enum {string} */
            outcome: "success" | "failure";
            actorId: string | null;
            /** @enum {string} */
            actorType: "user" | "admin" | "system";
            targetId: string | null;
            ip: string | null;
            userAgent: string | null;
            requestId: string | null;
            details: {
                [key: string]: unknown;
            };
        };
        Tokens: {
            accessToken: string;
            refreshToken: string;
            /** @constant */
            tokenType: "Bearer";
            expiresIn: number;
            refreshExpiresIn: number;
            user: components["schemas"]["User"];
            /** Format: uuid */
            sessionId: string;
        };
        Session: {
            /** Format: uuid */
            id: string;
            current: boolean;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            lastUsedAt: string;
            /** Format: date-time */
            expiresAt: string;
            ip: string;
            userAgent: string;
        };
        AccessTokenClaims: {
            iss: string;
            aud: string | string[];
            sub: string;
            /** @description RFC 9068: the client the token was issued to */
            client_id: string;
            sid: string;
            jti: string;
            iat: number;
            exp: number;
            email: string;
            username: string;
            /** @description RFC 8176: pwd, otp, mfa, fed, hwk */
            readonly amr: string[];
            /** @enum {string} */
            acr: "aal1" | "aal2";
            /** @description When the user last authenticated (kept across refreshes) */
            auth_time: number;
        };
        Jwks: {
            keys: {
                kty: string;
                crv: string;
                x: string;
                kid: string;
                alg: string;
                use: string;
            }[];
        };
        Passkey: {
            /** Format: uuid */
            id: string;
            name: string;
            /** Format: date-time */
            createdAt: string;
            lastUsedAt: string | null;
        };
        PasskeyCreationOptions: {
            [key: string]: unknown;
        };
        PasskeyLoginOptions: {
            /** Format: uuid */
            challengeId: string;
            options: {
                [key: string]: unknown;
            };
        };
        Meeting: {
            /** Format: uuid */
            id: string;
            /** @example abc-defg-hij */
            code: string;
            title: string;
            description: string | null;
            /** Format: uuid */
            hostId: string;
            /** @enum {string} */
            status: "scheduled" | "active" | "ended";
            scheduledFor: string | null;
            startedAt: string | null;
            endedAt: string | null;
            maxParticipants: number;
            /** @description People in the meeting now (left_at unset), host included */
            participantCount: number;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        CreateMeeting: {
            title: string & (unknown & unknown);
            description?: (string & (unknown & unknown)) | null;
            /** Format: date-time */
            scheduledFor?: string;
            maxParticipants?: number;
        };
        JoinMeeting: {
            code: string;
        };
        JoinResult: {
            meeting: components["schemas"]["Meeting"];
            participant: components["schemas"]["Participant"];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
