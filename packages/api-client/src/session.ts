import { ACCESS_TOKEN_CODES, ApiError, problemOf, SESSION_ENDED_CODES } from './problem.js';
import { memoryRefreshTokenStore } from './stores.js';
import type { RefreshTokenStore } from './stores.js';
import { defaultChannel, defaultLocks, PeerRefreshes } from './tab-sync.js';
import type { ChannelLike, LockManagerLike } from './tab-sync.js';
import type { LoginInput, MfaChallenge, MfaVerifyInput, SignInPath, TokensBody, User } from './types.js';

export type SessionMode = 'cookie' | 'body';

export interface SessionOptions {
  /**
   * `cookie` (browsers): the refresh token lives in an HttpOnly cookie the auth-service sets
   * (api.md, "Browser sessions"); `body`: it is answered in the body and kept in `refreshTokenStore`.
   */
  mode: SessionMode;
  /** Where the auth-service's `/v1/auth/...` routes are: `''` (default) for the page's own origin (the ingress). */
  authBaseUrl?: string;
  /** Body mode: where the refresh token is kept (default: memory, shared with other tabs through the channel). */
  refreshTokenStore?: RefreshTokenStore;
  /** The name of the BroadcastChannel and of the Web Lock the tabs of one app share. */
  channelName?: string;
  /**
   * Refresh this long before the access token expires by this tab's clock (capped at half its
   * lifetime), so requests rarely meet an expired token; `false`: never ahead, only when the API
   * refuses the token (then the request is retried once). Default 30 s.
   */
  refreshAheadMs?: number | false;
  /** The fetch to send with (default `globalThis.fetch`). */
  fetch?: (request: Request) => Promise<Response>;
  /** Web Locks (default `navigator.locks`); `null`: no cross-tab lock, refreshes are single-flight per tab only. */
  locks?: LockManagerLike | null;
  /** The channel to the other tabs (default a `BroadcastChannel` named `channelName`); `null`: none. */
  channel?: ChannelLike | null;
  /** How long a tab waits for the result of a refresh another tab announced before it refreshes itself. */
  peerWaitMs?: number;
  /** How long `restore()` waits for an open tab to hand over its session before refreshing (default 100 ms). */
  helloWaitMs?: number;
  /** A refresh holds every tab's lock: give up on an answer after this long (default 15 s). */
  refreshTimeoutMs?: number;
}

export type RevokedSource = 'request' | 'refresh' | 'stream';

export interface SessionEvents {
  /** Signed in, here or in another tab. */
  'session.signedIn': { user: User; fromOtherTab: boolean };
  /** The user logged out (`everywhere`: every session), here or in another tab. */
  'session.signedOut': { everywhere: boolean; fromOtherTab: boolean };
  /**
   * The session ended without this user asking, here or in another tab: logged out elsewhere,
   * revoked by an admin, refresh-token reuse, account disabled or closed, session expired. `code`
   * is the server's (`REFRESH_TOKEN_INVALID`, `REFRESH_TOKEN_REUSED`, `TOKEN_REVOKED`, ...;
   * `SESSION_REVOKED` when an event stream said so); `source` tells what noticed it.
   */
  'session.revoked': { code: string; source: RevokedSource; fromOtherTab: boolean };
}

export type SessionEventName = keyof SessionEvents;

export type LoginResult = { status: 'signed-in'; user: User } | ({ status: 'mfa-required' } & Omit<MfaChallenge, 'mfaRequired'>);

type RefreshOutcome = { ok: true } | { ok: false; ended: true; code: string } | { ok: false; ended: false; error: unknown };

interface Current {
  accessToken: string;
  /** Local clock, ms: when the access token expires. */
  expiresAt: number;
  /** Its lifetime, ms (for the refresh-ahead cap). */
  lifetimeMs: number;
  sessionId: string;
  user: User;
}

type TabMessage =
  | { type: 'refreshing'; id: string }
  | { type: 'refresh-failed'; id: string }
  | { type: 'tokens'; id?: string; signIn: boolean; current: Current; refreshToken?: string }
  | { type: 'signed-out'; everywhere: boolean }
  | { type: 'revoked'; code: string; source: RevokedSource }
  // A new tab asks; the signed-in tabs answer with the session they hold.
  | { type: 'hello' }
  | { type: 'session'; current: Current; refreshToken?: string };

const LOCK_PREFIX = 'authmeet-refresh:';

/**
 * The browser side of a session. Holds the access token in memory; refreshes it single-flight
 * across every tab (a Web Lock serialises refreshes, a BroadcastChannel hands the new token to
 * the other tabs, so two tabs never present one refresh token twice); retries a request once
 * after a refresh when the access token was refused (`TOKEN_EXPIRED` and the like); and emits
 * `session.revoked`, in every tab, when the session turns out to be over.
 *
 * `fetch` is what the typed clients send through (see `createApiClients`).
 */
export class SessionManager {
  readonly mode: SessionMode;
  private readonly authBaseUrl: string;
  private readonly store: RefreshTokenStore;
  private readonly refreshAheadMs: number | false;
  private readonly send: (request: Request) => Promise<Response>;
  private readonly locks: LockManagerLike | null;
  private readonly lockName: string;
  private readonly channel: ChannelLike | null;
  private readonly peerWaitMs: number;
  private readonly refreshTimeoutMs: number;
  private readonly helloWaitMs: number;
  /** Resolves when an open tab answered this tab's hello with its session. */
  private readonly greeted: Promise<void>;
  private greet: () => void = () => {};
  private readonly peers = new PeerRefreshes();
  private readonly listeners = new Map<SessionEventName, Set<(event: never) => void>>();

  private current: Current | null = null;
  /** Cookie mode: a session cookie is believed to exist (signed in here, or restored). */
  private cookieSession = false;
  /** Bumped whenever the tokens change or the session ends, here or through another tab. */
  private generation = 0;
  private refreshing: Promise<RefreshOutcome> | undefined;

  constructor(options: SessionOptions) {
    this.mode = options.mode;
    this.authBaseUrl = (options.authBaseUrl ?? '').replace(/\/+$/, '');
    this.store = options.refreshTokenStore ?? memoryRefreshTokenStore();
    this.refreshAheadMs = options.refreshAheadMs ?? 30_000;
    this.send = options.fetch ?? ((request) => globalThis.fetch(request));
    this.locks = options.locks === undefined ? defaultLocks() : options.locks;
    const channelName = options.channelName ?? 'authmeet-session';
    this.lockName = LOCK_PREFIX + channelName;
    this.channel = options.channel === undefined ? defaultChannel(channelName) : options.channel;
    this.peerWaitMs = options.peerWaitMs ?? 1000;
    this.refreshTimeoutMs = options.refreshTimeoutMs ?? 15_000;
    this.helloWaitMs = options.helloWaitMs ?? 100;
    this.greeted = new Promise((resolve) => (this.greet = resolve));
    if (this.channel) {
      this.channel.onmessage = (event) => void this.receive(event.data as TabMessage);
      this.broadcast({ type: 'hello' });
    }
  }

  /** The signed-in user, or null. */
  get user(): User | null {
    return this.current?.user ?? null;
  }

  get sessionId(): string | null {
    return this.current?.sessionId ?? null;
  }

  /** The access token in memory, as it is (maybe expired): for code that cannot send through `fetch`. */
  get accessToken(): string | null {
    return this.current?.accessToken ?? null;
  }

  get isSignedIn(): boolean {
    return this.current !== null;
  }

  on<E extends SessionEventName>(name: E, listener: (event: SessionEvents[E]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => set.delete(listener as (event: never) => void);
  }

  /** Password login. A user with a second factor gets `mfa-required`: finish with `verifyMfa`. */
  async login(input: LoginInput): Promise<LoginResult> {
    const body = await this.signIn('/v1/auth/login', input as Record<string, unknown>);
    if ('mfaRequired' in body) return { status: 'mfa-required', mfaToken: body.mfaToken, methods: body.methods };
    return { status: 'signed-in', user: body.user };
  }

  async verifyMfa(input: MfaVerifyInput): Promise<User> {
    const body = await this.signIn('/v1/auth/mfa/verify', input as Record<string, unknown>);
    if ('mfaRequired' in body) throw new Error('the auth-service asked for a second factor again');
    return body.user;
  }

  /**
   * Any route that answers a tokens body (passkey login, OAuth code exchange, ...): posts
   * `body` (with `cookie: true` in cookie mode) and signs the answer in, in every tab.
   */
  async signIn(path: SignInPath, body: Record<string, unknown>): Promise<TokensBody | MfaChallenge> {
    const response = await this.post(path, this.mode === 'cookie' ? { ...body, cookie: true } : body);
    if (!response.ok) throw new ApiError(response.status, await problemOf(response));
    const answer = (await response.json()) as TokensBody | MfaChallenge;
    if ('mfaRequired' in answer) return answer;
    await this.adopt(answer, { signIn: true });
    return answer;
  }

  /**
   * At page load: signs back in from the refresh cookie (cookie mode) or the stored refresh
   * token (body mode). False when there is no session; that is not a revocation and emits nothing.
   */
  async restore(): Promise<boolean> {
    // A tab already open hands its session over: no refresh for a new tab.
    if (this.channel && !this.current) await Promise.race([this.greeted, new Promise((resolve) => setTimeout(resolve, this.helloWaitMs))]);
    if (this.current) return true;
    if (this.mode === 'body' && (await this.store.get()) === null) return false;
    this.cookieSession = this.mode === 'cookie';
    const outcome = await this.refreshOnce(null, { quiet: true });
    return outcome.ok;
  }

  /** A new access token now (single-flight across tabs). False when the session is over or the refresh failed. */
  async refresh(): Promise<boolean> {
    return (await this.refreshOnce(this.current?.accessToken ?? null)).ok;
  }

  /** Revokes this session at the auth-service and signs out every tab. */
  logout(): Promise<void> {
    return this.signOut('/v1/auth/logout', false);
  }

  /** Revokes every session of the user (every device) and signs out every tab here. */
  logoutAll(): Promise<void> {
    return this.signOut('/v1/auth/logout-all', true);
  }

  /**
   * `fetch` with the access token: refreshes first when it is about to expire, and once more
   * (then retries the request once) when the API refuses it as expired, invalid or revoked. A
   * request that already carries an `Authorization` header is sent as it is.
   */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (request.headers.has('authorization')) return this.send(request);
    const token = await this.freshAccessToken();
    if (token === null) return this.send(request);
    const spare = request.clone();
    const response = await this.send(withBearer(request, token));
    if (response.status !== 401) return response;
    const problem = await problemOf(response);
    if (problem === undefined || !ACCESS_TOKEN_CODES.has(problem.code)) return response;
    const outcome = await this.refreshOnce(token);
    if (!outcome.ok || this.current === null) return response;
    await response.body?.cancel();
    return this.send(withBearer(spare, this.current.accessToken));
  };

  /** The access token to send now: refreshed first if it expires within the refresh-ahead window. Null when signed out. */
  async freshAccessToken(): Promise<string | null> {
    if (this.current && !this.expiringSoon(this.current)) return this.current.accessToken;
    if (this.current === null && !(await this.mayHaveSession())) return null;
    await this.refreshOnce(this.current?.accessToken ?? null);
    return this.current?.accessToken ?? null;
  }

  /**
   * Called when something other than a response says the session is over (an event stream's
   * `stream.closed` with reason `revoked`): signs out every tab with `session.revoked`.
   */
  async sessionEnded(code: string, source: RevokedSource): Promise<void> {
    await this.end({ type: 'revoked', code, source }, false);
  }

  /**
   * After an access token was refused, or ran out (`stream.closed` reason `expired`): a new one
   * unless another tab or request already got it. False when the session is over.
   */
  async replaceAccessToken(stale: string): Promise<boolean> {
    return (await this.refreshOnce(stale)).ok;
  }

  /** Stops listening to the other tabs. */
  close(): void {
    if (this.channel) {
      this.channel.onmessage = null;
      this.channel.close();
    }
  }

  // --- refresh ---------------------------------------------------------------------------

  private expiringSoon(current: Current): boolean {
    // false: the API's 401 alone says when the token is over.
    if (this.refreshAheadMs === false) return false;
    return Date.now() >= current.expiresAt - Math.min(this.refreshAheadMs, current.lifetimeMs / 2);
  }

  private async mayHaveSession(): Promise<boolean> {
    if (this.current) return true;
    return this.mode === 'cookie' ? this.cookieSession : (await this.store.get()) !== null;
  }

  /** One refresh at a time in this tab; the lock makes it one at a time across tabs too. */
  private refreshOnce(stale: string | null, opts: { quiet?: boolean } = {}): Promise<RefreshOutcome> {
    if (this.refreshing) return this.refreshing;
    const seen = this.generation;
    const run = this.withLock(() => this.refreshUnderLock(stale, seen, opts.quiet === true)).finally(() => {
      if (this.refreshing === run) this.refreshing = undefined;
    });
    this.refreshing = run;
    return run;
  }

  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.locks ? this.locks.request(this.lockName, fn) : fn();
  }

  private async refreshUnderLock(stale: string | null, seen: number, quiet: boolean): Promise<RefreshOutcome> {
    // A tab that held the lock before us announced its refresh; its result may still be in flight.
    await this.peers.settled(this.peerWaitMs);
    if (this.current) {
      // Another tab (or another request here) already replaced the token this refresh was for.
      const replaced = stale === null ? this.generation !== seen : this.current.accessToken !== stale;
      if (replaced && !this.expiringSoon(this.current)) return { ok: true };
    } else if (this.generation !== seen) {
      // The session ended meanwhile (here or in another tab), and was reported then.
      return { ok: false, ended: true, code: 'SIGNED_OUT' };
    }
    if (!(await this.mayHaveSession())) return { ok: false, ended: true, code: 'SIGNED_OUT' };

    const id = randomId();
    this.broadcast({ type: 'refreshing', id });
    let outcome: RefreshOutcome;
    try {
      const refreshToken = this.mode === 'body' ? await this.store.get() : null;
      const body = this.mode === 'cookie' ? { cookie: true } : { refreshToken };
      const response = await this.post('/v1/auth/refresh', body, null, AbortSignal.timeout(this.refreshTimeoutMs));
      if (response.ok) {
        await this.adopt((await response.json()) as TokensBody, { signIn: false, id });
        return { ok: true };
      }
      const problem = await problemOf(response);
      const code = problem?.code ?? `HTTP_${response.status}`;
      outcome = SESSION_ENDED_CODES.has(code) ? { ok: false, ended: true, code } : { ok: false, ended: false, error: new ApiError(response.status, problem) };
    } catch (error) {
      outcome = { ok: false, ended: false, error };
    }
    this.broadcast({ type: 'refresh-failed', id });
    if (outcome.ended) {
      if (quiet) await this.forget();
      else await this.end({ type: 'revoked', code: outcome.code, source: 'refresh' }, false);
    }
    return outcome;
  }

  // --- state changes, here and from other tabs -----------------------------------------------

  private async adopt(tokens: TokensBody, opts: { signIn: boolean; id?: string }): Promise<void> {
    const lifetimeMs = tokens.expiresIn * 1000;
    const current: Current = {
      accessToken: tokens.accessToken,
      expiresAt: Date.now() + lifetimeMs,
      lifetimeMs,
      sessionId: tokens.sessionId,
      user: tokens.user,
    };
    const refreshToken = this.mode === 'body' ? tokens.refreshToken : undefined;
    if (refreshToken !== undefined) await this.store.set(refreshToken);
    this.set(current);
    const message: TabMessage = { type: 'tokens', signIn: opts.signIn, current };
    if (opts.id !== undefined) message.id = opts.id;
    if (refreshToken !== undefined) message.refreshToken = refreshToken;
    this.broadcast(message);
    if (opts.signIn) this.emit('session.signedIn', { user: current.user, fromOtherTab: false });
  }

  private set(current: Current): void {
    this.current = current;
    this.cookieSession = this.mode === 'cookie';
    this.generation += 1;
  }

  /** Clears the session here; true if there was one. */
  private async forget(): Promise<boolean> {
    const had = this.current !== null || this.cookieSession;
    this.current = null;
    this.cookieSession = false;
    this.generation += 1;
    if (this.mode === 'body') await this.store.set(null);
    return had;
  }

  private async end(message: Extract<TabMessage, { type: 'signed-out' | 'revoked' }>, fromOtherTab: boolean): Promise<void> {
    const had = await this.forget();
    if (!fromOtherTab) this.broadcast(message);
    // Once per session and tab, however many requests, streams and tabs noticed it.
    if (!had) return;
    if (message.type === 'revoked') this.emit('session.revoked', { code: message.code, source: message.source, fromOtherTab });
    else this.emit('session.signedOut', { everywhere: message.everywhere, fromOtherTab });
  }

  private async signOut(path: '/v1/auth/logout' | '/v1/auth/logout-all', everywhere: boolean): Promise<void> {
    const token = await this.freshAccessToken();
    try {
      if (token !== null || this.mode === 'cookie') {
        const response = await this.post(path, undefined, token);
        // 401: the session was already over; either way this tab is signed out.
        if (!response.ok && response.status !== 401) throw new ApiError(response.status, await problemOf(response));
      }
    } finally {
      await this.end({ type: 'signed-out', everywhere }, false);
    }
  }

  private async receive(message: TabMessage): Promise<void> {
    switch (message.type) {
      case 'refreshing':
        this.peers.started(message.id);
        return;
      case 'refresh-failed':
        this.peers.finished(message.id);
        return;
      case 'tokens': {
        // A refresh in another tab only updates a tab that is signed in; a login signs every tab in.
        if (message.signIn || this.current !== null || (await this.mayHaveSession())) {
          if (this.mode === 'body' && message.refreshToken !== undefined) await this.store.set(message.refreshToken);
          this.set(message.current);
          if (message.signIn) this.emit('session.signedIn', { user: message.current.user, fromOtherTab: true });
        }
        if (message.id !== undefined) this.peers.finished(message.id);
        return;
      }
      case 'signed-out':
      case 'revoked':
        await this.end(message, true);
        return;
      case 'hello': {
        const current = this.current;
        if (current === null) return;
        const refreshToken = this.mode === 'body' ? await this.store.get() : null;
        this.broadcast({ type: 'session', current, ...(refreshToken === null ? {} : { refreshToken }) });
        return;
      }
      case 'session': {
        // The first answer signs a new tab in; the others, and tabs already signed in, ignore it.
        if (this.current !== null) return;
        if (this.mode === 'body' && message.refreshToken !== undefined) await this.store.set(message.refreshToken);
        if (this.current !== null) return;
        this.set(message.current);
        this.greet();
        this.emit('session.signedIn', { user: message.current.user, fromOtherTab: true });
        return;
      }
    }
  }

  private broadcast(message: TabMessage): void {
    this.channel?.postMessage(message);
  }

  private emit<E extends SessionEventName>(name: E, event: SessionEvents[E]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as (event: SessionEvents[E]) => void)(event);
      } catch (error) {
        // One listener's failure must not keep the others from hearing it.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private post(path: string, body: unknown, token?: string | null, signal?: AbortSignal): Promise<Response> {
    const headers = new Headers({ accept: 'application/json' });
    if (body !== undefined) headers.set('content-type', 'application/json');
    if (token) headers.set('authorization', `Bearer ${token}`);
    return this.send(
      new Request(this.authBaseUrl + path, {
        method: 'POST',
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        // Cookie mode: the auth-service sets, reads and clears the refresh cookie on these calls.
        credentials: this.mode === 'cookie' ? 'include' : 'same-origin',
        ...(signal ? { signal } : {}),
      }),
    );
  }
}

function withBearer(request: Request, token: string): Request {
  const headers = new Headers(request.headers);
  headers.set('authorization', `Bearer ${token}`);
  return new Request(request, { headers });
}

function randomId(): string {
  return globalThis.crypto.randomUUID();
}
