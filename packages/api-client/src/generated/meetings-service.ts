// Generated from services/meetings-service/openapi.json by `pnpm --filter @authmeet/api-client generate`.
// Do not edit: change the service, write its document again, and regenerate.

export interface paths {
    "/internal/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Create or update many users at once (user sync, batch)
         * @description Up to 500 users in one request, each applied exactly as its own `PUT /internal/v1/users/{id}` would be: only when its `version` is greater than the stored one, never reviving a deleted user. Idempotent per user and version, so a batch sent twice (or overlapping another) changes nothing the second time. A user named twice counts once, with its highest version. The answer lists each user once, in the order first named, with `applied`. Deletions are not batched (`DELETE /internal/v1/users/{id}`).
         */
        put: operations["syncUsers"];
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
        put: operations["syncUser"];
        post?: never;
        /**
         * A user is gone (user sync)
         * @description Ends every meeting the user hosts (`meeting.ended`), takes them out of the others, and anonymises them; the stored version becomes max(stored, `version`). An unknown id still answers 204 and leaves a tombstone, so a late, stale PUT cannot bring the user back.
         */
        delete: operations["removeSyncedUser"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
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
        get: operations["listMeetings"];
        put?: never;
        /**
         * Create a meeting
         * @description The caller becomes its host and first participant. With `scheduledFor` in the future the meeting is `scheduled` (it becomes `active` with the first join at or after that time); without it, or with a time already passed, it is `active` at once with `startedAt` = now. `maxParticipants` (2–1000, default 100) counts the host.
         */
        post: operations["createMeeting"];
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
        post: operations["joinMeeting"];
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
        get: operations["getMeeting"];
        put?: never;
        post?: never;
        /**
         * Delete a meeting (its host and admins)
         * @description Open event streams receive `meeting.ended` and close. 403 for another participant (and moderators who take part), 404 for anyone else. A caller whose account has MFA on needs a token from an `aal2` login (second factor or passkey) within the last 10 minutes: otherwise 403 `STEP_UP_REQUIRED` (with `acrValues` and `maxAge` members); log in again with the second factor and retry.
         */
        delete: operations["deleteMeeting"];
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
        post: operations["endMeeting"];
        delete?: never;
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
        get: operations["streamMeetingEvents"];
        put?: never;
        post?: never;
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
        post: operations["leaveMeeting"];
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
        get: operations["listParticipants"];
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
        delete: operations["removeParticipant"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        CreateMeetingInput: {
            description?: string | null;
            maxParticipants?: number;
            /** Format: date-time */
            scheduledFor?: string;
            title: string;
        };
        JoinMeetingInput: {
            /** @example tzn-cihh-vdj */
            code: string;
        };
        JoinResult: {
            meeting: components["schemas"]["Meeting"];
            participant: components["schemas"]["Participant"];
        };
        Meeting: {
            /** @example abc-defg-hij */
            code: string;
            /** Format: date-time */
            createdAt: string;
            description: string | null;
            endedAt: string | null;
            /** Format: uuid */
            hostId: string;
            /** Format: uuid */
            id: string;
            maxParticipants: number;
            /** @description People in the meeting now (left_at unset), host included */
            participantCount: number;
            scheduledFor: string | null;
            startedAt: string | null;
            /** @enum {string} */
            status: "scheduled" | "active" | "ended";
            title: string;
            /** Format: date-time */
            updatedAt: string;
        };
        MeetingEndedData: {
            /** Format: date-time */
            endedAt: string;
            /** Format: uuid */
            meetingId: string;
            /** @enum {string} */
            reason: "ended" | "deleted" | "host-deleted";
        };
        MeetingEndedEvent: {
            data: components["schemas"]["MeetingEndedData"];
            /**
             * @description The SSE `event:` field
             * @constant
             */
            event: "meeting.ended";
            /** @description The SSE `id:` field */
            id: string;
        };
        /** @description One Server-Sent Event of the stream (the body is `text/event-stream`: a sequence of these, each as `event:`, `id:` and `data:` lines). `stream.closed` is always the last. */
        MeetingStreamEvent: components["schemas"]["ParticipantJoinedEvent"] | components["schemas"]["ParticipantLeftEvent"] | components["schemas"]["ParticipantRemovedEvent"] | components["schemas"]["MeetingEndedEvent"] | components["schemas"]["StreamClosedEvent"];
        Participant: {
            avatarUrl: string | null;
            firstName: string | null;
            /** Format: date-time */
            joinedAt: string;
            lastName: string | null;
            leftAt: string | null;
            /** @enum {string} */
            role: "host" | "participant";
            /** Format: uuid */
            userId: string;
            username: string;
        };
        ParticipantJoinedData: {
            /** Format: uuid */
            meetingId: string;
            participant: components["schemas"]["Participant"];
            /** @description Participants present after the change */
            participantCount: number;
        };
        ParticipantJoinedEvent: {
            data: components["schemas"]["ParticipantJoinedData"];
            /**
             * @description The SSE `event:` field
             * @constant
             */
            event: "participant.joined";
            /** @description The SSE `id:` field */
            id: string;
        };
        ParticipantLeftData: {
            /** Format: date-time */
            leftAt: string;
            /** Format: uuid */
            meetingId: string;
            /** @description Participants present after the change */
            participantCount: number;
            /** Format: uuid */
            userId: string;
        };
        ParticipantLeftEvent: {
            data: components["schemas"]["ParticipantLeftData"];
            /**
             * @description The SSE `event:` field
             * @constant
             */
            event: "participant.left";
            /** @description The SSE `id:` field */
            id: string;
        };
        ParticipantRemovedData: {
            /** Format: uuid */
            meetingId: string;
            /** @description Participants present after the change */
            participantCount: number;
            /** Format: date-time */
            removedAt: string;
            /** Format: uuid */
            userId: string;
        };
        ParticipantRemovedEvent: {
            data: components["schemas"]["ParticipantRemovedData"];
            /**
             * @description The SSE `event:` field
             * @constant
             */
            event: "participant.removed";
            /** @description The SSE `id:` field */
            id: string;
        };
        /** @description RFC 9457 problem details */
        Problem: {
            /** @enum {string} */
            code: "VALIDATION_FAILED" | "MALFORMED_REQUEST" | "UNAUTHENTICATED" | "TOKEN_EXPIRED" | "TOKEN_INVALID" | "TOKEN_REVOKED" | "FORBIDDEN" | "ACCOUNT_DISABLED" | "STEP_UP_REQUIRED" | "NOT_FOUND" | "METHOD_NOT_ALLOWED" | "NOT_ACCEPTABLE" | "REQUEST_TIMEOUT" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE" | "REQUEST_HEADERS_TOO_LARGE" | "RATE_LIMITED" | "INTERNAL_ERROR" | "DEPENDENCY_UNAVAILABLE" | "REMOVED_FROM_MEETING" | "MEETING_ENDED" | "MEETING_FULL" | "HOST_CANNOT_LEAVE";
            detail?: string;
            errors?: {
                message: string;
                path: string;
            }[];
            instance?: string;
            status: number;
            title: string;
            type: string;
        } & {
            [key: string]: unknown;
        };
        StreamClosedData: {
            /**
             * @description `revoked`: the session was revoked; `expired`: the access token expired (reconnect with a fresh one); `left` / `removed`: the user left or was removed; `ended`: the meeting ended
             * @enum {string}
             */
            reason: "revoked" | "expired" | "left" | "removed" | "ended";
        };
        StreamClosedEvent: {
            data: components["schemas"]["StreamClosedData"];
            /**
             * @description The SSE `event:` field
             * @constant
             */
            event: "stream.closed";
            /** @description The SSE `id:` field */
            id: string;
        };
        SyncApplied: {
            applied: boolean;
        };
        SyncBatchApplied: {
            results: {
                applied: boolean;
                /** Format: uuid */
                id: string;
            }[];
        };
        UserSyncBatchInput: {
            users: components["schemas"]["UserSyncBatchItemInput"][];
        };
        UserSyncBatchItemInput: {
            /** @default null */
            avatarUrl: string | null;
            email: string;
            emailVerified: boolean;
            firstName: string | null;
            /** Format: uuid */
            id: string;
            isActive: boolean;
            lastName: string | null;
            mfaEnabled?: boolean;
            /** @default [] */
            roles: string[];
            username: string;
            version: number;
        };
        UserSyncInput: {
            /** @default null */
            avatarUrl: string | null;
            email: string;
            emailVerified: boolean;
            firstName: string | null;
            isActive: boolean;
            lastName: string | null;
            mfaEnabled?: boolean;
            /** @default [] */
            roles: string[];
            username: string;
            version: number;
        };
    };
    responses: {
        /** @description Bad Request: `MALFORMED_REQUEST`, `VALIDATION_FAILED` */
        Problem400_MALFORMED_REQUEST_VALIDATION_FAILED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "MALFORMED_REQUEST" | "VALIDATION_FAILED";
                };
            };
        };
        /** @description Bad Request: `VALIDATION_FAILED` */
        Problem400_VALIDATION_FAILED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "VALIDATION_FAILED";
                };
            };
        };
        /** @description Unauthorized: `TOKEN_EXPIRED`, `TOKEN_INVALID`, `TOKEN_REVOKED`, `UNAUTHENTICATED` */
        Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED: {
            headers: {
                /** @description The Bearer challenge (RFC 6750) */
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "TOKEN_EXPIRED" | "TOKEN_INVALID" | "TOKEN_REVOKED" | "UNAUTHENTICATED";
                };
            };
        };
        /** @description Unauthorized: `UNAUTHENTICATED` */
        Problem401_UNAUTHENTICATED: {
            headers: {
                /** @description The Bearer challenge (RFC 6750) */
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "UNAUTHENTICATED";
                };
            };
        };
        /** @description Forbidden: `ACCOUNT_DISABLED` */
        Problem403_ACCOUNT_DISABLED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "ACCOUNT_DISABLED";
                };
            };
        };
        /** @description Forbidden: `ACCOUNT_DISABLED`, `FORBIDDEN` */
        Problem403_ACCOUNT_DISABLED_FORBIDDEN: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "ACCOUNT_DISABLED" | "FORBIDDEN";
                };
            };
        };
        /** @description Forbidden: `ACCOUNT_DISABLED`, `FORBIDDEN`, `STEP_UP_REQUIRED` */
        Problem403_ACCOUNT_DISABLED_FORBIDDEN_STEP_UP_REQUIRED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "ACCOUNT_DISABLED" | "FORBIDDEN" | "STEP_UP_REQUIRED";
                };
            };
        };
        /** @description Forbidden: `ACCOUNT_DISABLED`, `REMOVED_FROM_MEETING` */
        Problem403_ACCOUNT_DISABLED_REMOVED_FROM_MEETING: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "ACCOUNT_DISABLED" | "REMOVED_FROM_MEETING";
                };
            };
        };
        /** @description Not Found: `NOT_FOUND` */
        Problem404_NOT_FOUND: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "NOT_FOUND";
                };
            };
        };
        /** @description Conflict: `HOST_CANNOT_LEAVE` */
        Problem409_HOST_CANNOT_LEAVE: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "HOST_CANNOT_LEAVE";
                };
            };
        };
        /** @description Conflict: `MEETING_ENDED`, `MEETING_FULL` */
        Problem409_MEETING_ENDED_MEETING_FULL: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "MEETING_ENDED" | "MEETING_FULL";
                };
            };
        };
        /** @description Payload Too Large: `PAYLOAD_TOO_LARGE` */
        Problem413_PAYLOAD_TOO_LARGE: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "PAYLOAD_TOO_LARGE";
                };
            };
        };
        /** @description Unsupported Media Type: `UNSUPPORTED_MEDIA_TYPE` */
        Problem415_UNSUPPORTED_MEDIA_TYPE: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "UNSUPPORTED_MEDIA_TYPE";
                };
            };
        };
        /** @description Too Many Requests: `RATE_LIMITED` */
        Problem429_RATE_LIMITED: {
            headers: {
                /** @description Seconds to wait before retrying */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "RATE_LIMITED";
                };
            };
        };
        /** @description Internal Server Error: `INTERNAL_ERROR` */
        Problem500_INTERNAL_ERROR: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "INTERNAL_ERROR";
                };
            };
        };
        /** @description Service Unavailable: `DEPENDENCY_UNAVAILABLE` */
        Problem503_DEPENDENCY_UNAVAILABLE: {
            headers: {
                /** @description Seconds to wait before retrying */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "DEPENDENCY_UNAVAILABLE";
                };
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    syncUsers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "users": [
                 *         {
                 *           "avatarUrl": null,
                 *           "email": "ada@example.com",
                 *           "emailVerified": true,
                 *           "firstName": "Ada",
                 *           "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                 *           "isActive": true,
                 *           "lastName": "Lovelace",
                 *           "mfaEnabled": true,
                 *           "roles": [],
                 *           "username": "ada",
                 *           "version": 1
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["UserSyncBatchInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "results": [
                     *         {
                     *           "applied": true,
                     *           "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["SyncBatchApplied"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_UNAUTHENTICATED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    syncUser: {
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
                /**
                 * @example {
                 *       "avatarUrl": null,
                 *       "email": "ada@example.com",
                 *       "emailVerified": true,
                 *       "firstName": "Ada",
                 *       "isActive": true,
                 *       "lastName": "Lovelace",
                 *       "mfaEnabled": true,
                 *       "roles": [],
                 *       "username": "ada",
                 *       "version": 1
                 *     }
                 */
                "application/json": components["schemas"]["UserSyncInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "applied": true
                     *     }
                     */
                    "application/json": components["schemas"]["SyncApplied"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_UNAUTHENTICATED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    removeSyncedUser: {
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
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_UNAUTHENTICATED"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    listMeetings: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "code": "abc-defg-hij",
                     *           "createdAt": "2026-03-14T09:30:00.000Z",
                     *           "description": "Weekly review of the designs",
                     *           "endedAt": "2026-03-14T09:30:00.000Z",
                     *           "hostId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *           "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *           "maxParticipants": 100,
                     *           "participantCount": 2,
                     *           "scheduledFor": "2026-03-14T09:30:00.000Z",
                     *           "startedAt": "2026-03-14T09:30:00.000Z",
                     *           "status": "scheduled",
                     *           "title": "Design review",
                     *           "updatedAt": "2026-03-14T09:30:00.000Z"
                     *         }
                     *       ],
                     *       "nextCursor": "text"
                     *     }
                     */
                    "application/json": {
                        items: components["schemas"]["Meeting"][];
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    createMeeting: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "description": "Weekly review of the designs",
                 *       "maxParticipants": 100,
                 *       "scheduledFor": "2026-03-14T09:30:00.000Z",
                 *       "title": "Design review"
                 *     }
                 */
                "application/json": components["schemas"]["CreateMeetingInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": "abc-defg-hij",
                     *       "createdAt": "2026-03-14T09:30:00.000Z",
                     *       "description": "Weekly review of the designs",
                     *       "endedAt": "2026-03-14T09:30:00.000Z",
                     *       "hostId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "maxParticipants": 100,
                     *       "participantCount": 2,
                     *       "scheduledFor": "2026-03-14T09:30:00.000Z",
                     *       "startedAt": "2026-03-14T09:30:00.000Z",
                     *       "status": "scheduled",
                     *       "title": "Design review",
                     *       "updatedAt": "2026-03-14T09:30:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Meeting"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    joinMeeting: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "code": "tzn-cihh-vdj"
                 *     }
                 */
                "application/json": components["schemas"]["JoinMeetingInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "meeting": {
                     *         "code": "abc-defg-hij",
                     *         "createdAt": "2026-03-14T09:30:00.000Z",
                     *         "description": "Weekly review of the designs",
                     *         "endedAt": "2026-03-14T09:30:00.000Z",
                     *         "hostId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *         "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *         "maxParticipants": 100,
                     *         "participantCount": 2,
                     *         "scheduledFor": "2026-03-14T09:30:00.000Z",
                     *         "startedAt": "2026-03-14T09:30:00.000Z",
                     *         "status": "scheduled",
                     *         "title": "Design review",
                     *         "updatedAt": "2026-03-14T09:30:00.000Z"
                     *       },
                     *       "participant": {
                     *         "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *         "firstName": "Ada",
                     *         "joinedAt": "2026-03-14T09:30:00.000Z",
                     *         "lastName": "Lovelace",
                     *         "leftAt": "2026-03-14T09:30:00.000Z",
                     *         "role": "host",
                     *         "userId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *         "username": "ada"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["JoinResult"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED_REMOVED_FROM_MEETING"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            409: components["responses"]["Problem409_MEETING_ENDED_MEETING_FULL"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    getMeeting: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": "abc-defg-hij",
                     *       "createdAt": "2026-03-14T09:30:00.000Z",
                     *       "description": "Weekly review of the designs",
                     *       "endedAt": "2026-03-14T09:30:00.000Z",
                     *       "hostId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "maxParticipants": 100,
                     *       "participantCount": 2,
                     *       "scheduledFor": "2026-03-14T09:30:00.000Z",
                     *       "startedAt": "2026-03-14T09:30:00.000Z",
                     *       "status": "scheduled",
                     *       "title": "Design review",
                     *       "updatedAt": "2026-03-14T09:30:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Meeting"];
                };
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    deleteMeeting: {
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
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED_FORBIDDEN_STEP_UP_REQUIRED"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    endMeeting: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": "abc-defg-hij",
                     *       "createdAt": "2026-03-14T09:30:00.000Z",
                     *       "description": "Weekly review of the designs",
                     *       "endedAt": "2026-03-14T09:30:00.000Z",
                     *       "hostId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "maxParticipants": 100,
                     *       "participantCount": 2,
                     *       "scheduledFor": "2026-03-14T09:30:00.000Z",
                     *       "startedAt": "2026-03-14T09:30:00.000Z",
                     *       "status": "scheduled",
                     *       "title": "Design review",
                     *       "updatedAt": "2026-03-14T09:30:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Meeting"];
                };
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED_FORBIDDEN"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    streamMeetingEvents: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "data": {
                     *         "meetingId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *         "participant": {
                     *           "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *           "firstName": "Ada",
                     *           "joinedAt": "2026-03-14T09:30:00.000Z",
                     *           "lastName": "Lovelace",
                     *           "leftAt": "2026-03-14T09:30:00.000Z",
                     *           "role": "host",
                     *           "userId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *           "username": "ada"
                     *         },
                     *         "participantCount": 2
                     *       },
                     *       "event": "participant.joined",
                     *       "id": "text"
                     *     }
                     */
                    "text/event-stream": components["schemas"]["MeetingStreamEvent"];
                };
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED_FORBIDDEN"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    leaveMeeting: {
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
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            409: components["responses"]["Problem409_HOST_CANNOT_LEAVE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    listParticipants: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *           "firstName": "Ada",
                     *           "joinedAt": "2026-03-14T09:30:00.000Z",
                     *           "lastName": "Lovelace",
                     *           "leftAt": "2026-03-14T09:30:00.000Z",
                     *           "role": "host",
                     *           "userId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *           "username": "ada"
                     *         }
                     *       ],
                     *       "nextCursor": "text"
                     *     }
                     */
                    "application/json": {
                        items: components["schemas"]["Participant"][];
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED_FORBIDDEN"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    removeParticipant: {
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
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED_FORBIDDEN"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
}
