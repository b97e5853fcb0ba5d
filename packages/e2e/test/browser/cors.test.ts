import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPerson } from '../support/browser.js';
import type { Person } from '../support/browser.js';
import { startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';

interface CrossOriginResult {
  ok: boolean;
  status?: number;
  requestId?: string | null;
  body?: unknown;
  error?: string;
}

/**
 * Runs fetch() inside a page of another origin against the ingress, as a third-party web app
 * would: the browser itself enforces CORS (preflight for JSON bodies and Authorization headers).
 */
function crossOriginFetch(page: Page, url: string, init: { method?: string; body?: unknown; token?: string }): Promise<CrossOriginResult> {
  return page.evaluate(
    async ({ url, init }) => {
      const headers: Record<string, string> = {};
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      try {
        const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
        return { ok: true, status: res.status, requestId: res.headers.get('x-request-id'), body: await res.json() };
      } catch (error) {
        return { ok: false, error: String(error) };
      }
    },
    { url, init },
  );
}

describe('CORS through the ingress (CORS_ORIGINS)', () => {
  let stack: Stack;
  let browser: Browser;
  let allowed: Person;
  let foreign: Person;
  const user = { email: 'grace@example.com', username: 'grace', password: 'Compiler-Pioneer-1906!' };

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack({ corsOrigins: 'allowed-origin' }), launchChromium()]);
    allowed = await openPerson(browser, stack.allowedOrigin);
    foreign = await openPerson(browser, stack.foreignOrigin);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('lets a page of an allowed origin sign up, log in and call both services', async () => {
    const registered = await crossOriginFetch(allowed.page, `${stack.url}/v1/auth/register`, { method: 'POST', body: user });
    expect(registered).toMatchObject({ ok: true, status: 201 });
    // An exposed header: the page can correlate its calls with the services' logs.
    expect(registered.requestId).toMatch(/\S+/);

    const login = await crossOriginFetch(allowed.page, `${stack.url}/v1/auth/login`, {
      method: 'POST',
      body: { identifier: user.username, password: user.password },
    });
    expect(login).toMatchObject({ ok: true, status: 200 });
    const token = (login.body as { accessToken: string }).accessToken;

    const meetings = await crossOriginFetch(allowed.page, `${stack.url}/v1/meetings`, { token });
    expect(meetings).toMatchObject({ ok: true, status: 200, body: { items: [] } });
    const me = await crossOriginFetch(allowed.page, `${stack.url}/v1/auth/me`, { token });
    expect(me).toMatchObject({ ok: true, status: 200, body: { username: user.username } });
  });

  it('refuses a page of any other origin: the browser blocks it before the request is sent', async () => {
    const mallory = { email: 'mallory@example.com', username: 'mallory', password: 'Not-Welcome-Here-42!' };
    const attempt = await crossOriginFetch(foreign.page, `${stack.url}/v1/auth/register`, { method: 'POST', body: mallory });
    expect(attempt.ok).toBe(false);
    expect(attempt.error).toMatch(/TypeError/);
    // Even a simple GET (no preflight) is sent but its answer stays unreadable to the page.
    const jwks = await crossOriginFetch(foreign.page, `${stack.url}/.well-known/jwks.json`, {});
    expect(jwks.ok).toBe(false);

    // The preflight was refused, so the registration never happened.
    const login = await fetch(`${stack.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: mallory.username, password: mallory.password }),
    });
    expect(login.status).toBe(401);

    // And what the browser saw: a preflight answer without an Access-Control-Allow-Origin.
    for (const path of ['/v1/auth/register', '/v1/meetings']) {
      const preflight = await fetch(`${stack.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: stack.foreignOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.headers.get('access-control-allow-origin'), path).toBeNull();
      const allowedPreflight = await fetch(`${stack.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: stack.allowedOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(allowedPreflight.headers.get('access-control-allow-origin'), path).toBe(stack.allowedOrigin);
    }
  });
});
