import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { waitForText } from './browser.js';

export interface Account {
  email: string;
  username: string;
  password: string;
}

/** A fresh person: unique email and username, a password the strength check accepts. */
export const account = (name: string): Account => {
  const suffix = randomBytes(3).toString('hex');
  return { email: `${name}.${suffix}@example.com`, username: `${name}_${suffix}`, password: `Correct-Horse-${suffix}-Battery!` };
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
