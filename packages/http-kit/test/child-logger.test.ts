import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { createHttpApp, deferredChildLogger, loggerOptions } from '../src/index.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

function parent(level: string) {
  const { lines, stream } = capture();
  const logger = pino({ ...loggerOptions('kit-test', { level, pretty: false }) }, stream);
  const child = vi.spyOn(logger, 'child');
  return { logger, lines, child };
}

const deferred = (logger: Logger, options = {}) => deferredChildLogger(logger, { reqId: 'req-1' }, options) as unknown as Logger;

describe('deferredChildLogger', () => {
  it('builds no child for calls below the level, and one child, reused, for calls that write', () => {
    const { logger, lines, child } = parent('warn');
    const log = deferred(logger);
    log.info('incoming request');
    log.debug('details');
    log.trace('more');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    log.error({ body: { password: 'hunter2' }, detail: 'x' }, 'boom');
    log.warn('careful');
    expect(child).toHaveBeenCalledTimes(1);
    expect(child).toHaveBeenCalledWith({ reqId: 'req-1' }, {});
    expect(lines.map((l) => [l.level, l.msg, l.reqId, l.service])).toEqual([
      [50, 'boom', 'req-1', 'kit-test'],
      [40, 'careful', 'req-1', 'kit-test'],
    ]);
    // Redaction is the real child's: unchanged.
    expect(lines[0]).toMatchObject({ body: { password: '[redacted]' }, detail: 'x' });
  });

  it("honours a route's own level, above or below the service's", () => {
    const probe = parent('info');
    const quiet = deferred(probe.logger, { level: 'warn' });
    quiet.info('incoming request');
    expect(quiet.isLevelEnabled('info')).toBe(false);
    expect(quiet.isLevelEnabled('warn')).toBe(true);
    expect(quiet.level).toBe('warn');
    expect(probe.child).not.toHaveBeenCalled();

    const verbose = parent('warn');
    const loud = deferred(verbose.logger, { level: 'debug' });
    expect(loud.level).toBe('debug');
    loud.debug('details');
    expect(verbose.child).toHaveBeenCalledWith({ reqId: 'req-1' }, { level: 'debug' });
    expect(verbose.lines.map((l) => [l.level, l.msg, l.reqId])).toEqual([[20, 'details', 'req-1']]);
  });

  it('passes child(), bindings() and a level change to the real child', () => {
    const { logger, lines } = parent('warn');
    const log = deferred(logger);
    expect(log.bindings()).toEqual({ service: 'kit-test', reqId: 'req-1' });
    log.child({ step: 'sync' }).error('inner');
    log.level = 'info';
    log.info('now visible');
    log.silent('never');
    expect(lines.map((l) => [l.msg, l.reqId, l.step])).toEqual([
      ['inner', 'req-1', 'sync'],
      ['now visible', 'req-1', undefined],
    ]);
  });
});

describe('request loggers of an app', () => {
  async function app(level: string | false) {
    const { lines, stream } = capture();
    const app = await createHttpApp({
      service: 'kit-test',
      logger: level === false ? false : ({ ...loggerOptions('kit-test', { level, pretty: false }), stream } as never),
      trustProxy: false,
      bodyLimit: 1024,
      corsOrigins: [],
      docs: { title: 't', version: '0', description: 'd' },
    });
    app.get('/ok', async () => ({ ok: true }));
    app.get('/kind', async (request) => ({ kind: request.log.constructor.name }));
    app.get('/warns', async (request) => {
      request.log.warn({ sync: { token: 'secret-token' } }, 'something odd');
      return { ok: true };
    });
    return { app, lines };
  }

  it('still carry the request id in what they write, at info and at warn', async () => {
    const info = await app('info');
    await info.app.inject({ method: 'GET', url: '/ok', headers: { 'x-request-id': 'abc-123' } });
    expect(info.lines.filter((l) => l.reqId === 'abc-123').map((l) => l.msg)).toEqual(['incoming request', 'request completed']);

    const warn = await app('warn');
    await warn.app.inject({ method: 'GET', url: '/ok', headers: { 'x-request-id': 'abc-456' } });
    await warn.app.inject({ method: 'GET', url: '/warns', headers: { 'x-request-id': 'abc-789' } });
    expect(warn.lines.map((l) => [l.msg, l.reqId, l.sync])).toEqual([['something odd', 'abc-789', { token: '[redacted]' }]]);
    // The app's factory is the deferred one (a pino child would be a Pino object).
    expect((await warn.app.inject({ method: 'GET', url: '/kind' })).json()).toEqual({ kind: 'DeferredChild' });
  });

  it('work without a logger (logger: false)', async () => {
    const none = await app(false);
    expect((await none.app.inject({ method: 'GET', url: '/warns' })).statusCode).toBe(200);
    expect(none.lines).toEqual([]);
  });
});
