import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { account, logIn, mailedLink, openTab, signUp, submitLogin } from '../support/accounts.js';
import { waitForText } from '../support/browser.js';
import { useBrowserSuite } from '../support/browser-suite.js';
import { repoPath } from '../support/repo.js';
import { grantRole } from '../support/roles.js';

/**
 * Every screen of the web client, photographed: light, dark (prefers-color-scheme) and at 375 px.
 * With UPDATE_SCREENSHOTS=1 (`pnpm --filter @authmeet/web-client screenshots`) the pictures replace
 * packages/web-client/screenshots/ (linked from its README); otherwise they go to a temporary
 * folder, and the walk through the screens is a test like the others.
 */
const OUT = process.env.UPDATE_SCREENSHOTS === '1' ? repoPath('packages/web-client/screenshots') : mkdtempSync(join(tmpdir(), 'web-client-screens-'));
mkdirSync(OUT, { recursive: true });

async function shoot(page: Page, name: string) {
  // No caret blinking into the picture; fonts and pictures loaded.
  await page.evaluate(async () => {
    (document.activeElement as HTMLElement | null)?.blur();
    await document.fonts.ready;
  });
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true, animations: 'disabled' });
}

describe('screenshots of the web client', () => {
  const suite = useBrowserSuite();

  it('photographs each screen, light and dark, and at 375 px', async () => {
    const ada = account('ada');
    const bob = account('bob');
    const problems: string[] = [];
    const context = await suite.browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: 'light' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    suite.people.push({ context, page });
    page.on('console', (m) => m.type() === 'error' && !/status of 4\d\d/.test(m.text()) && problems.push(m.text()));
    await page.goto(suite.stack.url);
    await shoot(page, 'sign-in');

    await signUp(page, ada);
    await submitLogin(page, ada.username, 'Wrong-Password-1!');
    await waitForText(page.locator('#message'), 'That email, username or password is not right');
    await shoot(page, 'sign-in-error');
    await page.getByRole('button', { name: 'Forgot your password?' }).click();
    await shoot(page, 'forgot-password');
    await page.getByRole('button', { name: 'Back to log in' }).click();

    await logIn(page, ada);
    await page.locator('#create-meeting').getByLabel('Title').fill('Design review');
    await page.getByRole('button', { name: 'Create meeting' }).click();
    await waitForText(page.locator('#live-status'), 'Live');
    const code = (await page.locator('#meeting-code').textContent()) ?? '';

    // Bob joins from his own browser (dark): Ada's list grows live.
    const bobContext = await suite.browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: 'dark' });
    const bobPage = await bobContext.newPage();
    suite.people.push({ context: bobContext, page: bobPage });
    await bobPage.goto(suite.stack.url);
    await shoot(bobPage, 'sign-in-dark');
    await signUp(bobPage, bob);
    await logIn(bobPage, bob);
    await bobPage.locator('#join-meeting').getByLabel('Meeting code').fill(code);
    await bobPage.getByRole('button', { name: 'Join' }).click();
    await waitForText(bobPage.locator('#participant-count'), '2');
    await waitForText(page.locator('#participant-count'), '2');
    await shoot(page, 'meetings');
    await shoot(bobPage, 'meetings-dark');

    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await expect.poll(() => page.locator('#mfa-qr').evaluate((img: HTMLImageElement) => img.complete && img.src.startsWith('data:'))).toBe(true);
    await page.locator('#security').scrollIntoViewIfNeeded();
    await shoot(page, 'two-factor-setup');

    await openTab(page, 'Account');
    await waitForText(page.locator('#sessions-status'), 'device');
    await shoot(page, 'account');
    await openTab(bobPage, 'Account');
    await waitForText(bobPage.locator('#sessions-status'), 'device');
    await shoot(bobPage, 'account-dark');
    await openTab(page, 'My activity');
    await waitForText(page.locator('#activity-status'), 'events shown');
    await shoot(page, 'activity');

    await grantRole(suite.stack, ada.email, 'admin');
    await page.reload();
    await openTab(page, 'Admin');
    await waitForText(page.locator('#admin-results-status'), 'shown');
    await page.locator('#admin-results li').first().getByRole('button').click();
    await waitForText(page.locator('#admin-user-title'), /\w/);
    await shoot(page, 'admin');

    // The mailed links' pages.
    const verify = await mailedLink(suite.stack.mailUrl, bob.email, '/verify-email');
    await bobPage.goto(verify);
    await waitForText(bobPage.locator('#link-title'), 'Email verified');
    await shoot(bobPage, 'verify-email-dark');
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await page.getByRole('button', { name: 'Forgot your password?' }).click();
    await page.locator('#forgot').getByLabel('Email').fill(ada.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.goto(await mailedLink(suite.stack.mailUrl, ada.email, '/reset-password'));
    await waitForText(page.locator('#link-title'), 'Choose a new password');
    await shoot(page, 'reset-password');

    // A phone: 375 px wide, signed in, and nothing wider than the screen.
    const phone = await suite.browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
    const phonePage = await phone.newPage();
    suite.people.push({ context: phone, page: phonePage });
    await phonePage.goto(suite.stack.url);
    await shoot(phonePage, 'sign-in-375');
    await logIn(phonePage, bob);
    await shoot(phonePage, 'meetings-375');
    await openTab(phonePage, 'Account');
    await waitForText(phonePage.locator('#sessions-status'), 'device');
    expect(await phonePage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await shoot(phonePage, 'account-375');

    expect(problems).toEqual([]);
    await Promise.all([context.close(), bobContext.close(), phone.close()]);
  }, 180_000);
});
