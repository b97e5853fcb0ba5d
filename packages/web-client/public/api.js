// @ts-check
// The API as a browser sees it: same origin (the ingress), JSON in and out, problem-details
// errors. The access token is kept in memory only (never in storage a script injected later
// could read); the refresh token is in an HttpOnly cookie the service sets (cookie mode), which
// no script can read either: a reload restores the session by refreshing from that cookie.

/**
 * @typedef {{ id: string, email: string, username: string, firstName: string | null, lastName: string | null, mfaEnabled: boolean, avatarUrl: string | null }} User
 * @typedef {{ mfaRequired: true, mfaToken: string, methods: string[] }} MfaChallenge
 * @typedef {{ id: string, name: string, createdAt: string, lastUsedAt: string | null }} Passkey
 * @typedef {{ accessToken: string, expiresIn: number, user: User, sessionId: string }} Tokens
 * @typedef {{ type?: string, title?: string, status?: number, code?: string, detail?: string, errors?: { path: string, message: string }[] }} Problem
 * @typedef {{ id: string, code: string, title: string, hostId: string, status: string, participantCount: number }} Meeting
 * @typedef {{ userId: string, username: string, firstName: string | null, lastName: string | null, avatarUrl: string | null, role: 'host' | 'participant', joinedAt: string, leftAt: string | null }} Participant
 */

export class ApiError extends Error {
  /** @param {number} status @param {Problem} problem */
  constructor(status, problem) {
    const details = (problem.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ');
    super([problem.detail ?? problem.title ?? `HTTP ${status}`, details].filter(Boolean).join(' — '));
    this.status = status;
    this.code = problem.code ?? 'UNKNOWN';
  }
}

/** Codes after which the session is gone for good: the user has to log in again. */
const SESSION_OVER = new Set(['TOKEN_REVOKED', 'TOKEN_INVALID', 'REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED', 'UNAUTHENTICATED']);

/** @param {Response} res @returns {Promise<Problem>} */
async function readProblem(res) {
  try {
    return /** @type {Problem} */ (await res.json());
  } catch {
    return { status: res.status, title: res.statusText };
  }
}

/**
 * @param {{ onSignedOut: (reason: string) => void }} hooks
 */
export function createApi(hooks) {
  /** @type {Tokens | null} */
  let tokens = null;
  /** @type {Promise<boolean> | null} */
  let refreshing = null;

  function signOut(/** @type {string} */ reason) {
    if (tokens === null) return;
    tokens = null;
    hooks.onSignedOut(reason);
  }

  /**
   * A new access token from the refresh cookie (which the browser sends by itself, and the
   * service rotates). One refresh at a time: a second concurrent caller waits for the first's result.
   */
  function refresh() {
    if (refreshing) return refreshing;
    const before = tokens;
    refreshing = (async () => {
      const res = await fetch('/v1/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cookie: true }),
      });
      if (!res.ok) {
        const code = (await readProblem(res)).code ?? 'REFRESH_FAILED';
        // Nothing to announce without a session (a page load with no cookie), nor to undo a login
        // that completed while this was on its way.
        if (tokens === before) signOut(code);
        return false;
      }
      tokens = /** @type {Tokens} */ (await res.json());
      return true;
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  /**
   * @param {string} path
   * @param {{ method?: string, body?: unknown, auth?: boolean, retried?: boolean }} [options]
   *   A `FormData` body goes as multipart/form-data (the browser sets the boundary); anything else as JSON.
   * @returns {Promise<unknown>}
   */
  async function request(path, options = {}) {
    const { method = 'GET', body, auth = true, retried = false } = options;
    const form = body instanceof FormData ? body : undefined;
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    if (body !== undefined && !form) headers['content-type'] = 'application/json';
    if (auth && tokens) headers.authorization = `Bearer ${tokens.accessToken}`;
    const res = await fetch(path, { method, headers, body: form ?? (body === undefined ? undefined : JSON.stringify(body)) });
    if (res.ok) return res.status === 204 ? undefined : res.json();
    const problem = await readProblem(res);
    if (res.status === 401 && auth && tokens) {
      if (problem.code === 'TOKEN_EXPIRED' && !retried && (await refresh())) return request(path, { ...options, retried: true });
      if (SESSION_OVER.has(problem.code ?? '')) signOut(problem.code ?? 'UNAUTHENTICATED');
    }
    throw new ApiError(res.status, problem);
  }

  return {
    get user() {
      return tokens?.user ?? null;
    },
    /** The current access token, for the event stream (which cannot go through `request`). */
    accessToken() {
      return tokens?.accessToken ?? null;
    },
    refresh,
    /**
     * On page load: the session the refresh cookie holds, if any (a reload keeps the user signed in).
     * @returns {Promise<User | null>}
     */
    async restore() {
      return (await refresh()) ? (tokens?.user ?? null) : null;
    },
    /**
     * Any other JSON route with the same token handling (the admin and activity pages).
     * @param {string} path @param {{ method?: string, body?: unknown }} [options]
     */
    call: (path, options) => request(path, options),
    /** @param {{ email: string, username: string, password: string }} input */
    register: (input) => request('/v1/auth/register', { method: 'POST', body: input, auth: false }),
    /**
     * The first step; for a user with MFA on it answers the challenge instead of a user.
     * @param {string} identifier @param {string} password
     * @returns {Promise<User | MfaChallenge>}
     */
    async login(identifier, password) {
      const body = /** @type {Tokens | MfaChallenge} */ (
        await request('/v1/auth/login', { method: 'POST', body: { identifier, password, cookie: true }, auth: false })
      );
      if ('mfaRequired' in body) return body;
      tokens = body;
      return tokens.user;
    },
    /**
     * The second step: a 6-digit code from the app, or a recovery code.
     * @param {string} mfaToken @param {string} code
     */
    async verifyMfa(mfaToken, code) {
      const factor = /^\d{6}$/.test(code) ? { code } : { recoveryCode: code };
      tokens = /** @type {Tokens} */ (await request('/v1/auth/mfa/verify', { method: 'POST', body: { mfaToken, ...factor, cookie: true }, auth: false }));
      return tokens.user;
    },
    /** @param {unknown} response a PublicKeyCredential's JSON @param {string} challengeId */
    async passkeyLogin(challengeId, response) {
      tokens = /** @type {Tokens} */ (
        await request('/v1/auth/passkeys/login/verify', { method: 'POST', body: { challengeId, response, cookie: true }, auth: false })
      );
      return tokens.user;
    },
    passkeyLoginOptions: async () =>
      /** @type {{ challengeId: string, options: PublicKeyCredentialRequestOptionsJSON }} */ (
        await request('/v1/auth/passkeys/login/options', { method: 'POST', body: {}, auth: false })
      ),
    /** Reloads the user (e.g. after MFA was turned on). */
    async reloadUser() {
      const user = /** @type {User} */ (await request('/v1/auth/me'));
      if (tokens) tokens = { ...tokens, user };
      return user;
    },
    mfaSetup: async () => /** @type {{ secret: string, otpauthUrl: string, qrSvg: string }} */ (await request('/v1/auth/mfa/totp/setup', { method: 'POST' })),
    /** @param {string} code */
    mfaConfirm: async (code) => /** @type {{ recoveryCodes: string[] }} */ (await request('/v1/auth/mfa/totp/confirm', { method: 'POST', body: { code } })),
    passkeyRegisterOptions: async () => /** @type {PublicKeyCredentialCreationOptionsJSON} */ (await request('/v1/auth/passkeys/register/options', { method: 'POST' })),
    /** @param {unknown} response @param {string} name @param {string} code */
    passkeyRegister: (response, name, code) =>
      request('/v1/auth/passkeys/register/verify', { method: 'POST', body: { response, name, ...(code ? { code } : {}) } }),
    passkeys: async () => /** @type {{ items: Passkey[] }} */ (await request('/v1/auth/passkeys')).items,
    /** @param {string} id @param {string} code */
    deletePasskey: (id, code) => request(`/v1/auth/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE', body: code ? { code } : {} }),
    /** Ends the session (the Bearer token's and the cookie's) and clears the cookie. */
    async logout() {
      await request('/v1/auth/logout', { method: 'POST' }).finally(() => signOut('LOGGED_OUT'));
    },
    async logoutAll() {
      await request('/v1/auth/logout-all', { method: 'POST' }).finally(() => signOut('LOGGED_OUT_EVERYWHERE'));
    },
    /**
     * Uploads a profile picture; the service stores a resized JPEG and answers the updated user.
     * @param {Blob} file
     */
    async uploadAvatar(file) {
      const form = new FormData();
      form.append('file', file);
      const user = /** @type {User} */ (await request('/v1/auth/me/avatar', { method: 'PUT', body: form }));
      if (tokens) tokens = { ...tokens, user };
      return user;
    },
    async removeAvatar() {
      await request('/v1/auth/me/avatar', { method: 'DELETE' });
      if (tokens) tokens = { ...tokens, user: { ...tokens.user, avatarUrl: null } };
    },
    /** @param {string} title */
    createMeeting: async (title) => /** @type {Meeting} */ (await request('/v1/meetings', { method: 'POST', body: { title } })),
    /** @param {string} code */
    joinMeeting: async (code) =>
      /** @type {{ meeting: Meeting, participant: Participant }} */ (await request('/v1/meetings/join', { method: 'POST', body: { code } })),
    /** @param {string} id */
    leaveMeeting: (id) => request(`/v1/meetings/${encodeURIComponent(id)}/leave`, { method: 'POST' }),
    /** @param {string} id */
    endMeeting: async (id) => /** @type {Meeting} */ (await request(`/v1/meetings/${encodeURIComponent(id)}/end`, { method: 'POST' })),
    /** @param {string} id */
    participants: async (id) =>
      /** @type {{ items: Participant[] }} */ (await request(`/v1/meetings/${encodeURIComponent(id)}/participants?limit=100`)).items,
  };
}

/** @typedef {ReturnType<typeof createApi>} Api */
