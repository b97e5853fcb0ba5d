import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { expectNotStored } from '@authmeet/test-kit';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeeting, newUser, serviceKey, userData } from '../factories.js';
import type { MeetingBody, TestUser } from '../factories.js';
import { openSse } from '../helpers/sse-client.js';
import { startMeetingsService } from '../test-app.js';
import type { MeetingsContext } from '../test-app.js';

/**
 * Meetings, participants' names and live events are personal data: no browser or proxy may
 * keep a copy. Every /v1/ and /internal/ answer and every error says `Cache-Control: no-store`.
 */
let ctx: MeetingsContext;
let host: TestUser;
let meeting: MeetingBody;

beforeAll(async () => {
  ctx = await startMeetingsService();
  host = await newUser(ctx.app, ctx.issuer);
  meeting = await createMeeting(ctx.app, host);
});
afterAll(async () => ctx.close());


const cases: [string, () => InjectOptions, number][] = [
  ['create', () => ({ method: 'POST', url: '/v1/meetings', headers: host.headers, payload: { title: 'Standup' } }), 201],
  ['list', () => ({ method: 'GET', url: '/v1/meetings', headers: host.headers }), 200],
  ['one', () => ({ method: 'GET', url: `/v1/meetings/${meeting.id}`, headers: host.headers }), 200],
  ['participants', () => ({ method: 'GET', url: `/v1/meetings/${meeting.id}/participants`, headers: host.headers }), 200],
  ['internal sync', () => ({ method: 'PUT', url: `/internal/v1/users/${randomUUID()}`, headers: serviceKey, payload: userData() }), 200],
  ['401 problem', () => ({ method: 'GET', url: '/v1/meetings' }), 401],
  ['404 problem', () => ({ method: 'GET', url: `/v1/meetings/${randomUUID()}`, headers: host.headers }), 404],
  ['404 problem outside /v1', () => ({ method: 'GET', url: '/nowhere' }), 404],
];

describe('Cache-Control: no-store', () => {
  it.each(cases)('%s', async (_name, request, status) => expectNotStored(await ctx.app.inject(request()), status));

  it('on the live event stream, which proxies must still not transform', async () => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
    const stream = await openSse(`${base}/v1/meetings/${meeting.id}/events`, host.headers);
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers.get('cache-control')).toBe('no-store, no-transform');
    } finally {
      stream.close();
    }
  });
});
