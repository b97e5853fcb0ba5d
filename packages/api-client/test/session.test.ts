import { eventually } from '@authmeet/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryRefreshTokenStore, openEventStream } from '../src/index.js';
import type { StreamEvent } from '../src/index.js';
import { browserName, newAccount, recordingFetch, startServices } from './support/services.js';
import type { Recorder, Services } from './support/services.js';
import { openTab, signedIn } from './support/tabs.js';
import type { Tab } from './support/tabs.js';

let services: Services;
const opened: Tab[] = [];

beforeAll(async () => {
  services = await startServices();
});
afterAll(async () => {
  await services?.close();
});
afterEach(() => {
  for (const tab of opened.splice(0)) tab.session.close();
});

const tab = (browser: string, recorder: Recorder, options: Parameters<typeof openTab>[3] = {}) => {
  const t = openTab(services, browser, recorder, options);
  opened.push(t);
  return t;
};

describe('typed clients on a session (body mode)', () => {
  it('logs in and calls both services with the access token', async () => {
    const recorder = recordingFetch();
    const { session, api } = tab(browserName(), recorder);
    const account = newAccount();

    const registered = await api.auth.POST('/v1/auth/register', { body: account });
    expect(registered.response.status).toBe(201);
    const userId = registered.data?.user.id;
    expect(session.isSignedIn).toBe(false);

    const result = await session.login({ identifier: account.email, password: account.password });
    expect(result).toMatchObject({ status: 'signed-in', user: { id: userId, email: account.email } });
    expect(session.user?.username).toBe(account.username);

    const me = await api.auth.GET('/v1/auth/me');
    expect(me.response.status).toBe(200);
    expect(me.data?.id).toBe(userId);

    const created = await api.meetings.POST('/v1/meetings', { body: { title: 'Weekly planning' } });
    expect(created.response.status).toBe(201);
    expect(created.data?.hostId).toBe(userId);
    const mine = await api.meetings.GET('/v1/meetings', { params: { query: { role: 'host' } } });
    expect(mine.data?.items.map((m) => m.id)).toEqual([created.data?.id]);
  });

  it('turns a refused login into an ApiError with the problem code, and stays signed out', async () => {
    const recorder = recordingFetch();
    const { session, api, events } = tab(browserName(), recorder);
    const account = newAccount();
    await api.auth.POST('/v1/auth/register', { body: account });

    await expect(session.login({ identifier: account.username, password: 'Not-the-password-1!' })).rejects.toMatchObject({
      name: 'ApiError',
      status: 401,
      code: 'INVALID_CREDENTIALS',
    });
    expect(session.isSignedIn).toBe(false);
    expect(events['session.signedIn']).toEqual([]);
    // Unauthenticated requests go out without a token and are refused as such, not retried.
    const me = await api.auth.GET('/v1/auth/me');
    expect(me.response.status).toBe(401);
    expect(recorder.count('POST', '/v1/auth/refresh')).toBe(0);
  });

  it('restores the session from the refresh-token store at page load, and says no quietly when there is none', async () => {
    const recorder = recordingFetch();
    const store = memoryRefreshTokenStore();
    const before = tab(browserName(), recorder, { refreshTokenStore: store });
    const account = await signedIn(before);
    before.session.close();

    // A reload: a new page, nothing in memory, the same storage.
    const after = tab(browserName(), recorder, { refreshTokenStore: store });
    expect(await after.session.restore()).toBe(true);
    expect(after.session.user?.username).toBe(account.username);
    expect((await after.api.auth.GET('/v1/auth/me')).response.status).toBe(200);

    const fresh = tab(browserName(), recorder);
    expect(await fresh.session.restore()).toBe(false);
    expect(fresh.events['session.revoked']).toEqual([]);
  });
});

describe('two tabs of one browser', () => {
  it('share a login: the other tab is signed in through the channel', async () => {
    const recorder = recordingFetch();
    const browser = browserName();
    const [a, b] = [tab(browser, recorder), tab(browser, recorder)];
    const account = await signedIn(a, b);

    expect(b.events['session.signedIn']).toEqual([{ user: expect.objectContaining({ username: account.username }), fromOtherTab: true }]);
    expect(a.events['session.signedIn']).toEqual([{ user: expect.objectContaining({ username: account.username }), fromOtherTab: false }]);
    expect((await b.api.auth.GET('/v1/auth/me')).data?.username).toBe(account.username);
  });

  it('a tab opened later gets the session from an open tab, without a refresh', async () => {
    const recorder = recordingFetch();
    const browser = browserName();
    const a = tab(browser, recorder);
    const account = await signedIn(a);

    const later = tab(browser, recorder);
    expect(await later.session.restore()).toBe(true);
    expect(later.session.user?.username).toBe(account.username);
    expect(later.events['session.signedIn']).toEqual([{ user: expect.objectContaining({ username: account.username }), fromOtherTab: true }]);
    expect(a.events['session.signedIn']).toHaveLength(1);
    expect(recorder.count('POST', '/v1/auth/refresh')).toBe(0);
    expect((await later.api.auth.GET('/v1/auth/me')).response.status).toBe(200);

    // It got the refresh token too (body mode, memory store): it goes on alone once the first tab is closed.
    a.session.close();
    expect(await later.session.refresh()).toBe(true);
    expect(recorder.sent.filter((r) => r.path === '/v1/auth/refresh').map((r) => r.status)).toEqual([200]);
  });

  it('refreshing at once make one refresh call and both stay signed in', async () => {
    const recorder = recordingFetch();
    const browser = browserName();
    const [a, b] = [tab(browser, recorder), tab(browser, recorder)];
    await signedIn(a, b);
    const before = a.session.accessToken;

    for (let round = 1; round <= 3; round += 1) {
      expect(await Promise.all([a.session.refresh(), b.session.refresh()])).toEqual([true, true]);
      expect(recorder.count('POST', '/v1/auth/refresh')).toBe(round);
      expect(b.session.accessToken).toBe(a.session.accessToken);
    }
    expect(a.session.accessToken).not.toBe(before);
    // Each round rotated the refresh token both tabs hold: none was refused as reused.
    expect(recorder.sent.filter((r) => r.path === '/v1/auth/refresh').map((r) => r.status)).toEqual([200, 200, 200]);
    for (const t of [a, b]) {
      expect((await t.api.auth.GET('/v1/auth/me')).response.status).toBe(200);
      expect(t.events['session.revoked']).toEqual([]);
    }
  });

  it('without the Web Lock, both tabs would refresh (what the test above rules out)', async () => {
    const recorder = recordingFetch();
    const browser = browserName();
    const [a, b] = [tab(browser, recorder, { locks: null }), tab(browser, recorder, { locks: null })];
    await signedIn(a, b);

    await Promise.all([a.session.refresh(), b.session.refresh()]);
    expect(recorder.count('POST', '/v1/auth/refresh')).toBe(2);
  });

  it('log out in one tab signs the other out too', async () => {
    const recorder = recordingFetch();
    const browser = browserName();
    const [a, b] = [tab(browser, recorder), tab(browser, recorder)];
    await signedIn(a, b);
    const token = a.session.accessToken;

    await a.session.logout();
    expect(a.events['session.signedOut']).toEqual([{ everywhere: false, fromOtherTab: false }]);
    await eventually(() => expect(b.events['session.signedOut']).toEqual([{ everywhere: false, fromOtherTab: true }]));
    expect(b.session.isSignedIn).toBe(false);
    // The session is over at the server, not only in the tabs.
    const me = await fetch(`${services.authUrl}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
    expect(a.events['session.revoked']).toEqual([]);
    expect(b.events['session.revoked']).toEqual([]);
  });
});

describe('log out everywhere from another device', () => {
  async function twoTabsAndAnotherDevice(recorder: Recorder) {
    const browser = browserName();
    const [a, b] = [tab(browser, recorder), tab(browser, recorder)];
    const account = await signedIn(a, b);
    const device = tab(browserName(), recorder);
    await device.session.login({ identifier: account.username, password: account.password });
    return { a, b, device };
  }

  it('a live event stream tells one tab, and session.revoked reaches both', async () => {
    const recorder = recordingFetch();
    const { a, b, device } = await twoTabsAndAnotherDevice(recorder);
    const meeting = await a.api.meetings.POST('/v1/meetings', { body: { title: 'Retro' } });
    const eventsPath = `/v1/meetings/${meeting.data?.id}/events`;
    const received: StreamEvent[] = [];
    const opens: { reconnected: boolean }[] = [];
    const stream = openEventStream(a.session, services.meetingsUrl + eventsPath, { onEvent: (e) => received.push(e), onOpen: (info) => opens.push(info) });
    await eventually(() => expect(recorder.sent.find((r) => r.path === eventsPath)?.status).toBe(200));
    // onOpen: once the stream answered, the first connection (what a "live" indicator waits for).
    await eventually(() => expect(opens).toEqual([{ reconnected: false }]));

    await device.session.logoutAll();
    expect(device.events['session.signedOut']).toEqual([{ everywhere: true, fromOtherTab: false }]);

    // api.md: the stream ends within 1 s of the revocation, with stream.closed { reason: revoked }.
    expect(await stream.ended).toEqual({ reason: 'revoked' });
    expect(a.events['session.revoked']).toEqual([{ code: 'SESSION_REVOKED', source: 'stream', fromOtherTab: false }]);
    await eventually(() => expect(b.events['session.revoked']).toEqual([{ code: 'SESSION_REVOKED', source: 'stream', fromOtherTab: true }]));
    expect([a.session.isSignedIn, b.session.isSignedIn]).toEqual([false, false]);
    // Signed out by the signal alone: neither tab sent a request after the logout.
    expect(recorder.count('POST', '/v1/auth/refresh')).toBe(0);
    expect(recorder.sent.filter((r) => r.path === '/v1/auth/me')).toEqual([]);
  });

  it('the next request of one tab finds out (the refresh fails), and session.revoked reaches both', async () => {
    const recorder = recordingFetch();
    const { a, b, device } = await twoTabsAndAnotherDevice(recorder);

    await device.session.logoutAll();
    const me = await a.api.auth.GET('/v1/auth/me');

    expect(me.response.status).toBe(401);
    // Refused as revoked, then one refresh to tell "revoked" from "new claims" (a role change), refused too.
    expect(recorder.sent.filter((r) => r.path === '/v1/auth/me' || r.path === '/v1/auth/refresh')).toEqual([
      { method: 'GET', path: '/v1/auth/me', status: 401, code: 'TOKEN_REVOKED' },
      { method: 'POST', path: '/v1/auth/refresh', status: 401, code: 'REFRESH_TOKEN_INVALID' },
    ]);
    expect(a.events['session.revoked']).toEqual([{ code: 'REFRESH_TOKEN_INVALID', source: 'refresh', fromOtherTab: false }]);
    await eventually(() => expect(b.events['session.revoked']).toEqual([{ code: 'REFRESH_TOKEN_INVALID', source: 'refresh', fromOtherTab: true }]));
    expect([a.session.isSignedIn, b.session.isSignedIn]).toEqual([false, false]);

    // B learnt it from A: its own request goes out unauthenticated, with no second refresh.
    expect((await b.api.auth.GET('/v1/auth/me')).response.status).toBe(401);
    expect(recorder.count('POST', '/v1/auth/refresh')).toBe(1);
  });
});
