import { eventually } from '@authmeet/test-kit';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { openEventStream } from '../src/index.js';
import type { StreamEvent } from '../src/index.js';
import { browserName, recordingFetch, startServices } from './support/services.js';
import type { Recorder, Services } from './support/services.js';
import { openTab, signedIn } from './support/tabs.js';
import type { Tab } from './support/tabs.js';

// Access tokens that live one second, checked without clock tolerance by the meetings-service,
// and tabs that do not refresh ahead: every request after a short wait meets TOKEN_EXPIRED.
let services: Services;
const opened: Tab[] = [];

beforeAll(async () => {
  services = await startServices({ auth: { ACCESS_TOKEN_TTL: '1' }, meetings: { JWT_CLOCK_TOLERANCE_SEC: '0' } });
});
afterAll(async () => {
  await services?.close();
});
afterEach(() => {
  for (const tab of opened.splice(0)) tab.session.close();
});

const tab = (browser: string, recorder: Recorder) => {
  const t = openTab(services, browser, recorder, { refreshAheadMs: false });
  opened.push(t);
  return t;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('a request refused with TOKEN_EXPIRED is retried once after one refresh, in two tabs at once', async () => {
  const recorder = recordingFetch();
  const browser = browserName();
  const [a, b] = [tab(browser, recorder), tab(browser, recorder)];
  await signedIn(a, b);
  await sleep(2100);

  const [fromA, fromB] = await Promise.all([a.api.meetings.GET('/v1/meetings'), b.api.meetings.GET('/v1/meetings')]);

  expect([fromA.response.status, fromB.response.status]).toEqual([200, 200]);
  expect(fromA.data?.items).toEqual([]);
  const listCalls = recorder.sent.filter((r) => r.path === '/v1/meetings');
  expect(listCalls.filter((r) => r.status === 401).map((r) => r.code)).toEqual(['TOKEN_EXPIRED', 'TOKEN_EXPIRED']);
  expect(listCalls.filter((r) => r.status === 200)).toHaveLength(2);
  expect(recorder.count('POST', '/v1/auth/refresh')).toBe(1);
  expect(b.session.accessToken).toBe(a.session.accessToken);
  expect([...a.events['session.revoked'], ...b.events['session.revoked']]).toEqual([]);
});

it('a request body survives the retry', async () => {
  const recorder = recordingFetch();
  const a = tab(browserName(), recorder);
  await signedIn(a);
  await sleep(2100);

  const created = await a.api.meetings.POST('/v1/meetings', { body: { title: 'Sent twice, created once' } });

  expect(created.response.status).toBe(201);
  expect(created.data?.title).toBe('Sent twice, created once');
  expect(recorder.sent.filter((r) => r.path === '/v1/meetings').map((r) => r.status)).toEqual([401, 201]);
});

it('an event stream closed as expired goes on with a renewed token, and still delivers events', async () => {
  const recorder = recordingFetch();
  const host = tab(browserName(), recorder);
  await signedIn(host);
  const meeting = await host.api.meetings.POST('/v1/meetings', { body: { title: 'Long call' } });
  const eventsPath = `/v1/meetings/${meeting.data?.id}/events`;
  const received: StreamEvent[] = [];
  const stream = openEventStream(host.session, services.meetingsUrl + eventsPath, { onEvent: (e) => received.push(e), reconnectMs: 100 });

  // The first stream ends at its token's exp (stream.closed reason expired); the session renews it.
  await eventually(() => expect(recorder.sent.filter((r) => r.path === eventsPath && r.status === 200).length).toBeGreaterThanOrEqual(2), 8000);
  expect(recorder.count('POST', '/v1/auth/refresh')).toBeGreaterThanOrEqual(1);

  const guest = tab(browserName(), recorder);
  await signedIn(guest);
  // No replay between two streams: join right after a renewed stream opened (it lives ~1 s).
  const opened = () => recorder.sent.filter((r) => r.path === eventsPath && r.status === 200).length;
  const before = opened();
  await eventually(() => expect(opened()).toBeGreaterThan(before), 8000, 2);
  await guest.api.meetings.POST('/v1/meetings/join', { body: { code: meeting.data?.code ?? '' } });
  await eventually(() => expect(received.map((e) => e.event)).toContain('participant.joined'), 8000);

  stream.close();
  expect(await stream.ended).toEqual({ reason: 'closed' });
  expect(host.session.isSignedIn).toBe(true);
  expect(host.events['session.revoked']).toEqual([]);
});

it('by default a tab refreshes ahead of expiry, before sending the request', async () => {
  const recorder = recordingFetch();
  // Refresh ahead 30 s by default, capped at half the token's lifetime: 0.5 s here.
  const t = openTab(services, browserName(), recorder);
  opened.push(t);
  await signedIn(t);
  const afterLogin = recorder.sent.length;
  await sleep(600);

  const list = await t.api.meetings.GET('/v1/meetings');

  expect(list.response.status).toBe(200);
  expect(recorder.sent.slice(afterLogin, afterLogin + 2).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
    'POST /v1/auth/refresh 200',
    // (the 1 s token the refresh got is fresh, barring the last milliseconds of a second)
    expect.stringMatching(/^GET \/v1\/meetings (200|401)$/),
  ]);
});
