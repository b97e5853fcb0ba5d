import { fileURLToPath } from 'node:url';
import { renderOpenApi } from '@authmeet/http-kit';
import { openApiDocumentTests } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

/**
 * services/meetings-service/openapi.json, which API clients are generated from: the document
 * the code generates, with the event stream's messages as schemas.
 */
let ctx: MeetingsContext;
beforeAll(async () => {
  ctx = await startMeetingsService();
});
afterAll(async () => ctx.close());

type Media = { schema: Record<string, unknown>; example?: unknown; examples?: Record<string, unknown> };
type Response = { $ref?: string; content?: Record<string, Media> };
type Operation = { operationId?: string; security?: unknown[]; responses: Record<string, Response> };
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { oneOf?: { $ref: string }[]; anyOf?: { $ref: string }[] }>; responses: Record<string, Response> };
};

/** A response, through its `$ref` to the shared problem responses. */
const resolved = (doc: Doc, response: Response | undefined) => (response?.$ref ? doc.components.responses[response.$ref.split('/').pop() ?? ''] : response);

describe('services/meetings-service/openapi.json', () => {
  openApiDocumentTests({
    pkg: '@authmeet/meetings-service',
    file: fileURLToPath(new URL('../openapi.json', import.meta.url)),
    render: () => renderOpenApi(ctx.app.swagger()),
  });

  it('every operation has an operationId and its security; errors are problem+json', () => {
    const doc = ctx.app.swagger() as unknown as Doc;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.operationId, `${method} ${path}`).toEqual(expect.any(String));
        expect(op.security, `${method} ${path}`).toEqual(path.startsWith('/internal/') ? [{ serviceKey: [] }] : [{ bearerAuth: [] }]);
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 400) expect(Object.keys(resolved(doc, response)?.content ?? {}), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
        }
      }
    }
  });

  it('types the event stream: its messages as schemas, its errors as problems', () => {
    const doc = ctx.app.swagger() as unknown as Doc;
    const events = doc.paths['/v1/meetings/{id}/events']?.['get'];
    expect(Object.keys(events?.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    expect(events?.responses['200']?.content?.['text/event-stream']?.schema).toEqual({ $ref: '#/components/schemas/MeetingStreamEvent' });
    for (const status of ['401', '403', '404', '429']) expect(Object.keys(resolved(doc, events?.responses[status])?.content ?? {})).toEqual(['application/problem+json']);
    const union = doc.components.schemas['MeetingStreamEvent'];
    const members = (union?.oneOf ?? union?.anyOf ?? []).map((m) => m.$ref.split('/').pop());
    expect(members).toEqual(['ParticipantJoinedEvent', 'ParticipantLeftEvent', 'ParticipantRemovedEvent', 'MeetingEndedEvent', 'StreamClosedEvent']);
    expect(JSON.stringify(doc.components.schemas['StreamClosedData'])).toContain('"revoked"');
  });

  it("join's problem responses carry the codes it answers", () => {
    const doc = ctx.app.swagger() as unknown as Doc;
    const join = doc.paths['/v1/meetings/join']?.['post'];
    const codes = (status: string) => Object.keys(resolved(doc, join?.responses[status])?.content?.['application/problem+json']?.examples ?? {}).sort();
    expect(codes('409')).toEqual(['MEETING_ENDED', 'MEETING_FULL']);
    expect(codes('403')).toEqual(['ACCOUNT_DISABLED', 'REMOVED_FROM_MEETING']);
    expect(codes('404')).toEqual(['NOT_FOUND']);
  });
});
