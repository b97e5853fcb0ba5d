import { describe, expect, it } from 'vitest';
import { AppError, accessTokenVerification, createHttpApp, defineErrors, genericErrors } from '../src/index.js';

const { catalogue, appError, publicCode } = defineErrors({
  SEAT_TAKEN: { status: 409, title: 'The seat is taken' },
  CODE_INVALID_INPUT: { status: 400, title: 'The code is not valid', wireCode: 'CODE_INVALID' },
});

describe('defineErrors', () => {
  it('merges the generic codes with the service\'s own', () => {
    expect(Object.keys(catalogue)).toEqual([...Object.keys(genericErrors), 'SEAT_TAKEN', 'CODE_INVALID_INPUT']);
  });

  it('raises a domain code with its status, title and wire code', () => {
    const seat = appError('SEAT_TAKEN', { detail: 'Row 3' });
    expect(seat).toBeInstanceOf(AppError);
    expect(seat).toMatchObject({ code: 'SEAT_TAKEN', publicCode: 'SEAT_TAKEN', status: 409, title: 'The seat is taken', detail: 'Row 3' });
    expect(appError('CODE_INVALID_INPUT')).toMatchObject({ code: 'CODE_INVALID_INPUT', publicCode: 'CODE_INVALID', status: 400 });
    expect(publicCode('CODE_INVALID_INPUT')).toBe('CODE_INVALID');
    expect(appError('NOT_FOUND')).toMatchObject({ status: 404, publicCode: 'NOT_FOUND' });
  });

  it('answers a domain code as a problem and lists every code of the catalogue in the document', async () => {
    const docs = { title: 't', version: '0', description: 'd', errors: catalogue };
    const app = await createHttpApp({ service: 'kit-test', logger: false, trustProxy: false, bodyLimit: 1024, corsOrigins: [], docs });
    app.get('/seat', async () => {
      throw appError('CODE_INVALID_INPUT');
    });
    const res = await app.inject({ method: 'GET', url: '/seat' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CODE_INVALID', title: 'The code is not valid', type: 'urn:authmeet:problem:code-invalid' });
    type Doc = { info: { description: string }; components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } } };
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<Doc>();
    const codes = doc.components.schemas.Problem.properties.code.enum;
    expect(codes).toEqual(expect.arrayContaining(['SEAT_TAKEN', 'CODE_INVALID', 'NOT_FOUND']));
    expect(codes).not.toContain('CODE_INVALID_INPUT');
    expect(doc.info.description).toContain('| `SEAT_TAKEN` | 409 | The seat is taken |');
    expect(doc.info.description).toContain('| `CODE_INVALID` | 400 |');
    expect(doc.info.description).toContain('`DEPENDENCY_UNAVAILABLE`');
    await app.close();
  });
});

describe('accessTokenVerification', () => {
  it('translates token failures, passes admit\'s AppErrors and maps its other failures', async () => {
    const expired = Object.assign(new Error('x'), { code: 'TOKEN_EXPIRED' });
    await expect(accessTokenVerification(() => Promise.reject(expired))('t')).rejects.toMatchObject({ code: 'TOKEN_EXPIRED', status: 401 });
    const ok = () => Promise.resolve({ sub: 'u' });
    const forbidden = new AppError('FORBIDDEN');
    await expect(accessTokenVerification(ok, { admit: () => Promise.reject(forbidden) })('t')).rejects.toBe(forbidden);
    const outage = new Error('db down');
    const mapped = new AppError('DEPENDENCY_UNAVAILABLE', { retryAfter: 2 });
    await expect(accessTokenVerification(ok, { admit: () => Promise.reject(outage), mapError: () => mapped })('t')).rejects.toBe(mapped);
    await expect(accessTokenVerification(ok, { admit: () => Promise.reject(outage) })('t')).rejects.toMatchObject({ code: 'INTERNAL_ERROR', cause: outage });
    await expect(accessTokenVerification(ok, { admit: () => Promise.resolve() })('t')).resolves.toEqual({ sub: 'u' });
  });
});
