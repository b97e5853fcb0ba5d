import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { waitForText } from './browser.js';

export interface Account {
  email: string;
  username: string;
  password: string;
}

/**
 * A fresh person: unique email and username, a password the strength check accepts. Its digit is
 * fixed: a hex suffix can be all letters ("dadbcb" was, in a CI run).
 */
export const account = (name: string): Account => {
  const suffix = randomBytes(3).toString('hex');
  return { email: `${name}.${suffix}@example.com`, username: `${name}_${suffix}`, password: `Correct-Horse-${suffix}-Battery-7!` };
};

/** Signs up through the web client's form. */
export async function signUp(page: Page, who: Account) {
  const form = page.locator('#signup');
  await form.getByLabel('Email').fill(who.email);
  await form.getByLabel('Username').fill(who.username);
  await form.getByLabel('Password').fill(who.password);
  await form.getByRole('button', { name: 'Sign up' }).click();
  await waitForText(page.locator('#message'), `Account ${who.username} created`);
}

/** Submits the web client's login form (the answer is the test's to check). */
export async function submitLogin(page: Page, identifier: string, password: string) {
  const form = page.locator('#login');
  await form.getByLabel('Email or username').fill(identifier);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Log in' }).click();
}

/** Logs in through the web client's form and waits until the page says who is signed in. */
export async function logIn(page: Page, who: Account) {
  await submitLogin(page, who.email, who.password);
  await waitForText(page.locator('#whoami'), `Signed in as ${who.username}`);
}

/** The link to `page` in the newest mail to `email`, read from dev-mail's JSON API as a person would open it. */
export async function mailedLink(mailUrl: string, email: string, page: '/verify-email' | '/reset-password', after = 0): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { items } = (await (await fetch(`${mailUrl}/api/mails?to=${encodeURIComponent(email)}`)).json()) as { items: { id: number; links: string[] }[] };
    const link = items
      .filter((m) => m.id > after)
      .flatMap((m) => m.links)
      .findLast((l) => new URL(l).pathname === page);
    if (link !== undefined) return link;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${email} with a ${page} link`);
}

/** The id of the newest mail to `email` (0 when none): to wait for a newer one. */
export async function lastMailId(mailUrl: string, email: string): Promise<number> {
  const { items } = (await (await fetch(`${mailUrl}/api/mails?to=${encodeURIComponent(email)}`)).json()) as { items: { id: number }[] };
  return Math.max(0, ...items.map((m) => m.id));
}

/** Opens a signed-in page of the web client on one of its tabs (`#account`, `#activity`...). */
export async function openTab(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name }).click();
}
