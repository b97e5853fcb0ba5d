// Generated from services/auth-service/openapi.json by `pnpm --filter @authmeet/api-client generate`.
// Do not edit: change the service, write its document again, and regenerate.

export interface paths {
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public signing keys */
        get: operations["getJwks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/internal/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Users changed after a time, for reconciliation */
        get: operations["listChangedUsers"];
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
        /** One user, for services */
        get: operations["getInternalUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audit trail, newest first
         * @description Filters combine: `actorId`, `targetId`, `type`, `from` / `to` (inclusive). Admins only: others get 403 `FORBIDDEN`. Event types:
         *
         *     - `user.registered`: An account was created (details: method `password` or `google`).
         *     - `user.login.succeeded`: A sign-in opened a session (details: method, sessionId).
         *     - `user.login.failed`: A sign-in was refused (details: method, reason as an error code, identifier as typed).
         *     - `user.logout`: A session was ended by its user (details: sessionId).
         *     - `user.logout_all`: Every session of the user was ended by the user.
         *     - `session.revoked`: The user revoked one of their sessions (details: sessionId).
         *     - `session.refresh_reused`: A rotated refresh token came back: the session was revoked (details: sessionId).
         *     - `user.email_verified`: The email address was verified.
         *     - `user.password_changed`: The password was changed; other sessions were revoked.
         *     - `user.password_reset`: The password was reset through a mailed link; every session was revoked.
         *     - `user.oauth_linked`: A provider identity was linked to the account (details: provider).
         *     - `user.mfa_enabled`: TOTP was confirmed: multi-factor authentication is on.
         *     - `user.mfa_disabled`: The user turned TOTP off (secret and recovery codes removed).
         *     - `user.recovery_codes_regenerated`: A new set of recovery codes replaced the old one.
         *     - `user.passkey_added`: A passkey was registered (details: passkeyId, name).
         *     - `user.passkey_removed`: A passkey was removed (details: passkeyId).
         *     - `user.passkey_renamed`: A passkey was renamed (details: passkeyId, name).
         *     - `user.deleted`: The account was closed by its owner.
         *     - `admin.user_disabled`: An admin disabled the account; every session was revoked (details: reason).
         *     - `admin.user_enabled`: An admin enabled the account again (details: reason).
         *     - `admin.roles_changed`: The account's roles changed (details: from, to). Actor `system` when the operator command did it.
         *     - `admin.sessions_revoked`: An admin revoked every session of the account (details: count).
         *     - `admin.mfa_reset`: An admin removed the account's second factors.
         *     - `audit.pruned`: Retention removed events older than AUDIT_RETENTION (details: count, anchorId, anchorHash).
         */
        get: operations["listAuditEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search users by email or username prefix
         * @description Case-insensitive prefix of the email or the username (an index range scan), filtered by role and status, in id order. Admins only: others get 403 `FORBIDDEN`.
         */
        get: operations["searchUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One user with their sessions, linked identities and second factors
         * @description Admins only: others get 403 `FORBIDDEN`.
         */
        get: operations["getUserDetail"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Disable a user
         * @description Every session is revoked and every access token of the user is refused at once by both services; login, refresh and Google sign-in answer 403 `ACCOUNT_DISABLED`. Synced to the meetings-service. 409 `LAST_ADMIN` for the last active admin. Admins only: others get 403 `FORBIDDEN`.
         */
        post: operations["disableUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Enable a disabled user again
         * @description Admins only: others get 403 `FORBIDDEN`.
         */
        post: operations["enableUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}/mfa": {
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
         * Reset a user's second factors
         * @description Removes the TOTP secret, the recovery codes and the passkeys and turns MFA off (synced to the meetings-service); the user signs in with the password alone until they set a factor up again. Sessions stay. Admins only: others get 403 `FORBIDDEN`.
         */
        delete: operations["resetUserMfa"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set a user's roles
         * @description Replaces the roles. Access tokens issued before the change are refused at once by both services; the user refreshes and gets the new `roles` claim. 409 `LAST_ADMIN` if no active admin would remain. Admins only: others get 403 `FORBIDDEN`.
         */
        put: operations["setUserRoles"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}/sessions/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke every session of a user
         * @description Admins only: others get 403 `FORBIDDEN`.
         */
        post: operations["revokeUserSessions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/email/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mail a fresh verification link
         * @description Sends nothing when the address is already verified. Limited per address (`RATE_LIMITED`).
         */
        post: operations["resendVerificationEmail"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/email/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Confirm an email address with the token from the verification mail
         * @description The token works once and for EMAIL_VERIFICATION_TTL (24 h). A used, expired or unknown token is `TOKEN_INVALID` (400).
         */
        post: operations["verifyEmail"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Log in with email or username
         * @description A user with MFA on gets `{ mfaRequired, mfaToken, methods }` instead of tokens: finish at POST /v1/auth/mfa/verify (with `"cookie": true` again for cookie mode). With `"cookie": true` (browsers, from an allowed `Origin` only, else 403 `ORIGIN_NOT_ALLOWED`) the refresh token is set as the `am_refresh` cookie (`HttpOnly; Secure; SameSite=Strict; Path=/v1/auth`, `Max-Age` = `refreshExpiresIn`) and is not in the body.
         */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke the current session
         * @description The Bearer token’s session, and the session of the `am_refresh` cookie (cookie mode) when the request carries it from an allowed `Origin`; the cookie is then cleared. Without a Bearer token the cookie alone logs out (403 `ORIGIN_NOT_ALLOWED` from any other origin); a cookie naming no live session is just cleared.
         */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/logout-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke every session of the user
         * @description From an allowed browser origin, also clears the `am_refresh` cookie (cookie mode).
         */
        post: operations["logoutAll"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The current user */
        get: operations["getMe"];
        put?: never;
        post?: never;
        /** Close the account */
        delete: operations["deleteMe"];
        options?: never;
        head?: never;
        /** Update the current user */
        patch: operations["updateMe"];
        trace?: never;
    };
    "/v1/auth/me/activity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's own security events, newest first
         * @description Events whose target is the caller: new sign-ins (and refused ones), logouts, password and email changes, admin actions.
         */
        get: operations["listMyActivity"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/me/avatar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Upload a profile picture
         * @description multipart/form-data with one part `file` of at most AVATAR_MAX_BYTES (default 5 MiB). The image is judged by its content (JPEG, PNG, WebP, GIF or AVIF); it is stored as a JPEG of at most 500×500 with its orientation applied and all metadata (GPS, camera) removed. 415 for a file that is not such an image; 422 `IMAGE_INVALID` for one that cannot be decoded or has more than AVATAR_MAX_PIXELS; 503 when the picture storage is down or too many uploads are in progress. The previous picture is deleted afterwards.
         */
        put: operations["uploadAvatar"];
        post?: never;
        /**
         * Remove the profile picture
         * @description The picture is deleted from the storage in the background (retried until it is gone).
         */
        delete: operations["removeAvatar"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/mfa/recovery-codes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace the recovery codes (needs a current code) */
        post: operations["regenerateRecoveryCodes"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/mfa/totp": {
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
         * Turn MFA off (password and a current code)
         * @description Removes the TOTP secret and the recovery codes. 401 `INVALID_CREDENTIALS` / `MFA_CODE_INVALID`; 409 `MFA_NOT_ENABLED`.
         */
        delete: operations["disableMfa"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/mfa/totp/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Confirm TOTP enrolment with a code: MFA on, 10 recovery codes (shown once)
         * @description 400 `MFA_CODE_INVALID` for a wrong code; 409 `MFA_NOT_ENABLED` without a pending setup, `MFA_ALREADY_ENABLED` when on.
         */
        post: operations["confirmTotpSetup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/mfa/totp/setup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start TOTP enrolment: a new pending secret, its otpauth URL and QR code
         * @description The secret is stored encrypted and stays pending until confirmed. 409 `MFA_ALREADY_ENABLED` while MFA is on.
         */
        post: operations["startTotpSetup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/mfa/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Second step of a login: the mfaToken and a TOTP or recovery code
         * @description Completes a password or Google login that answered `mfaRequired`. 401 `MFA_CODE_INVALID` for a wrong code (it counts on the account's brute-force throttle, and the 5th kills the token), 401 `MFA_TOKEN_INVALID` for an unknown, used, expired or dead token. With `"cookie": true` (browsers, from an allowed `Origin` only, else 403 `ORIGIN_NOT_ALLOWED`) the refresh token is set as the `am_refresh` cookie (`HttpOnly; Secure; SameSite=Strict; Path=/v1/auth`, `Max-Age` = `refreshExpiresIn`) and is not in the body.
         */
        post: operations["verifyMfaLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/oauth/exchange": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Swap the one-time sign-in code for tokens
         * @description The code works once, within 60 s of the redirect; otherwise `TOKEN_INVALID` (400). With `"cookie": true` (browsers, from an allowed `Origin` only, else 403 `ORIGIN_NOT_ALLOWED`) the refresh token is set as the `am_refresh` cookie (`HttpOnly; Secure; SameSite=Strict; Path=/v1/auth`, `Max-Age` = `refreshExpiresIn`) and is not in the body.
         */
        post: operations["exchangeSignInCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/oauth/google/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Google redirects here
         * @description Validates state (and its browser cookie), PKCE, nonce and the ID token, then finds the user by Google subject, links an existing account only when Google asserts `email_verified`, or creates one. Redirects to redirectTo with `?code=` (one-time, 60 s; swap it at POST /v1/auth/oauth/exchange) or `?error=` with one of `TOKEN_INVALID` (state, nonce, code or ID token refused), `FORBIDDEN` (the user declined), `EMAIL_TAKEN` (an account has the address and Google has not verified it: not merged), `ACCOUNT_DISABLED`, `EMAIL_NOT_VERIFIED`, `DEPENDENCY_UNAVAILABLE`. An unknown or used `state` is a 400 problem, since no trusted redirect target is known.
         */
        get: operations["finishGoogleSignIn"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/oauth/google/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Start "Sign in with Google"
         * @description Redirects the browser to Google (authorization code flow with PKCE, `state` and `nonce`) and sets a short-lived cookie that binds the flow to this browser. Open it as a top-level navigation, on the same host as the callback.
         */
        get: operations["startGoogleSignIn"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/passkeys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The user's passkeys */
        get: operations["listPasskeys"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/passkeys/login/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a passkey login
         * @description Without `identifier` any discoverable passkey of this relying party may answer (no username typed).
         */
        post: operations["startPasskeyLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/passkeys/login/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Finish a passkey login: tokens (amr hwk, acr aal2, no second step)
         * @description 401 `PASSKEY_INVALID` for an unknown, used or expired challenge, an unknown passkey, a bad signature or a counter that did not grow. With `"cookie": true` (browsers, from an allowed `Origin` only, else 403 `ORIGIN_NOT_ALLOWED`) the refresh token is set as the `am_refresh` cookie (`HttpOnly; Secure; SameSite=Strict; Path=/v1/auth`, `Max-Age` = `refreshExpiresIn`) and is not in the body.
         */
        post: operations["finishPasskeyLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/passkeys/register/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start registering a passkey: WebAuthn creation options (JSON form)
         * @description Resident key and user verification required. The challenge is single use and lives WEBAUTHN_CHALLENGE_TTL (5 minutes).
         */
        post: operations["startPasskeyRegistration"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/passkeys/register/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Finish registering a passkey
         * @description While MFA is on, `code` (TOTP or recovery code) is required. 400 `PASSKEY_INVALID` for a response that does not verify.
         */
        post: operations["finishPasskeyRegistration"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/passkeys/{id}": {
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
         * Remove a passkey
         * @description While MFA is on, the body needs `code` (TOTP or recovery code).
         */
        delete: operations["removePasskey"];
        options?: never;
        head?: never;
        /** Rename a passkey */
        patch: operations["renamePasskey"];
        trace?: never;
    };
    "/v1/auth/password/change": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Change the password
         * @description Needs the current password, and while MFA is on a current `code` (TOTP or recovery code); every other session of the user is revoked, this one is kept.
         */
        post: operations["changePassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password/forgot": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mail a password reset link
         * @description Always 202, in about the same time, whether or not an account has the address; the mailed link works once and for PASSWORD_RESET_TTL (1 h). Limited per client IP and per address (`RATE_LIMITED`).
         */
        post: operations["forgotPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Set a new password with the token from the reset mail
         * @description Signs the user out of every session. A used, expired or unknown token is `TOKEN_INVALID` (400).
         */
        post: operations["resetPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate a refresh token into a new token pair
         * @description The old refresh token dies and a new pair is issued for the same session. Concurrent refreshes with one token (browser tabs) within REFRESH_REUSE_GRACE (default 10 s) of its rotation all get the same new refresh token; a rotated token presented after that revokes the whole session (REFRESH_TOKEN_REUSED). A 503 leaves the token valid: retry with it. Body `{ refreshToken }`, or `{ "cookie": true }` to use the `am_refresh` cookie (browsers, allowed `Origin` only, else 403 `ORIGIN_NOT_ALLOWED`): the successor is then set in the cookie, not answered; a refusal that ends the session also clears the cookie.
         */
        post: operations["refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an account */
        post: operations["register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The user's live sessions, one per device */
        get: operations["listSessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke one of the user’s own sessions */
        delete: operations["revokeSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/verify-token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Check an access token: signature, expiry, issuer, audience, revocation */
        post: operations["verifyToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description The request was taken; any mail it causes is sent in the background. */
        Accepted: {
            /** @constant */
            status: "accepted";
        };
        AccessTokenClaims: {
            /** @enum {string} */
            acr: "aal1" | "aal2";
            /** @description RFC 8176: pwd, otp, mfa, fed, hwk */
            readonly amr: string[];
            aud: string | string[];
            /** @description When the user last authenticated (kept across refreshes) */
            auth_time: number;
            /** @description RFC 9068: the client the token was issued to */
            client_id: string;
            email: string;
            exp: number;
            iat: number;
            iss: string;
            jti: string;
            sid: string;
            sub: string;
            username: string;
        };
        AdminUserDetail: {
            identities: {
                /** Format: date-time */
                createdAt: string;
                email: string | null;
                /** Format: date-time */
                lastLoginAt: string;
                provider: string;
            }[];
            mfa: {
                passkeys: {
                    /** Format: date-time */
                    createdAt: string;
                    id: string;
                    lastUsedAt: string | null;
                    name: string;
                }[];
                totp: boolean;
            };
            sessions: {
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                expiresAt: string;
                id: string;
                ip: string;
                /** Format: date-time */
                lastUsedAt: string;
                userAgent: string;
            }[];
            user: components["schemas"]["User"];
        };
        AuditEvent: {
            actorId: string | null;
            /** @enum {string} */
            actorType: "user" | "admin" | "system";
            /** Format: date-time */
            at: string;
            details: {
                [key: string]: unknown;
            };
            /** @description Position in the chain (a decimal integer) */
            id: string;
            ip: string | null;
            /** @enum {string} */
            outcome: "success" | "failure";
            requestId: string | null;
            targetId: string | null;
            /** @enum {string} */
            type: "user.registered" | "user.login.succeeded" | "user.login.failed" | "user.logout" | "user.logout_all" | "session.revoked" | "session.refresh_reused" | "user.email_verified" | "user.password_changed" | "user.password_reset" | "user.oauth_linked" | "user.mfa_enabled" | "user.mfa_disabled" | "user.recovery_codes_regenerated" | "user.passkey_added" | "user.passkey_removed" | "user.passkey_renamed" | "user.deleted" | "admin.user_disabled" | "admin.user_enabled" | "admin.roles_changed" | "admin.sessions_revoked" | "admin.mfa_reset" | "audit.pruned";
            userAgent: string | null;
        };
        Jwks: {
            keys: {
                alg: string;
                crv: string;
                kid: string;
                kty: string;
                use: string;
                x: string;
            }[];
        };
        MfaChallenge: {
            methods: ("totp" | "recovery_code")[];
            /** @constant */
            mfaRequired: true;
            /** @description Single use, 5 minutes, dies after 5 wrong codes */
            mfaToken: string;
        };
        Passkey: {
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            lastUsedAt: string | null;
            name: string;
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
        /** @description RFC 9457 problem details */
        Problem: {
            /** @enum {string} */
            code: "VALIDATION_FAILED" | "MALFORMED_REQUEST" | "UNAUTHENTICATED" | "TOKEN_EXPIRED" | "TOKEN_INVALID" | "TOKEN_REVOKED" | "FORBIDDEN" | "ACCOUNT_DISABLED" | "STEP_UP_REQUIRED" | "NOT_FOUND" | "METHOD_NOT_ALLOWED" | "NOT_ACCEPTABLE" | "REQUEST_TIMEOUT" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE" | "REQUEST_HEADERS_TOO_LARGE" | "RATE_LIMITED" | "INTERNAL_ERROR" | "DEPENDENCY_UNAVAILABLE" | "INVALID_CREDENTIALS" | "REFRESH_TOKEN_INVALID" | "REFRESH_TOKEN_REUSED" | "MFA_CODE_INVALID" | "MFA_TOKEN_INVALID" | "PASSKEY_INVALID" | "ORIGIN_NOT_ALLOWED" | "EMAIL_NOT_VERIFIED" | "EMAIL_TAKEN" | "USERNAME_TAKEN" | "MFA_ALREADY_ENABLED" | "MFA_NOT_ENABLED" | "LAST_ADMIN" | "IMAGE_INVALID";
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
        RecoveryCodes: {
            /** @description Shown once: only hashes are kept */
            recoveryCodes: string[];
        };
        Session: {
            /** Format: date-time */
            createdAt: string;
            current: boolean;
            /** Format: date-time */
            expiresAt: string;
            /** Format: uuid */
            id: string;
            ip: string;
            /** Format: date-time */
            lastUsedAt: string;
            userAgent: string;
        };
        SyncUser: {
            avatarUrl: string | null;
            /** Format: date-time */
            createdAt: string;
            deleted: boolean;
            email: string;
            emailVerified: boolean;
            firstName: string | null;
            /** Format: uuid */
            id: string;
            isActive: boolean;
            lastName: string | null;
            mfaEnabled: boolean;
            roles: ("moderator" | "admin")[];
            /** Format: date-time */
            updatedAt: string;
            username: string;
            version: number;
        };
        Tokens: {
            accessToken: string;
            expiresIn: number;
            refreshExpiresIn: number;
            /** @description Absent in cookie mode (`"cookie": true`): the refresh token is then only in the `am_refresh` cookie (`Set-Cookie`). */
            refreshToken?: string;
            /** Format: uuid */
            sessionId: string;
            /** @constant */
            tokenType: "Bearer";
            user: components["schemas"]["User"];
        };
        TotpSetup: {
            otpauthUrl: string;
            /** @description The otpauth URL as a QR code, an SVG document */
            qrSvg: string;
            /** @description Base32, for typing into an app that cannot scan */
            secret: string;
        };
        User: {
            avatarUrl: string | null;
            /** Format: date-time */
            createdAt: string;
            email: string;
            emailVerified: boolean;
            firstName: string | null;
            /** Format: uuid */
            id: string;
            isActive: boolean;
            lastName: string | null;
            mfaEnabled: boolean;
            roles: ("moderator" | "admin")[];
            /** Format: date-time */
            updatedAt: string;
            username: string;
        };
    };
    responses: {
        /** @description Bad Request: `MALFORMED_REQUEST`, `MFA_CODE_INVALID`, `VALIDATION_FAILED` */
        Problem400_MALFORMED_REQUEST_MFA_CODE_INVALID_VALIDATION_FAILED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "MALFORMED_REQUEST" | "MFA_CODE_INVALID" | "VALIDATION_FAILED";
                };
            };
        };
        /** @description Bad Request: `MALFORMED_REQUEST`, `PASSKEY_INVALID`, `VALIDATION_FAILED` */
        Problem400_MALFORMED_REQUEST_PASSKEY_INVALID_VALIDATION_FAILED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "MALFORMED_REQUEST" | "PASSKEY_INVALID" | "VALIDATION_FAILED";
                };
            };
        };
        /** @description Bad Request: `MALFORMED_REQUEST`, `TOKEN_INVALID`, `VALIDATION_FAILED` */
        Problem400_MALFORMED_REQUEST_TOKEN_INVALID_VALIDATION_FAILED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "MALFORMED_REQUEST" | "TOKEN_INVALID" | "VALIDATION_FAILED";
                };
            };
        };
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
        /** @description Bad Request: `TOKEN_INVALID`, `VALIDATION_FAILED` */
        Problem400_TOKEN_INVALID_VALIDATION_FAILED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "TOKEN_INVALID" | "VALIDATION_FAILED";
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
        /** @description Unauthorized: `INVALID_CREDENTIALS` */
        Problem401_INVALID_CREDENTIALS: {
            headers: {
                /** @description The Bearer challenge (RFC 6750) */
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "INVALID_CREDENTIALS";
                };
            };
        };
        /** @description Unauthorized: `INVALID_CREDENTIALS`, `MFA_CODE_INVALID`, `TOKEN_EXPIRED`, `TOKEN_INVALID`, `TOKEN_REVOKED`, `UNAUTHENTICATED` */
        Problem401_INVALID_CREDENTIALS_MFA_CODE_INVALID_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED: {
            headers: {
                /** @description The Bearer challenge (RFC 6750) */
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "INVALID_CREDENTIALS" | "MFA_CODE_INVALID" | "TOKEN_EXPIRED" | "TOKEN_INVALID" | "TOKEN_REVOKED" | "UNAUTHENTICATED";
                };
            };
        };
        /** @description Unauthorized: `MFA_CODE_INVALID`, `MFA_TOKEN_INVALID` */
        Problem401_MFA_CODE_INVALID_MFA_TOKEN_INVALID: {
            headers: {
                /** @description The Bearer challenge (RFC 6750) */
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "MFA_CODE_INVALID" | "MFA_TOKEN_INVALID";
                };
            };
        };
        /** @description Unauthorized: `MFA_CODE_INVALID`, `TOKEN_EXPIRED`, `TOKEN_INVALID`, `TOKEN_REVOKED`, `UNAUTHENTICATED` */
        Problem401_MFA_CODE_INVALID_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED: {
            headers: {
                /** @description The Bearer challenge (RFC 6750) */
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "MFA_CODE_INVALID" | "TOKEN_EXPIRED" | "TOKEN_INVALID" | "TOKEN_REVOKED" | "UNAUTHENTICATED";
                };
            };
        };
        /** @description Unauthorized: `PASSKEY_INVALID` */
        Problem401_PASSKEY_INVALID: {
            headers: {
                /** @description The Bearer challenge (RFC 6750) */
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "PASSKEY_INVALID";
                };
            };
        };
        /** @description Unauthorized: `REFRESH_TOKEN_INVALID`, `REFRESH_TOKEN_REUSED` */
        Problem401_REFRESH_TOKEN_INVALID_REFRESH_TOKEN_REUSED: {
            headers: {
                /** @description The Bearer challenge (RFC 6750) */
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "REFRESH_TOKEN_INVALID" | "REFRESH_TOKEN_REUSED";
                };
            };
        };
        /** @description Unauthorized: `REFRESH_TOKEN_INVALID`, `TOKEN_EXPIRED`, `TOKEN_INVALID`, `TOKEN_REVOKED`, `UNAUTHENTICATED` */
        Problem401_REFRESH_TOKEN_INVALID_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED: {
            headers: {
                /** @description The Bearer challenge (RFC 6750) */
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "REFRESH_TOKEN_INVALID" | "TOKEN_EXPIRED" | "TOKEN_INVALID" | "TOKEN_REVOKED" | "UNAUTHENTICATED";
                };
            };
        };
        /** @description Unauthorized: `TOKEN_EXPIRED`, `TOKEN_INVALID`, `TOKEN_REVOKED` */
        Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED: {
            headers: {
                /** @description The Bearer challenge (RFC 6750) */
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "TOKEN_EXPIRED" | "TOKEN_INVALID" | "TOKEN_REVOKED";
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
        /** @description Forbidden: `ACCOUNT_DISABLED`, `EMAIL_NOT_VERIFIED`, `ORIGIN_NOT_ALLOWED` */
        Problem403_ACCOUNT_DISABLED_EMAIL_NOT_VERIFIED_ORIGIN_NOT_ALLOWED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "ACCOUNT_DISABLED" | "EMAIL_NOT_VERIFIED" | "ORIGIN_NOT_ALLOWED";
                };
            };
        };
        /** @description Forbidden: `ACCOUNT_DISABLED`, `ORIGIN_NOT_ALLOWED` */
        Problem403_ACCOUNT_DISABLED_ORIGIN_NOT_ALLOWED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "ACCOUNT_DISABLED" | "ORIGIN_NOT_ALLOWED";
                };
            };
        };
        /** @description Forbidden: `FORBIDDEN` */
        Problem403_FORBIDDEN: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "FORBIDDEN";
                };
            };
        };
        /** @description Forbidden: `ORIGIN_NOT_ALLOWED` */
        Problem403_ORIGIN_NOT_ALLOWED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "ORIGIN_NOT_ALLOWED";
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
        /** @description Conflict: `EMAIL_TAKEN`, `USERNAME_TAKEN` */
        Problem409_EMAIL_TAKEN_USERNAME_TAKEN: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "EMAIL_TAKEN" | "USERNAME_TAKEN";
                };
            };
        };
        /** @description Conflict: `LAST_ADMIN` */
        Problem409_LAST_ADMIN: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "LAST_ADMIN";
                };
            };
        };
        /** @description Conflict: `MFA_ALREADY_ENABLED` */
        Problem409_MFA_ALREADY_ENABLED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "MFA_ALREADY_ENABLED";
                };
            };
        };
        /** @description Conflict: `MFA_ALREADY_ENABLED`, `MFA_NOT_ENABLED` */
        Problem409_MFA_ALREADY_ENABLED_MFA_NOT_ENABLED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "MFA_ALREADY_ENABLED" | "MFA_NOT_ENABLED";
                };
            };
        };
        /** @description Conflict: `MFA_NOT_ENABLED` */
        Problem409_MFA_NOT_ENABLED: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "MFA_NOT_ENABLED";
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
        /** @description Unprocessable Entity: `IMAGE_INVALID` */
        Problem422_IMAGE_INVALID: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @enum {string} */
                    code?: "IMAGE_INVALID";
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
    getJwks: {
        parameters: {
            query?: never;
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
                     *       "keys": [
                     *         {
                     *           "alg": "text",
                     *           "crv": "text",
                     *           "kid": "text",
                     *           "kty": "text",
                     *           "use": "text",
                     *           "x": "text"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["Jwks"];
                };
            };
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    listChangedUsers: {
        parameters: {
            query?: {
                updatedAfter?: string;
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
                     *           "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *           "createdAt": "2026-03-14T09:30:00.000Z",
                     *           "deleted": true,
                     *           "email": "ada@example.com",
                     *           "emailVerified": true,
                     *           "firstName": "Ada",
                     *           "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *           "isActive": true,
                     *           "lastName": "Lovelace",
                     *           "mfaEnabled": true,
                     *           "roles": [
                     *             "moderator"
                     *           ],
                     *           "updatedAt": "2026-03-14T09:30:00.000Z",
                     *           "username": "ada",
                     *           "version": 1
                     *         }
                     *       ],
                     *       "nextCursor": "text"
                     *     }
                     */
                    "application/json": {
                        items: components["schemas"]["SyncUser"][];
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_UNAUTHENTICATED"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    getInternalUser: {
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
                     *       "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *       "createdAt": "2026-03-14T09:30:00.000Z",
                     *       "deleted": true,
                     *       "email": "ada@example.com",
                     *       "emailVerified": true,
                     *       "firstName": "Ada",
                     *       "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "isActive": true,
                     *       "lastName": "Lovelace",
                     *       "mfaEnabled": true,
                     *       "roles": [
                     *         "moderator"
                     *       ],
                     *       "updatedAt": "2026-03-14T09:30:00.000Z",
                     *       "username": "ada",
                     *       "version": 1
                     *     }
                     */
                    "application/json": components["schemas"]["SyncUser"];
                };
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_UNAUTHENTICATED"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    listAuditEvents: {
        parameters: {
            query?: {
                actorId?: string;
                targetId?: string;
                type?: "user.registered" | "user.login.succeeded" | "user.login.failed" | "user.logout" | "user.logout_all" | "session.revoked" | "session.refresh_reused" | "user.email_verified" | "user.password_changed" | "user.password_reset" | "user.oauth_linked" | "user.mfa_enabled" | "user.mfa_disabled" | "user.recovery_codes_regenerated" | "user.passkey_added" | "user.passkey_removed" | "user.passkey_renamed" | "user.deleted" | "admin.user_disabled" | "admin.user_enabled" | "admin.roles_changed" | "admin.sessions_revoked" | "admin.mfa_reset" | "audit.pruned";
                from?: string;
                to?: string;
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
                     *           "actorId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *           "actorType": "user",
                     *           "at": "2026-03-14T09:30:00.000Z",
                     *           "details": {},
                     *           "id": "text",
                     *           "ip": "203.0.113.7",
                     *           "outcome": "success",
                     *           "requestId": "text",
                     *           "targetId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *           "type": "user.registered",
                     *           "userAgent": "Mozilla/5.0 (X11; Linux x86_64)"
                     *         }
                     *       ],
                     *       "nextCursor": "text"
                     *     }
                     */
                    "application/json": {
                        items: components["schemas"]["AuditEvent"][];
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_FORBIDDEN"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    searchUsers: {
        parameters: {
            query?: {
                query?: string;
                role?: "moderator" | "admin";
                status?: "active" | "disabled";
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
                     *           "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *           "createdAt": "2026-03-14T09:30:00.000Z",
                     *           "email": "ada@example.com",
                     *           "emailVerified": true,
                     *           "firstName": "Ada",
                     *           "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *           "isActive": true,
                     *           "lastName": "Lovelace",
                     *           "mfaEnabled": true,
                     *           "roles": [
                     *             "moderator"
                     *           ],
                     *           "updatedAt": "2026-03-14T09:30:00.000Z",
                     *           "username": "ada"
                     *         }
                     *       ],
                     *       "nextCursor": "text"
                     *     }
                     */
                    "application/json": {
                        items: components["schemas"]["User"][];
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_FORBIDDEN"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    getUserDetail: {
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
                     *       "identities": [
                     *         {
                     *           "createdAt": "2026-03-14T09:30:00.000Z",
                     *           "email": "ada@example.com",
                     *           "lastLoginAt": "2026-03-14T09:30:00.000Z",
                     *           "provider": "text"
                     *         }
                     *       ],
                     *       "mfa": {
                     *         "passkeys": [
                     *           {
                     *             "createdAt": "2026-03-14T09:30:00.000Z",
                     *             "id": "text",
                     *             "lastUsedAt": "2026-03-14T09:30:00.000Z",
                     *             "name": "Laptop"
                     *           }
                     *         ],
                     *         "totp": true
                     *       },
                     *       "sessions": [
                     *         {
                     *           "createdAt": "2026-03-14T09:30:00.000Z",
                     *           "expiresAt": "2026-03-14T09:30:00.000Z",
                     *           "id": "text",
                     *           "ip": "203.0.113.7",
                     *           "lastUsedAt": "2026-03-14T09:30:00.000Z",
                     *           "userAgent": "Mozilla/5.0 (X11; Linux x86_64)"
                     *         }
                     *       ],
                     *       "user": {
                     *         "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *         "createdAt": "2026-03-14T09:30:00.000Z",
                     *         "email": "ada@example.com",
                     *         "emailVerified": true,
                     *         "firstName": "Ada",
                     *         "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *         "isActive": true,
                     *         "lastName": "Lovelace",
                     *         "mfaEnabled": true,
                     *         "roles": [
                     *           "moderator"
                     *         ],
                     *         "updatedAt": "2026-03-14T09:30:00.000Z",
                     *         "username": "ada"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["AdminUserDetail"];
                };
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_FORBIDDEN"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    disableUser: {
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
                 *       "reason": "Spam"
                 *     }
                 */
                "application/json": {
                    reason: string;
                };
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
                     *       "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *       "createdAt": "2026-03-14T09:30:00.000Z",
                     *       "email": "ada@example.com",
                     *       "emailVerified": true,
                     *       "firstName": "Ada",
                     *       "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "isActive": true,
                     *       "lastName": "Lovelace",
                     *       "mfaEnabled": true,
                     *       "roles": [
                     *         "moderator"
                     *       ],
                     *       "updatedAt": "2026-03-14T09:30:00.000Z",
                     *       "username": "ada"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_FORBIDDEN"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            409: components["responses"]["Problem409_LAST_ADMIN"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    enableUser: {
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
                 *       "reason": "Spam"
                 *     }
                 */
                "application/json": {
                    reason?: string;
                };
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
                     *       "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *       "createdAt": "2026-03-14T09:30:00.000Z",
                     *       "email": "ada@example.com",
                     *       "emailVerified": true,
                     *       "firstName": "Ada",
                     *       "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "isActive": true,
                     *       "lastName": "Lovelace",
                     *       "mfaEnabled": true,
                     *       "roles": [
                     *         "moderator"
                     *       ],
                     *       "updatedAt": "2026-03-14T09:30:00.000Z",
                     *       "username": "ada"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_FORBIDDEN"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    resetUserMfa: {
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
            403: components["responses"]["Problem403_FORBIDDEN"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    setUserRoles: {
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
                 *       "roles": [
                 *         "moderator"
                 *       ]
                 *     }
                 */
                "application/json": {
                    roles: ("moderator" | "admin")[];
                };
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
                     *       "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *       "createdAt": "2026-03-14T09:30:00.000Z",
                     *       "email": "ada@example.com",
                     *       "emailVerified": true,
                     *       "firstName": "Ada",
                     *       "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "isActive": true,
                     *       "lastName": "Lovelace",
                     *       "mfaEnabled": true,
                     *       "roles": [
                     *         "moderator"
                     *       ],
                     *       "updatedAt": "2026-03-14T09:30:00.000Z",
                     *       "username": "ada"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_FORBIDDEN"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            409: components["responses"]["Problem409_LAST_ADMIN"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    revokeUserSessions: {
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
            403: components["responses"]["Problem403_FORBIDDEN"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    resendVerificationEmail: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "accepted"
                     *     }
                     */
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    verifyEmail: {
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
                 *       "token": "text"
                 *     }
                 */
                "application/json": {
                    token: string;
                };
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
                     *       "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *       "createdAt": "2026-03-14T09:30:00.000Z",
                     *       "email": "ada@example.com",
                     *       "emailVerified": true,
                     *       "firstName": "Ada",
                     *       "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "isActive": true,
                     *       "lastName": "Lovelace",
                     *       "mfaEnabled": true,
                     *       "roles": [
                     *         "moderator"
                     *       ],
                     *       "updatedAt": "2026-03-14T09:30:00.000Z",
                     *       "username": "ada"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_TOKEN_INVALID_VALIDATION_FAILED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The password and one of `identifier` (an email or a username), `email` or `username`; `identifier` wins when several are sent. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "cookie": true,
                 *       "identifier": "ada",
                 *       "password": "Analytical-Engine-1843"
                 *     }
                 */
                "application/json": {
                    /** @description Browsers: `true` sets the refresh token as an `HttpOnly; Secure; SameSite=Strict` cookie scoped to `/v1/auth` instead of answering it; only from an allowed browser origin (`Origin`), else 403 `ORIGIN_NOT_ALLOWED`. */
                    cookie?: boolean;
                    /**
                     * @description An email address or a username
                     * @example ada
                     */
                    identifier: string;
                    /** @example Analytical-Engine-1843 */
                    password: string;
                } | {
                    /** @description Browsers: `true` sets the refresh token as an `HttpOnly; Secure; SameSite=Strict` cookie scoped to `/v1/auth` instead of answering it; only from an allowed browser origin (`Origin`), else 403 `ORIGIN_NOT_ALLOWED`. */
                    cookie?: boolean;
                    /** @example ada@example.com */
                    email: string;
                    /** @example Analytical-Engine-1843 */
                    password: string;
                } | {
                    /** @description Browsers: `true` sets the refresh token as an `HttpOnly; Secure; SameSite=Strict` cookie scoped to `/v1/auth` instead of answering it; only from an allowed browser origin (`Origin`), else 403 `ORIGIN_NOT_ALLOWED`. */
                    cookie?: boolean;
                    /** @example Analytical-Engine-1843 */
                    password: string;
                    /** @example ada */
                    username: string;
                };
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
                     *       "accessToken": "eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiIzZjZjMWUyYSJ9.c2lnbmF0dXJl",
                     *       "expiresIn": 900,
                     *       "refreshExpiresIn": 2592000,
                     *       "refreshToken": "q9d2v7Lr0m3x8KfP1sWbZ4yT6hNc5aJe",
                     *       "sessionId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "tokenType": "Bearer",
                     *       "user": {
                     *         "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *         "createdAt": "2026-03-14T09:30:00.000Z",
                     *         "email": "ada@example.com",
                     *         "emailVerified": true,
                     *         "firstName": "Ada",
                     *         "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *         "isActive": true,
                     *         "lastName": "Lovelace",
                     *         "mfaEnabled": true,
                     *         "roles": [
                     *           "moderator"
                     *         ],
                     *         "updatedAt": "2026-03-14T09:30:00.000Z",
                     *         "username": "ada"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Tokens"] | components["schemas"]["MfaChallenge"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_INVALID_CREDENTIALS"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED_EMAIL_NOT_VERIFIED_ORIGIN_NOT_ALLOWED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
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
            401: components["responses"]["Problem401_REFRESH_TOKEN_INVALID_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_ORIGIN_NOT_ALLOWED"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    logoutAll: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
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
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    getMe: {
        parameters: {
            query?: never;
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
                     *       "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *       "createdAt": "2026-03-14T09:30:00.000Z",
                     *       "email": "ada@example.com",
                     *       "emailVerified": true,
                     *       "firstName": "Ada",
                     *       "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "isActive": true,
                     *       "lastName": "Lovelace",
                     *       "mfaEnabled": true,
                     *       "roles": [
                     *         "moderator"
                     *       ],
                     *       "updatedAt": "2026-03-14T09:30:00.000Z",
                     *       "username": "ada"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    deleteMe: {
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
                 *       "code": "text",
                 *       "password": "text"
                 *     }
                 */
                "application/json": {
                    code?: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_INVALID_CREDENTIALS_MFA_CODE_INVALID_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    updateMe: {
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
                 *       "firstName": "Ada",
                 *       "lastName": "Lovelace",
                 *       "username": "ada"
                 *     }
                 */
                "application/json": {
                    firstName?: string | null;
                    lastName?: string | null;
                    /** @example ada */
                    username?: string;
                };
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
                     *       "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *       "createdAt": "2026-03-14T09:30:00.000Z",
                     *       "email": "ada@example.com",
                     *       "emailVerified": true,
                     *       "firstName": "Ada",
                     *       "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "isActive": true,
                     *       "lastName": "Lovelace",
                     *       "mfaEnabled": true,
                     *       "roles": [
                     *         "moderator"
                     *       ],
                     *       "updatedAt": "2026-03-14T09:30:00.000Z",
                     *       "username": "ada"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            409: components["responses"]["Problem409_EMAIL_TAKEN_USERNAME_TAKEN"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    listMyActivity: {
        parameters: {
            query?: {
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
                     *           "actorId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *           "actorType": "user",
                     *           "at": "2026-03-14T09:30:00.000Z",
                     *           "details": {},
                     *           "id": "text",
                     *           "ip": "203.0.113.7",
                     *           "outcome": "success",
                     *           "requestId": "text",
                     *           "targetId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *           "type": "user.registered",
                     *           "userAgent": "Mozilla/5.0 (X11; Linux x86_64)"
                     *         }
                     *       ],
                     *       "nextCursor": "text"
                     *     }
                     */
                    "application/json": {
                        items: components["schemas"]["AuditEvent"][];
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    uploadAvatar: {
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
                 *       "file": "text"
                 *     }
                 */
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description The image: JPEG, PNG, WebP, GIF or AVIF
                     */
                    file: string;
                } | null;
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
                     *       "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *       "createdAt": "2026-03-14T09:30:00.000Z",
                     *       "email": "ada@example.com",
                     *       "emailVerified": true,
                     *       "firstName": "Ada",
                     *       "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "isActive": true,
                     *       "lastName": "Lovelace",
                     *       "mfaEnabled": true,
                     *       "roles": [
                     *         "moderator"
                     *       ],
                     *       "updatedAt": "2026-03-14T09:30:00.000Z",
                     *       "username": "ada"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            422: components["responses"]["Problem422_IMAGE_INVALID"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    removeAvatar: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
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
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    regenerateRecoveryCodes: {
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
                 *       "code": "text"
                 *     }
                 */
                "application/json": {
                    code: string;
                };
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
                     *       "recoveryCodes": [
                     *         "text"
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["RecoveryCodes"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_MFA_CODE_INVALID_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            409: components["responses"]["Problem409_MFA_NOT_ENABLED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    disableMfa: {
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
                 *       "code": "text",
                 *       "password": "text"
                 *     }
                 */
                "application/json": {
                    code: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_INVALID_CREDENTIALS_MFA_CODE_INVALID_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            409: components["responses"]["Problem409_MFA_NOT_ENABLED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    confirmTotpSetup: {
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
                 *       "code": "492039"
                 *     }
                 */
                "application/json": {
                    /** @example 492039 */
                    code: string;
                };
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
                     *       "recoveryCodes": [
                     *         "text"
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["RecoveryCodes"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_MFA_CODE_INVALID_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            409: components["responses"]["Problem409_MFA_ALREADY_ENABLED_MFA_NOT_ENABLED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    startTotpSetup: {
        parameters: {
            query?: never;
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
                     *       "otpauthUrl": "text",
                     *       "qrSvg": "text",
                     *       "secret": "text"
                     *     }
                     */
                    "application/json": components["schemas"]["TotpSetup"];
                };
            };
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            403: components["responses"]["Problem403_FORBIDDEN"];
            409: components["responses"]["Problem409_MFA_ALREADY_ENABLED"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    verifyMfaLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The `mfaToken` of the login and either a TOTP `code` or a `recoveryCode`, not both. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "code": "492039",
                 *       "cookie": true,
                 *       "mfaToken": "Vb3kR8sL1qZ7mN2xP5tW9yC4"
                 *     }
                 */
                "application/json": {
                    /**
                     * @description The 6-digit code of the authenticator app
                     * @example 492039
                     */
                    code: string;
                    /** @description Browsers: `true` sets the refresh token as an `HttpOnly; Secure; SameSite=Strict` cookie scoped to `/v1/auth` instead of answering it; only from an allowed browser origin (`Origin`), else 403 `ORIGIN_NOT_ALLOWED`. */
                    cookie?: boolean;
                    mfaToken: string;
                } | {
                    /** @description Browsers: `true` sets the refresh token as an `HttpOnly; Secure; SameSite=Strict` cookie scoped to `/v1/auth` instead of answering it; only from an allowed browser origin (`Origin`), else 403 `ORIGIN_NOT_ALLOWED`. */
                    cookie?: boolean;
                    mfaToken: string;
                    /**
                     * @description One of the recovery codes
                     * @example k7m2p-x9q4t
                     */
                    recoveryCode: string;
                };
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
                     *       "accessToken": "eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiIzZjZjMWUyYSJ9.c2lnbmF0dXJl",
                     *       "expiresIn": 900,
                     *       "refreshExpiresIn": 2592000,
                     *       "refreshToken": "q9d2v7Lr0m3x8KfP1sWbZ4yT6hNc5aJe",
                     *       "sessionId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "tokenType": "Bearer",
                     *       "user": {
                     *         "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *         "createdAt": "2026-03-14T09:30:00.000Z",
                     *         "email": "ada@example.com",
                     *         "emailVerified": true,
                     *         "firstName": "Ada",
                     *         "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *         "isActive": true,
                     *         "lastName": "Lovelace",
                     *         "mfaEnabled": true,
                     *         "roles": [
                     *           "moderator"
                     *         ],
                     *         "updatedAt": "2026-03-14T09:30:00.000Z",
                     *         "username": "ada"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Tokens"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_MFA_CODE_INVALID_MFA_TOKEN_INVALID"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED_ORIGIN_NOT_ALLOWED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    exchangeSignInCode: {
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
                 *       "code": "text",
                 *       "cookie": true
                 *     }
                 */
                "application/json": {
                    code: string;
                    /** @description Browsers: `true` sets the refresh token as an `HttpOnly; Secure; SameSite=Strict` cookie scoped to `/v1/auth` instead of answering it; only from an allowed browser origin (`Origin`), else 403 `ORIGIN_NOT_ALLOWED`. */
                    cookie?: boolean;
                };
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
                     *       "accessToken": "eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiIzZjZjMWUyYSJ9.c2lnbmF0dXJl",
                     *       "expiresIn": 900,
                     *       "refreshExpiresIn": 2592000,
                     *       "refreshToken": "q9d2v7Lr0m3x8KfP1sWbZ4yT6hNc5aJe",
                     *       "sessionId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "tokenType": "Bearer",
                     *       "user": {
                     *         "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *         "createdAt": "2026-03-14T09:30:00.000Z",
                     *         "email": "ada@example.com",
                     *         "emailVerified": true,
                     *         "firstName": "Ada",
                     *         "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *         "isActive": true,
                     *         "lastName": "Lovelace",
                     *         "mfaEnabled": true,
                     *         "roles": [
                     *           "moderator"
                     *         ],
                     *         "updatedAt": "2026-03-14T09:30:00.000Z",
                     *         "username": "ada"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Tokens"] | components["schemas"]["MfaChallenge"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_TOKEN_INVALID_VALIDATION_FAILED"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED_EMAIL_NOT_VERIFIED_ORIGIN_NOT_ALLOWED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    finishGoogleSignIn: {
        parameters: {
            query?: {
                state?: string;
                code?: string;
                iss?: string;
                error?: string;
                error_description?: string;
                scope?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A redirect; the target is in the `Location` header. */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400_TOKEN_INVALID_VALIDATION_FAILED"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    startGoogleSignIn: {
        parameters: {
            query?: {
                /** @description Where the browser lands afterwards (with `?code=` or `?error=`); must be on OAUTH_REDIRECT_ALLOWLIST. Default: APP_BASE_URL. */
                redirectTo?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A redirect; the target is in the `Location` header. */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400_VALIDATION_FAILED"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    listPasskeys: {
        parameters: {
            query?: never;
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
                     *           "createdAt": "2026-03-14T09:30:00.000Z",
                     *           "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *           "lastUsedAt": "2026-03-14T09:30:00.000Z",
                     *           "name": "Laptop"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        items: components["schemas"]["Passkey"][];
                    };
                };
            };
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    startPasskeyLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /** @example {} */
                "application/json": {
                    identifier?: string;
                };
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
                     *       "challengeId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "options": {}
                     *     }
                     */
                    "application/json": components["schemas"]["PasskeyLoginOptions"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    finishPasskeyLogin: {
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
                 *       "challengeId": "text",
                 *       "cookie": true,
                 *       "response": {
                 *         "authenticatorAttachment": "platform",
                 *         "clientExtensionResults": {},
                 *         "id": "text",
                 *         "rawId": "text",
                 *         "response": {
                 *           "authenticatorData": "text",
                 *           "clientDataJSON": "text",
                 *           "signature": "text",
                 *           "userHandle": "text"
                 *         },
                 *         "type": "public-key"
                 *       }
                 *     }
                 */
                "application/json": {
                    challengeId: string;
                    /** @description Browsers: `true` sets the refresh token as an `HttpOnly; Secure; SameSite=Strict` cookie scoped to `/v1/auth` instead of answering it; only from an allowed browser origin (`Origin`), else 403 `ORIGIN_NOT_ALLOWED`. */
                    cookie?: boolean;
                    response: {
                        /** @enum {string} */
                        authenticatorAttachment?: "platform" | "cross-platform";
                        /** @default {} */
                        clientExtensionResults?: {
                            [key: string]: unknown;
                        };
                        id: string;
                        rawId: string;
                        response: {
                            authenticatorData: string;
                            clientDataJSON: string;
                            signature: string;
                            userHandle?: string;
                        };
                        /** @enum {string} */
                        type: "public-key";
                    };
                };
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
                     *       "accessToken": "eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiIzZjZjMWUyYSJ9.c2lnbmF0dXJl",
                     *       "expiresIn": 900,
                     *       "refreshExpiresIn": 2592000,
                     *       "refreshToken": "q9d2v7Lr0m3x8KfP1sWbZ4yT6hNc5aJe",
                     *       "sessionId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "tokenType": "Bearer",
                     *       "user": {
                     *         "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *         "createdAt": "2026-03-14T09:30:00.000Z",
                     *         "email": "ada@example.com",
                     *         "emailVerified": true,
                     *         "firstName": "Ada",
                     *         "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *         "isActive": true,
                     *         "lastName": "Lovelace",
                     *         "mfaEnabled": true,
                     *         "roles": [
                     *           "moderator"
                     *         ],
                     *         "updatedAt": "2026-03-14T09:30:00.000Z",
                     *         "username": "ada"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Tokens"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_PASSKEY_INVALID"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED_EMAIL_NOT_VERIFIED_ORIGIN_NOT_ALLOWED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    startPasskeyRegistration: {
        parameters: {
            query?: never;
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
                    /** @example {} */
                    "application/json": components["schemas"]["PasskeyCreationOptions"];
                };
            };
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    finishPasskeyRegistration: {
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
                 *       "code": "text",
                 *       "name": "Laptop",
                 *       "response": {
                 *         "authenticatorAttachment": "platform",
                 *         "clientExtensionResults": {},
                 *         "id": "text",
                 *         "rawId": "text",
                 *         "response": {
                 *           "attestationObject": "text",
                 *           "authenticatorData": "text",
                 *           "clientDataJSON": "text",
                 *           "publicKey": "text",
                 *           "publicKeyAlgorithm": 1,
                 *           "transports": [
                 *             "text"
                 *           ]
                 *         },
                 *         "type": "public-key"
                 *       }
                 *     }
                 */
                "application/json": {
                    code?: string;
                    name?: string;
                    response: {
                        /** @enum {string} */
                        authenticatorAttachment?: "platform" | "cross-platform";
                        /** @default {} */
                        clientExtensionResults?: {
                            [key: string]: unknown;
                        };
                        id: string;
                        rawId: string;
                        response: {
                            attestationObject: string;
                            authenticatorData?: string;
                            clientDataJSON: string;
                            publicKey?: string;
                            publicKeyAlgorithm?: number;
                            transports?: string[];
                        };
                        /** @enum {string} */
                        type: "public-key";
                    };
                };
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
                     *       "createdAt": "2026-03-14T09:30:00.000Z",
                     *       "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "lastUsedAt": "2026-03-14T09:30:00.000Z",
                     *       "name": "Laptop"
                     *     }
                     */
                    "application/json": components["schemas"]["Passkey"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_PASSKEY_INVALID_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_MFA_CODE_INVALID_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    removePasskey: {
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
                 *       "code": "text"
                 *     }
                 */
                "application/json": {
                    code?: string;
                } | null;
            };
        };
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_MFA_CODE_INVALID_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    renamePasskey: {
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
                 *       "name": "Laptop"
                 *     }
                 */
                "application/json": {
                    name: string;
                };
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
                     *       "createdAt": "2026-03-14T09:30:00.000Z",
                     *       "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "lastUsedAt": "2026-03-14T09:30:00.000Z",
                     *       "name": "Laptop"
                     *     }
                     */
                    "application/json": components["schemas"]["Passkey"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            404: components["responses"]["Problem404_NOT_FOUND"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    changePassword: {
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
                 *       "code": "text",
                 *       "currentPassword": "text",
                 *       "newPassword": "Analytical-Engine-1843"
                 *     }
                 */
                "application/json": {
                    code?: string;
                    currentPassword: string;
                    /** @example Analytical-Engine-1843 */
                    newPassword: string;
                };
            };
        };
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_INVALID_CREDENTIALS_MFA_CODE_INVALID_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    forgotPassword: {
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
                 *       "email": "ada@example.com"
                 *     }
                 */
                "application/json": {
                    /** @example ada@example.com */
                    email: string;
                };
            };
        };
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "accepted"
                     *     }
                     */
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    resetPassword: {
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
                 *       "newPassword": "Analytical-Engine-1843",
                 *       "token": "text"
                 *     }
                 */
                "application/json": {
                    /** @example Analytical-Engine-1843 */
                    newPassword: string;
                    token: string;
                };
            };
        };
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_TOKEN_INVALID_VALIDATION_FAILED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    refresh: {
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
                 *       "cookie": true,
                 *       "refreshToken": "q9d2v7Lr0m3x8KfP1sWbZ4yT6hNc5aJe"
                 *     }
                 */
                "application/json": {
                    /** @description `true`: the refresh token is read from the cookie, and its successor set there (browsers, allowed origins only). */
                    cookie?: boolean;
                    /** @description Body mode: the refresh token. Absent in cookie mode. */
                    refreshToken?: string;
                };
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
                     *       "accessToken": "eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiIzZjZjMWUyYSJ9.c2lnbmF0dXJl",
                     *       "expiresIn": 900,
                     *       "refreshExpiresIn": 2592000,
                     *       "refreshToken": "q9d2v7Lr0m3x8KfP1sWbZ4yT6hNc5aJe",
                     *       "sessionId": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *       "tokenType": "Bearer",
                     *       "user": {
                     *         "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *         "createdAt": "2026-03-14T09:30:00.000Z",
                     *         "email": "ada@example.com",
                     *         "emailVerified": true,
                     *         "firstName": "Ada",
                     *         "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *         "isActive": true,
                     *         "lastName": "Lovelace",
                     *         "mfaEnabled": true,
                     *         "roles": [
                     *           "moderator"
                     *         ],
                     *         "updatedAt": "2026-03-14T09:30:00.000Z",
                     *         "username": "ada"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Tokens"];
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_REFRESH_TOKEN_INVALID_REFRESH_TOKEN_REUSED"];
            403: components["responses"]["Problem403_ACCOUNT_DISABLED_ORIGIN_NOT_ALLOWED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    register: {
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
                 *       "email": "ada@example.com",
                 *       "firstName": "Ada",
                 *       "lastName": "Lovelace",
                 *       "password": "Analytical-Engine-1843",
                 *       "username": "ada"
                 *     }
                 */
                "application/json": {
                    /** @example ada@example.com */
                    email: string;
                    firstName?: string;
                    lastName?: string;
                    /** @example Analytical-Engine-1843 */
                    password: string;
                    /** @example ada */
                    username: string;
                };
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
                     *       "user": {
                     *         "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *         "createdAt": "2026-03-14T09:30:00.000Z",
                     *         "email": "ada@example.com",
                     *         "emailVerified": true,
                     *         "firstName": "Ada",
                     *         "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *         "isActive": true,
                     *         "lastName": "Lovelace",
                     *         "mfaEnabled": true,
                     *         "roles": [
                     *           "moderator"
                     *         ],
                     *         "updatedAt": "2026-03-14T09:30:00.000Z",
                     *         "username": "ada"
                     *       }
                     *     }
                     */
                    "application/json": {
                        user: components["schemas"]["User"];
                    };
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            409: components["responses"]["Problem409_EMAIL_TAKEN_USERNAME_TAKEN"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    listSessions: {
        parameters: {
            query?: never;
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
                     *           "createdAt": "2026-03-14T09:30:00.000Z",
                     *           "current": true,
                     *           "expiresAt": "2026-03-14T09:30:00.000Z",
                     *           "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *           "ip": "203.0.113.7",
                     *           "lastUsedAt": "2026-03-14T09:30:00.000Z",
                     *           "userAgent": "Mozilla/5.0 (X11; Linux x86_64)"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        items: components["schemas"]["Session"][];
                    };
                };
            };
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED_UNAUTHENTICATED"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    revokeSession: {
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
            404: components["responses"]["Problem404_NOT_FOUND"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
    verifyToken: {
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
                 *       "token": "text"
                 *     }
                 */
                "application/json": {
                    token: string;
                };
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
                     *       "claims": {
                     *         "acr": "aal1",
                     *         "amr": [
                     *           "text"
                     *         ],
                     *         "aud": "text",
                     *         "auth_time": 1,
                     *         "client_id": "text",
                     *         "email": "ada@example.com",
                     *         "exp": 1,
                     *         "iat": 1,
                     *         "iss": "text",
                     *         "jti": "text",
                     *         "sid": "text",
                     *         "sub": "text",
                     *         "username": "ada"
                     *       },
                     *       "user": {
                     *         "avatarUrl": "https://avatars.example.com/profile-pictures/3f6c1e2a.jpg",
                     *         "createdAt": "2026-03-14T09:30:00.000Z",
                     *         "email": "ada@example.com",
                     *         "emailVerified": true,
                     *         "firstName": "Ada",
                     *         "id": "3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60",
                     *         "isActive": true,
                     *         "lastName": "Lovelace",
                     *         "mfaEnabled": true,
                     *         "roles": [
                     *           "moderator"
                     *         ],
                     *         "updatedAt": "2026-03-14T09:30:00.000Z",
                     *         "username": "ada"
                     *       },
                     *       "valid": true
                     *     }
                     */
                    "application/json": {
                        claims: components["schemas"]["AccessTokenClaims"];
                        user: components["schemas"]["User"];
                        /** @enum {boolean} */
                        valid: true;
                    };
                };
            };
            400: components["responses"]["Problem400_MALFORMED_REQUEST_VALIDATION_FAILED"];
            401: components["responses"]["Problem401_TOKEN_EXPIRED_TOKEN_INVALID_TOKEN_REVOKED"];
            413: components["responses"]["Problem413_PAYLOAD_TOO_LARGE"];
            415: components["responses"]["Problem415_UNSUPPORTED_MEDIA_TYPE"];
            429: components["responses"]["Problem429_RATE_LIMITED"];
            500: components["responses"]["Problem500_INTERNAL_ERROR"];
            503: components["responses"]["Problem503_DEPENDENCY_UNAVAILABLE"];
        };
    };
}
