import { request } from 'node:http';
import { eventually, solidPng } from '@authmeet/test-kit';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPerson, waitForText } from '../support/browser.js';
import { account, logIn, signUp } from '../support/accounts.js';
import { useBrowserSuite } from '../support/browser-suite.js';

/** GET with the path sent exactly as written (fetch() would resolve the dot segments first). */
const rawStatus = (base: string, path: string) =>
  new Promise<number>((resolve, reject) => {
    const url = new URL(base);
    request({ host: url.hostname, port: url.port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });

const participantNames = (page: Page) => page.locator('#participants li').allTextContents();

describe('reference web client through the ingress', () => {
  const suite = useBrowserSuite();

  it('signs up, logs in, shares a meeting code, shows a second user joining live, logs out everywhere', async () => {
    const ada = account('ada');
    const bob = account('bob');

    // Ada, on two devices: the second one proves "log out everywhere" reaches other sessions.
    const adaLaptop = await openPerson(suite.browser, suite.stack.url);
    const adaPhone = await openPerson(suite.browser, suite.stack.url);
    const bobLaptop = await openPerson(suite.browser, suite.stack.url);
    suite.people.push(adaLaptop, adaPhone, bobLaptop);

    await signUp(adaLaptop.page, ada);
    await logIn(adaLaptop.page, ada);
    await logIn(adaPhone.page, ada);

    // Every API call of this page carries Ada's laptop token; keep the latest for the checks below.
    let adaToken = '';
    adaLaptop.page.on('request', (request) => {
      const header = request.headers().authorization;
      if (header?.startsWith('Bearer ')) adaToken = header.slice('Bearer '.length);
    });

    await adaLaptop.page.locator('#create-meeting').getByLabel('Title').fill('Design review');
    await adaLaptop.page.getByRole('button', { name: 'Create meeting' }).click();
    await waitForText(adaLaptop.page.locator('#meeting-title'), 'Design review');
    // "Live" once the event stream (fetch + ReadableStream, through nginx) is open.
    await waitForText(adaLaptop.page.locator('#live-status'), 'Live');
    const code = (await adaLaptop.page.locator('#meeting-code').textContent()) ?? '';
    expect(code).toMatch(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    await waitForText(adaLaptop.page.locator('#participant-count'), '1');
    expect(await participantNames(adaLaptop.page)).toEqual([`${ada.username} (host)`]);

    await adaLaptop.page.getByRole('button', { name: 'Copy code' }).click();
    await waitForText(adaLaptop.page.locator('#copy-status'), 'Copied');
    expect(await adaLaptop.page.evaluate(() => navigator.clipboard.readText())).toBe(code);

    await signUp(bobLaptop.page, bob);
    await logIn(bobLaptop.page, bob);
    await bobLaptop.page.locator('#join-meeting').getByLabel('Meeting code').fill(code.toUpperCase());
    await bobLaptop.page.getByRole('button', { name: 'Join' }).click();
    await waitForText(bobLaptop.page.locator('#meeting-title'), 'Design review');
    await waitForText(bobLaptop.page.locator('#live-status'), 'Live');
    await waitForText(bobLaptop.page.locator('#participant-count'), '2');

    // Ada's page never reloads: Bob arrives through the participant.joined event.
    await waitForText(adaLaptop.page.locator('#participants'), bob.username);
    expect(await participantNames(adaLaptop.page)).toEqual([`${ada.username} (host)`, bob.username]);
    expect(await adaLaptop.page.locator('#participant-count').textContent()).toBe('2');
    expect(await participantNames(bobLaptop.page)).toEqual([`${ada.username} (host)`, bob.username]);

    await bobLaptop.page.getByRole('button', { name: 'Leave meeting' }).click();
    await waitForText(bobLaptop.page.locator('#message'), 'You left the meeting');
    await waitForText(adaLaptop.page.locator('#participant-count'), '1');

    // Log out everywhere from the laptop: both of Ada's sessions end, in both services.
    expect(adaToken).not.toBe('');
    await adaLaptop.page.getByRole('button', { name: 'Log out everywhere' }).click();
    await waitForText(adaLaptop.page.locator('#whoami'), 'Not signed in');
    const status = async (path: string) =>
      (await fetch(`${suite.stack.url}${path}`, { headers: { authorization: `Bearer ${adaToken}` } })).status;
    expect(await status('/v1/auth/me')).toBe(401);
    await eventually(async () => expect(await status('/v1/meetings')).toBe(401), 3_000);

    // The phone learns it on its next call, and shows it.
    await adaPhone.page.locator('#create-meeting').getByLabel('Title').fill('Too late');
    await adaPhone.page.getByRole('button', { name: 'Create meeting' }).click();
    await waitForText(adaPhone.page.locator('#whoami'), 'Not signed in');
    await waitForText(adaPhone.page.locator('#message'), 'Please sign in again');
    expect(await adaPhone.page.locator('#message').textContent()).not.toMatch(/[A-Z]+_[A-Z_]+/);
  });

  it('uploads a profile picture with a preview, shows it in the participant list, and removes it', async () => {
    const eve = account('eve');
    const eveLaptop = await openPerson(suite.browser, suite.stack.url);
    suite.people.push(eveLaptop);
    const { page } = eveLaptop;
    await signUp(page, eve);
    await logIn(page, eve);

    await page.locator('#avatar').getByLabel(/Picture/).setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: solidPng(640, 480) });
    // The preview is local: the browser shows the chosen file before anything is sent.
    await eventually(async () => expect(await page.locator('#avatar-preview').getAttribute('src')).toMatch(/^blob:/));
    expect(await page.locator('#avatar-preview').isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Upload picture' }).click();
    await waitForText(page.locator('#message'), 'Profile picture saved');
    const current = page.locator('#avatar-current');
    const src = (await current.getAttribute('src')) ?? '';
    expect(src.startsWith(`${suite.stack.s3.publicBaseUrl}/profile-pictures/`)).toBe(true);
    // Loaded for real: from the bucket, through the page's content security policy.
    await eventually(async () => expect(await current.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(500));
    expect(await page.locator('#avatar-preview').isVisible()).toBe(false);

    await page.locator('#create-meeting').getByLabel('Title').fill('Faces');
    await page.getByRole('button', { name: 'Create meeting' }).click();
    await waitForText(page.locator('#participant-count'), '1');
    await eventually(async () => expect(await page.locator('#participants li img').getAttribute('src')).toBe(src), 5_000);

    await page.getByRole('button', { name: 'Remove picture' }).click();
    await waitForText(page.locator('#message'), 'Profile picture removed');
    expect(await current.isVisible()).toBe(false);
  });

  it('shows both services\' Swagger UI at /docs/auth and /docs/meetings with no CSP violation or console error', async () => {
    const context = await suite.browser.newContext();
    try {
      for (const [path, title] of [
        ['/docs/auth', 'auth-service'],
        ['/docs/meetings', 'meetings-service'],
      ] as const) {
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
        });
        page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
        page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
        page.on('response', (res) => {
          if (res.status() >= 400) problems.push(`${res.status()} ${res.url()}`);
        });
        // Violations are also reported as events, whether or not the console shows them.
        await page.addInitScript(() => {
          document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
        });
        const res = await page.goto(`${suite.stack.url}${path}`);
        // Without the trailing slash the ingress redirects, so the UI's relative URLs stay under the prefix.
        expect(page.url()).toBe(`${suite.stack.url}${path}/`);
        expect(res?.headers()['content-security-policy'], path).toContain("script-src 'self'");
        await waitForText(page.locator('.info .title'), title);
        // The operations render from the document (tags, summaries), and one expands with its schemas.
        await page.locator('.opblock').first().waitFor();
        expect(await page.locator('.opblock').count(), path).toBeGreaterThan(5);
        await page.locator('.opblock-summary').first().click();
        await page.locator('.opblock-body').first().waitFor();
        await page.waitForLoadState('networkidle');
        expect(problems, path).toEqual([]);
        await page.close();
      }
    } finally {
      await context.close();
    }
  });

  it('serves the client with a strict content security policy and never routes /internal/', async () => {
    const page = await fetch(suite.stack.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const unrouted = ['/internal/v1/users', '/v1/auth/../../internal/v1/users', '/v1/meetings/%2e%2e/%2e%2e/internal/v1/users', '/v1/authx', '/healthz', '/metrics', '/docs', '/docs/json', '/docs/auth-x'];
    for (const path of unrouted) expect(await rawStatus(suite.stack.url, path), path).toBe(404);
    // Routed prefixes reach their service (a problem+json from Fastify, not nginx's HTML).
    const jwks = await fetch(`${suite.stack.url}/.well-known/jwks.json`);
    expect(((await jwks.json()) as { keys: unknown[] }).keys).toHaveLength(1);
    const me = await fetch(`${suite.stack.url}/v1/meetings`);
    expect([me.status, me.headers.get('content-type')]).toEqual([401, 'application/problem+json; charset=utf-8']);
  });
});
