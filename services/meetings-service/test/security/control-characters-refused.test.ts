import { randomUUID } from 'node:crypto';
import { mapInfrastructureError, toAppError } from '@authmeet/http-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeeting, expectProblem, newUser, serviceKey, userData } from '../factories.js';
import type { TestUser } from '../factories.js';
import { startMeetingsService } from '../test-app.js';
import type { MeetingsContext } from '../test-app.js';

/**
 * Titles, descriptions and the user copy's names never carry control characters into the
 * database (NUL used to answer 500, Postgres 22021); titles also refuse bidi formatting
 * characters, which would let a title display as something else.
 */
const NUL = '\u0000';
const NEL = '\u0085';
const RLO = '\u202E';

let ctx: MeetingsContext;
let host: TestUser;

beforeAll(async () => {
  ctx = await startMeetingsService();
  host = await newUser(ctx.app, ctx.issuer);
});
afterAll(async () => ctx.close());

function expectFieldRefused(res: Parameters<typeof expectProblem>[0], field: string) {
  const body = expectProblem(res, 400, 'VALIDATION_FAILED');
  expect((body.errors as { path: string }[]).map((e) => e.path)).toContain(field);
}

describe.each([
  ['NUL', NUL],
  ['U+0085', NEL],
  ['U+202E', RLO],
])('%s', (_name, bad) => {
  it.each(['title', 'description'])('in POST /v1/meetings %s', async (field) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/meetings',
      headers: host.headers,
      payload: { title: 'Standup', [field]: `Weekly${bad}sync` },
    });
    expectFieldRefused(res, field);
  });
});

describe.each([
  ['NUL', NUL],
  ['U+0085', NEL],
])('%s from the user sync', (_name, bad) => {
  it.each(['email', 'username', 'firstName', 'lastName'])('in PUT /internal/v1/users %s', async (field) => {
    const res = await ctx.app.inject({
      method: 'PUT',
      url: `/internal/v1/users/${randomUUID()}`,
      headers: serviceKey,
      payload: userData({ [field]: `Ada${bad}x` }),
    });
    expectFieldRefused(res, field);
  });
});

describe('what stays allowed', () => {
  it('a description with paragraphs, tabs and right-to-left text', async () => {
    const description = 'Agenda:\n\t1. שלום\r\n\t2. \u2067مرحبا\u2069 review';
    const m = await createMeeting(ctx.app, host, { title: 'Revue du projet – 2e trimestre', description });
    expect(m).toMatchObject({ title: 'Revue du projet – 2e trimestre', description });
  });

  it('a line break in a title is refused', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/meetings', headers: host.headers, payload: { title: 'Standup\n' } });
    expectFieldRefused(res, 'title');
  });
});

describe('a database data exception reached some other way', () => {
  it('22021 (NUL in text) maps to 400, not 500', async () => {
    const refusal: unknown = await ctx.app.prisma.meeting.findFirst({ where: { title: `x${NUL}` } }).catch((e: unknown) => e);
    expect(toAppError(refusal, mapInfrastructureError)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });
});
