import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPerson, waitForText } from '../support/browser.js';
import { account, logIn, signUp, submitLogin } from '../support/accounts.js';
import { useBrowserSuite } from '../support/browser-suite.js';
import { grantRole } from '../support/roles.js';

/** The page needs no sideways scrolling at its current width. */
const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('admin page and activity in the reference web client', () => {
  const suite = useBrowserSuite();

  it('a user sees their own activity; the admin link and page are not shown to a non-admin', async () => {
    const bob = account('bob');
    const person = await openPerson(suite.browser, suite.stack.url);
    suite.people.push(person);
    const { page } = person;
    await signUp(page, bob);
    // One refused sign-in, then the real one: both are in the activity.
    await submitLogin(page, bob.email, 'Wrong-Password-123!');
    await waitForText(page.locator('#message'), 'That email, username or password is not right');
    expect(await page.locator('#message').getAttribute('data-code')).toBe('INVALID_CREDENTIALS');
    await logIn(page, bob);

    expect(await page.locator('#nav-admin').isHidden()).toBe(true);
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    // Asking for the admin page by its address shows the meetings instead.
    await page.evaluate(() => {
      location.hash = '#admin';
    });
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#admin');
    expect(await page.locator('#admin-page').isHidden()).toBe(true);
    expect(await page.locator('#signed-in').isVisible()).toBe(true);

    await page.getByRole('link', { name: 'My activity' }).click();
    const list = page.locator('#activity-list');
    await waitForText(list, 'Signed in');
    const items = await list.locator('li').allTextContents();
    // Newest first: the sign-in, the refused one (with its reason in words), the registration.
    expect(items[0]).toMatch(/Signed in.*with password/);
    expect(items[1]).toMatch(/Sign-in refused \(failed\).*because: wrong password or unknown account/);
    expect(items.at(-1)).toContain('Account created');
    expect(await page.locator('#signed-in').isHidden()).toBe(true);
    expect(await page.getByRole('link', { name: 'My activity' }).getAttribute('aria-current')).toBe('page');
  });

  it('an admin (375 px wide, keyboard) searches with filters and pages, disables a user with a reason and sees it in the audit trail', { timeout: 90_000 }, async () => {
    const ada = account('ada');
    const carol = account('carol');
    const admin = await openPerson(suite.browser, suite.stack.url);
    const user = await openPerson(suite.browser, suite.stack.url);
    suite.people.push(admin, user);
    const { page } = admin;
    await page.setViewportSize({ width: 375, height: 812 });

    await signUp(page, ada);
    await grantRole(suite.stack, ada.email, 'admin');
    await signUp(user.page, carol);
    await logIn(user.page, carol);
    // 21 more users under one prefix: one page of 20, then "More users".
    const crowd = `crowd${randomBytes(3).toString('hex')}`;
    const register = async (i: number) => {
      const res = await fetch(`${suite.stack.url}/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `${crowd}${i}@example.com`, username: `${crowd}_${String(i).padStart(2, '0')}`, password: ada.password }),
      });
      expect(res.status).toBe(201);
    };
    for (let i = 0; i < 21; i += 3) await Promise.all([i, i + 1, i + 2].map(register));

    await logIn(page, ada);
    await page.getByRole('link', { name: 'Admin' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('admin-title');

    // Search from the keyboard: type the prefix, Enter.
    const query = page.getByLabel('Email or username starts with');
    await query.fill(crowd);
    await query.press('Enter');
    const results = page.locator('#admin-results li');
    await expect.poll(() => results.count()).toBe(20);
    await waitForText(page.locator('#admin-results-status'), '20 users shown; more below');
    await page.getByRole('button', { name: 'More users' }).click();
    await expect.poll(() => results.count()).toBe(21);
    expect(await page.getByRole('button', { name: 'More users' }).isHidden()).toBe(true);
    // Filters: nobody of the crowd is an admin.
    await page.locator('#admin-search').getByLabel('Role').selectOption('admin');
    await query.press('Enter');
    await waitForText(page.locator('#admin-results-status'), 'No user matches');

    // Carol: found by her username's prefix, opened, disabled with a reason.
    await page.locator('#admin-search').getByLabel('Role').selectOption('');
    await query.fill(carol.username.slice(0, -1));
    await query.press('Enter');
    await page.getByRole('button', { name: `Open ${carol.username}` }).click();
    await waitForText(page.locator('#admin-user-title'), carol.username);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('admin-user-title');
    await waitForText(page.locator('#admin-user-facts'), 'Active');
    await page.locator('#admin-status').getByLabel('Reason').fill('Spam from this account');
    await page.getByRole('button', { name: 'Disable account' }).click();
    await waitForText(page.locator('#message'), `${carol.username} is disabled`);
    await waitForText(page.locator('#admin-user-facts'), 'Disabled');
    await waitForText(page.locator('#admin-results'), `${carol.username} · ${carol.email} · no roles · disabled`);
    await page.locator('#admin-search').getByLabel('Status').selectOption('disabled');
    await query.press('Enter');
    await expect.poll(() => results.allTextContents()).toEqual([expect.stringContaining(carol.username)]);

    // The audit viewer: this user's events, then filtered by type.
    await page.getByRole('button', { name: 'Audit events of this user' }).click();
    const audit = page.locator('#admin-audit');
    await waitForText(audit, 'Account disabled by an admin');
    expect(await audit.locator('li').first().textContent()).toMatch(/Account disabled by an admin.*reason: Spam from this account/);
    await page.locator('#admin-audit-filters').getByLabel('Event type').selectOption('admin.user_disabled');
    await page.locator('#admin-audit-filters').getByLabel('Target (user id)').fill('');
    await page.getByRole('button', { name: 'Show events' }).click();
    // Every user's events of that type: the one disable there is.
    const types = () => audit.locator('li').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.eventType));
    await expect.poll(types).toEqual(['admin.user_disabled']);

    // Carol's next request finds her session gone; she cannot log in again.
    await user.page.getByRole('link', { name: 'My activity' }).click();
    await waitForText(user.page.locator('#whoami'), 'Not signed in');
    await submitLogin(user.page, carol.email, carol.password);
    await waitForText(user.page.locator('#message'), 'This account is disabled');
    expect(await user.page.locator('#message').getAttribute('data-code')).toBe('ACCOUNT_DISABLED');

    // The only admin cannot drop her own role: the refusal in words, not a code.
    await page.locator('#admin-search').getByLabel('Status').selectOption('');
    await query.fill(ada.username);
    await query.press('Enter');
    await page.getByRole('button', { name: `Open ${ada.username}` }).click();
    await waitForText(page.locator('#admin-user-title'), ada.username);
    await page.locator('#admin-roles').getByLabel('Admin').uncheck();
    await page.getByRole('button', { name: 'Save roles' }).click();
    await waitForText(page.locator('#message'), 'This would leave no active admin');
    expect(await page.locator('#message').textContent()).not.toContain('LAST_ADMIN');

    expect(await fitsWidth(page)).toBe(true);
  });
});
