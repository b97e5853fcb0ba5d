import { describe, expect, it } from 'vitest';
import { account, lastMailId, logIn, mailedLink, openTab, signUp, submitLogin } from '../support/accounts.js';
import { openPerson, waitForText } from '../support/browser.js';
import { useBrowserSuite } from '../support/browser-suite.js';

// Every account flow of the web client, each through the ingress in Chromium: mailed links read
// out of dev-mail, the account page (profile, password, devices, deletion), and keyboard-only use.
describe('account flows in the reference web client', () => {
  const suite = useBrowserSuite();
  const open = async () => {
    const person = await openPerson(suite.browser, suite.stack.url);
    suite.people.push(person);
    return person;
  };

  it('signs up and in with the keyboard alone, with a visible focus on every control', async () => {
    const kim = account('kim');
    const { page } = await open();
    // Tab from the top of the page to the sign-up form's first field.
    const focused = () => page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement | null;
      return { name: el?.getAttribute('name') ?? el?.textContent ?? '', form: el?.closest('form')?.id ?? '', outline: el ? getComputedStyle(el).outlineStyle : '' };
    });
    let guard = 0;
    while ((await focused()).form !== 'signup' && guard++ < 20) await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ name: 'email', form: 'signup', outline: 'solid' });
    await page.keyboard.type(kim.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(kim.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(kim.password);
    await page.keyboard.press('Enter');
    await waitForText(page.locator('#message'), `Account ${kim.username} created`);
    // The login form is filled with the new username and the password field has the focus.
    expect(await focused()).toMatchObject({ name: 'password', form: 'login' });
    await page.keyboard.type(kim.password);
    await page.keyboard.press('Enter');
    await waitForText(page.locator('#whoami'), `Signed in as ${kim.username}`);
    // The pages' navigation and the logout buttons are reachable and work from the keyboard.
    await page.getByRole('link', { name: 'Account' }).focus();
    await page.keyboard.press('Enter');
    await waitForText(page.locator('#account-email'), kim.email);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('account-title');
    await page.getByRole('button', { name: 'Log out', exact: true }).focus();
    await page.keyboard.press('Enter');
    await waitForText(page.locator('#whoami'), 'Not signed in');
  });

  it('verifies the email from the mailed link; resends the link from the account page with a badge', async () => {
    const lea = account('lea');
    const { page } = await open();
    await signUp(page, lea);
    const first = await mailedLink(suite.stack.mailUrl, lea.email, '/verify-email');
    await logIn(page, lea);
    await openTab(page, 'Account');
    await waitForText(page.locator('#email-verified'), 'Not verified');

    // The link of the first mail still works after a resend; the resend sends a second one.
    const seen = await lastMailId(suite.stack.mailUrl, lea.email);
    await page.getByRole('button', { name: 'Resend verification email' }).click();
    await waitForText(page.locator('#message'), `We sent a new verification link to ${lea.email}`);
    const second = await mailedLink(suite.stack.mailUrl, lea.email, '/verify-email', seen);
    expect(second).not.toBe(first);
    expect(new URL(second).origin).toBe(suite.stack.url);

    // Opened in another tab of the same browser: verified there, and the first tab shows the badge.
    const tab = await page.context().newPage();
    suite.people.push({ context: page.context(), page: tab });
    await tab.goto(second);
    await waitForText(tab.locator('#link-title'), 'Email verified');
    // The token leaves the address bar at once.
    expect(new URL(tab.url()).search).toBe('');
    await page.reload();
    await openTab(page, 'Account');
    await waitForText(page.locator('#email-verified'), 'Verified');
    expect(await page.getByRole('button', { name: 'Resend verification email' }).isHidden()).toBe(true);

    // A used link says so in words.
    await tab.goto(second);
    await waitForText(tab.locator('#link-title'), 'This link did not work');
  });

  it('forgot password: the mailed link sets a new password, the old one no longer works', async () => {
    const max = account('max');
    const { page } = await open();
    await signUp(page, max);
    await page.getByRole('button', { name: 'Forgot your password?' }).click();
    await page.locator('#forgot').getByLabel('Email').fill(max.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await waitForText(page.locator('#message'), `If ${max.email} belongs to an account, a link to reset its password is on its way`);

    await page.goto(await mailedLink(suite.stack.mailUrl, max.email, '/reset-password'));
    await waitForText(page.locator('#link-title'), 'Choose a new password');
    const newPassword = `${max.password}-new`;
    const form = page.locator('#reset-password');
    await form.getByLabel('New password', { exact: true }).fill(newPassword);
    await form.getByLabel('Repeat the new password').fill(`${newPassword}x`);
    await form.getByRole('button', { name: 'Set new password' }).click();
    await waitForText(page.locator('#link-status'), 'The passwords do not match');
    await form.getByLabel('Repeat the new password').fill(newPassword);
    await form.getByRole('button', { name: 'Set new password' }).click();
    await waitForText(page.locator('#message'), 'Your password is changed');

    await submitLogin(page, max.username, max.password);
    await waitForText(page.locator('#message'), 'That email, username or password is not right');
    await logIn(page, { ...max, password: newPassword });
  });

  it('edits the profile; changes the password, which signs the other devices out', async () => {
    const ned = account('ned');
    const laptop = await open();
    const phone = await open();
    await signUp(laptop.page, ned);
    await logIn(laptop.page, ned);
    await logIn(phone.page, ned);

    const { page } = laptop;
    await openTab(page, 'Account');
    const profile = page.locator('#profile');
    await profile.getByLabel('First name').fill('Ned');
    await profile.getByLabel('Last name').fill('Land');
    const username = `${ned.username}_x`;
    await profile.getByLabel('Username').fill(username);
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await waitForText(page.locator('#message'), 'Profile saved');
    await waitForText(page.locator('#whoami'), `Signed in as ${username}`);
    await page.reload();
    await openTab(page, 'Account');
    expect(await profile.getByLabel('First name').inputValue()).toBe('Ned');

    const form = page.locator('#password-change');
    await form.getByLabel('Current password').fill('Not-The-Password-1!');
    await form.getByLabel('New password', { exact: true }).fill(`${ned.password}-2`);
    await form.getByLabel('Repeat the new password').fill(`${ned.password}-2`);
    await form.getByRole('button', { name: 'Change password' }).click();
    await waitForText(page.locator('#message'), 'That email, username or password is not right');
    await form.getByLabel('Current password').fill(ned.password);
    await form.getByLabel('New password', { exact: true }).fill(`${ned.password}-2`);
    await form.getByLabel('Repeat the new password').fill(`${ned.password}-2`);
    await form.getByRole('button', { name: 'Change password' }).click();
    await waitForText(page.locator('#message'), 'Password changed');
    await waitForText(page.locator('#sessions-status'), '1 device signed in');

    // The phone finds out on its next call, and says so in words.
    await openTab(phone.page, 'My activity');
    await waitForText(phone.page.locator('#whoami'), 'Not signed in');
    await waitForText(phone.page.locator('#message'), 'Please sign in again');
  });

  it('lists the devices signed in, marks this one, and signs another out', async () => {
    const ora = account('ora');
    const laptop = await open();
    const phone = await open();
    await signUp(laptop.page, ora);
    await logIn(laptop.page, ora);
    await logIn(phone.page, ora);
    const { page } = laptop;
    await openTab(page, 'Account');
    await waitForText(page.locator('#sessions-status'), '2 devices signed in');
    const rows = page.locator('#sessions li');
    expect(await rows.count()).toBe(2);
    await waitForText(rows.first(), 'This device');
    expect(await rows.nth(1).textContent()).not.toContain('This device');
    expect(await rows.first().textContent()).toContain('Chrome on Linux');

    await rows.nth(1).getByRole('button', { name: /^Sign out Chrome on Linux/ }).click();
    await waitForText(page.locator('#sessions-status'), '1 device signed in');
    await openTab(phone.page, 'Account');
    await waitForText(phone.page.locator('#whoami'), 'Not signed in');
    await waitForText(phone.page.locator('#message'), 'Please sign in again');
    expect(await phone.page.locator('#message').textContent()).not.toMatch(/[A-Z]+_[A-Z_]+/);
  });

  it('two tabs refreshing at once stay signed in; "log out everywhere" sends the other tab to login with a message', async () => {
    const pia = account('pia');
    const first = await open();
    await signUp(first.page, pia);
    await logIn(first.page, pia);
    const second = await first.context.newPage();
    suite.people.push({ context: first.context, page: second });
    await second.goto(suite.stack.url);
    await waitForText(second.locator('#whoami'), `Signed in as ${pia.username}`);

    // Both tabs reload at once: each restores the session from the one refresh cookie.
    const refreshes: number[] = [];
    for (const tab of [first.page, second]) tab.on('response', (res) => new URL(res.url()).pathname === '/v1/auth/refresh' && refreshes.push(res.status()));
    await Promise.all([first.page.reload(), second.reload()]);
    for (const tab of [first.page, second]) await waitForText(tab.locator('#whoami'), `Signed in as ${pia.username}`);
    // One refresh at a time across the tabs: never a reused (refused) refresh token.
    expect(refreshes.length).toBeGreaterThan(0);
    expect(refreshes.every((status) => status === 200)).toBe(true);
    // And the session goes on in both: a call from each, and one more reload.
    await openTab(first.page, 'Account');
    await waitForText(first.page.locator('#sessions-status'), '1 device signed in');
    await openTab(second, 'My activity');
    await waitForText(second.locator('#activity-status'), 'events shown');

    // Another device of hers, with a live meeting stream.
    const other = await open();
    await logIn(other.page, pia);
    await other.page.locator('#create-meeting').getByLabel('Title').fill('Stand-up');
    await other.page.getByRole('button', { name: 'Create meeting' }).click();
    await waitForText(other.page.locator('#live-status'), 'Live');

    await first.page.getByRole('button', { name: 'Log out everywhere' }).click();
    await waitForText(first.page.locator('#message'), 'You are logged out on every device');
    await waitForText(second.locator('#whoami'), 'Not signed in');
    await waitForText(second.locator('#message'), 'You logged out everywhere from another tab');
    // The other device hears it from its live stream, without a click.
    await waitForText(other.page.locator('#whoami'), 'Not signed in');
    await waitForText(other.page.locator('#message'), 'Please sign in again');
    expect(await other.page.locator('#signed-out').isVisible()).toBe(true);
  });

  it('deletes the account after the password; every tab returns to the login, which no longer knows the account', async () => {
    const quin = account('quin');
    const { page, context } = await open();
    await signUp(page, quin);
    await logIn(page, quin);
    const tab = await context.newPage();
    suite.people.push({ context, page: tab });
    await tab.goto(suite.stack.url);
    await waitForText(tab.locator('#whoami'), `Signed in as ${quin.username}`);

    await openTab(page, 'Account');
    const form = page.locator('#account-delete');
    await form.getByLabel('Password').fill('Wrong-Password-1!');
    await form.getByRole('button', { name: 'Delete my account' }).click();
    await waitForText(page.locator('#message'), 'That email, username or password is not right');
    expect(await page.locator('#whoami').textContent()).toBe(`Signed in as ${quin.username}`);
    await form.getByLabel('Password').fill(quin.password);
    await form.getByRole('button', { name: 'Delete my account' }).click();
    await waitForText(page.locator('#message'), 'Your account was deleted');
    await waitForText(page.locator('#whoami'), 'Not signed in');
    await waitForText(tab.locator('#whoami'), 'Not signed in');
    await waitForText(tab.locator('#message'), 'Your account was deleted');

    await submitLogin(page, quin.email, quin.password);
    await waitForText(page.locator('#message'), /not right|disabled/);
  });
}, 120_000);
