import { describe, expect, it } from 'vitest';
import { openPerson, waitForText } from '../support/browser.js';
import { account, logIn, signUp } from '../support/accounts.js';
import { useBrowserSuite } from '../support/browser-suite.js';

describe('browser sessions (cookie mode) in the reference web client', () => {
  const suite = useBrowserSuite();

  it('a reload keeps the user signed in; logout ends the session, clears the cookie, and a reload stays signed out', async () => {
    const cy = account('cy');
    const person = await openPerson(suite.browser, suite.stack.url);
    suite.people.push(person);
    const { page, context } = person;
    let accessToken = '';
    page.on('request', (request) => {
      const header = request.headers().authorization;
      if (header?.startsWith('Bearer ')) accessToken = header.slice('Bearer '.length);
    });
    await signUp(page, cy);
    await logIn(page, cy);

    // The refresh token is in a cookie the browser keeps and no script of the page can read.
    const refreshCookies = async () => (await context.cookies()).filter((c) => c.name === 'am_refresh');
    const [cookie] = await refreshCookies();
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/v1/auth' });
    expect((cookie?.expires ?? 0) - Date.now() / 1000).toBeGreaterThan(7 * 24 * 3600 - 60);
    expect(await page.evaluate(() => document.cookie)).not.toContain('am_refresh');

    await page.reload();
    await waitForText(page.locator('#whoami'), `Signed in as ${cy.username}`);
    // The restored session works for real calls (an access token from the cookie's refresh).
    await page.locator('#create-meeting').getByLabel('Title').fill('After a reload');
    await page.getByRole('button', { name: 'Create meeting' }).click();
    await waitForText(page.locator('#meeting-title'), 'After a reload');
    expect(accessToken).not.toBe('');

    // Another tab of the same browser opens signed in too.
    const tab = await context.newPage();
    suite.people.push({ context, page: tab });
    await tab.goto(suite.stack.url);
    await waitForText(tab.locator('#whoami'), `Signed in as ${cy.username}`);

    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await waitForText(page.locator('#whoami'), 'Not signed in');
    expect(await refreshCookies()).toEqual([]);
    // The session is over on the server: the last access token is refused.
    const me = await fetch(`${suite.stack.url}/v1/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(401);

    const restore = page.waitForResponse((res) => new URL(res.url()).pathname === '/v1/auth/refresh');
    await page.reload();
    expect((await restore).status()).toBe(401);
    expect(await page.locator('#whoami').textContent()).toBe('Not signed in');
  });
});
