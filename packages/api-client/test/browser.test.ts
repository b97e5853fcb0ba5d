import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newAccount, startServices } from './support/services.js';
import type { Services } from './support/services.js';

// The library as a browser runs it: compiled with the browser-only tsconfig (DOM, no Node
// types), loaded as ES modules into two tabs of one Chromium profile, which share a real
// BroadcastChannel and real Web Locks, calling both services across origins (CORS).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const packageDir = fileURLToPath(new URL('..', import.meta.url));

const page = `<!doctype html>
<script type="importmap">{ "imports": { "openapi-fetch": "/openapi-fetch.js" } }</script>
<script type="module">
  import { SessionManager, createApiClients, openEventStream } from '/lib/index.js';
  const q = new URLSearchParams(location.search);
  const sent = [];
  const events = [];
  const record = async (request) => {
    const response = await fetch(request);
    sent.push(request.method + ' ' + new URL(request.url).pathname + ' ' + response.status);
    return response;
  };
  const session = new SessionManager({ mode: 'body', authBaseUrl: q.get('auth'), fetch: record });
  for (const name of ['session.signedIn', 'session.signedOut', 'session.revoked']) session.on(name, (e) => events.push({ name, ...e, user: undefined }));
  const api = createApiClients({ authBaseUrl: q.get('auth'), meetingsBaseUrl: q.get('meetings'), session });
  window.tab = { session, api, sent, events, openStream: (path) => openEventStream(session, q.get('meetings') + path, { onEvent() {} }) };
</script>`;

let services: Services;
let site: Server;
let browser: Browser;
let outDir: string;
let url: string;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'api-client-browser-'));
  const tsc = join(packageDir, 'node_modules/typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json'), '--outDir', outDir, '--sourceMap', 'false']);
  // The ES module build (what a bundler or an import map gives a browser).
  const openapiFetch = join(dirname(createRequire(join(packageDir, 'package.json')).resolve('openapi-fetch/package.json')), 'dist/index.mjs');
  site = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://site').pathname;
    const file = path === '/openapi-fetch.js' ? openapiFetch : path.startsWith('/lib/') ? join(outDir, path.slice('/lib/'.length)) : undefined;
    if (path === '/') return void response.setHeader('content-type', 'text/html').end(page);
    try {
      const body = readFileSync(file ?? '');
      response.setHeader('content-type', 'text/javascript').end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  services = await startServices({ auth: { CORS_ORIGINS: origin }, meetings: { CORS_ORIGINS: origin } });
  url = `${origin}/?auth=${encodeURIComponent(services.authUrl)}&meetings=${encodeURIComponent(services.meetingsUrl)}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await services?.close();
  site?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function openTab(context: Awaited<ReturnType<Browser['newContext']>>): Promise<Page> {
  const tab = await context.newPage();
  await tab.goto(url);
  await tab.waitForFunction('window.tab !== undefined');
  return tab;
}

// Expressions evaluated in the page (strings: the test runner's transform must not touch them).
const refreshCalls = async (tabs: Page[]) =>
  (await Promise.all(tabs.map((t) => t.evaluate<string[]>('window.tab.sent')))).flat().filter((line) => line.startsWith('POST /v1/auth/refresh'));

it('in Chromium: two tabs share a login, refresh at once with one call, and both hear session.revoked', async () => {
  const context = await browser.newContext();
  const [a, b] = [await openTab(context), await openTab(context)];
  const account = newAccount();

  const status = await a.evaluate<string>(
    `tab.api.auth.POST('/v1/auth/register', { body: ${JSON.stringify(account)} })
      .then(() => tab.session.login({ identifier: '${account.username}', password: '${account.password}' }))
      .then((result) => result.status)`,
  );
  expect(status).toBe('signed-in');
  await b.waitForFunction('tab.session.isSignedIn');

  const before = await a.evaluate<string>('tab.session.accessToken');
  expect(await Promise.all([a.evaluate('tab.session.refresh()'), b.evaluate('tab.session.refresh()')])).toEqual([true, true]);
  expect(await refreshCalls([a, b])).toEqual(['POST /v1/auth/refresh 200']);
  const [tokenA, tokenB] = await Promise.all([a.evaluate<string>('tab.session.accessToken'), b.evaluate<string>('tab.session.accessToken')]);
  expect(tokenA).not.toBe(before);
  expect(tokenB).toBe(tokenA);

  // A live event stream in tab A; then another device logs out everywhere.
  const meetingId = await a.evaluate<string>(`tab.api.meetings.POST('/v1/meetings', { body: { title: 'In the browser' } }).then((r) => r.data.id)`);
  await a.evaluate(`window.stream = tab.openStream('/v1/meetings/${meetingId}/events'); undefined`);
  await a.waitForFunction(`tab.sent.includes('GET /v1/meetings/${meetingId}/events 200')`);
  const device = (await (
    await fetch(`${services.authUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: account.username, password: account.password }),
    })
  ).json()) as { accessToken: string };
  const logoutAll = await fetch(`${services.authUrl}/v1/auth/logout-all`, { method: 'POST', headers: { authorization: `Bearer ${device.accessToken}` } });
  expect(logoutAll.status).toBe(204);

  expect(await a.evaluate('window.stream.ended')).toEqual({ reason: 'revoked' });
  await b.waitForFunction('!tab.session.isSignedIn', undefined, { timeout: 3000 });
  expect(await a.evaluate('tab.events')).toEqual([
    { name: 'session.signedIn', fromOtherTab: false },
    { name: 'session.revoked', code: 'SESSION_REVOKED', source: 'stream', fromOtherTab: false },
  ]);
  expect(await b.evaluate('tab.events')).toEqual([
    { name: 'session.signedIn', fromOtherTab: true },
    { name: 'session.revoked', code: 'SESSION_REVOKED', source: 'stream', fromOtherTab: true },
  ]);
  await context.close();
});
