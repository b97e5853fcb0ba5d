import { createPrivateKey } from 'node:crypto';
import { craftAssertion } from '@authmeet/test-kit';
import { decodeJwt } from 'jose';
import { generate } from 'otplib';
import type { CDPSession, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPerson, waitForText } from '../support/browser.js';
import { account, signUp } from '../support/accounts.js';
import type { Account } from '../support/accounts.js';
import { useBrowserSuite } from '../support/browser-suite.js';

async function signUpAndLogIn(page: Page, who: Account) {
  await signUp(page, who);
  await passwordStep(page, who);
  await waitForText(page.locator('#whoami'), `Signed in as ${who.username}`);
}

async function passwordStep(page: Page, who: Account) {
  const login = page.locator('#login');
  await login.getByLabel('Email or username').fill(who.email);
  await login.getByLabel('Password').fill(who.password);
  await login.getByRole('button', { name: 'Log in' }).click();
}

async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await waitForText(page.locator('#whoami'), 'Not signed in');
}

/** The DevTools protocol's virtual authenticator: a platform passkey store that verifies the user. */
async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

describe('second factors in the reference web client', () => {
  const suite = useBrowserSuite();

  it('registers a passkey, logs in with it without a username, refuses it for another relying party, deletes it', async () => {
    const ada = account('ada');
    const person = await openPerson(suite.browser, suite.stack.localUrl);
    suite.people.push(person);
    const { page } = person;
    const { cdp, authenticatorId } = await virtualAuthenticator(page);
    await signUpAndLogIn(page, ada);

    await page.locator('#passkey-add').getByLabel('Passkey name').fill('Laptop key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await waitForText(page.locator('#message'), 'Passkey Laptop key added');
    await waitForText(page.locator('#passkeys'), 'Laptop key');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

    await logOut(page);
    // No username typed: the authenticator offers its discoverable credential.
    const verified = page.waitForResponse((r) => r.url().endsWith('/v1/auth/passkeys/login/verify'));
    await page.getByRole('button', { name: 'Log in with a passkey' }).click();
    await waitForText(page.locator('#whoami'), `Signed in as ${ada.username}`);
    const tokens = (await (await verified).json()) as { accessToken: string };
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ amr: ['hwk'], acr: 'aal2' });

    // The same passkey's key, signing for another relying party and origin: refused.
    const [credential] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    if (!credential?.userHandle) throw new Error('the virtual authenticator kept no user handle');
    const attempt = async (rpId: string, origin: string) => {
      const options = (await (await fetch(`${suite.stack.localUrl}/v1/auth/passkeys/login/options`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as {
        challengeId: string;
        options: { challenge: string };
      };
      const response = craftAssertion({
        credentialId: Buffer.from(credential.credentialId, 'base64').toString('base64url'),
        privateKey: createPrivateKey({ key: Buffer.from(credential.privateKey, 'base64'), format: 'der', type: 'pkcs8' }),
        userHandle: Buffer.from(credential.userHandle ?? '', 'base64').toString('base64url'),
        signCount: credential.signCount + 1,
        rpId,
        origin,
        challenge: options.options.challenge,
      });
      return fetch(`${suite.stack.localUrl}/v1/auth/passkeys/login/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ challengeId: options.challengeId, response }),
      });
    };
    const phished = await attempt('evil.example', 'https://evil.example');
    expect([phished.status, ((await phished.json()) as { code: string }).code]).toEqual([401, 'PASSKEY_INVALID']);
    const wrongOrigin = await attempt('localhost', 'https://evil.example');
    expect(wrongOrigin.status).toBe(401);
    // The crafted assertion is right in every other respect: for this relying party it logs in.
    expect((await attempt('localhost', suite.stack.localUrl)).status).toBe(200);

    await page.getByRole('button', { name: 'Delete Laptop key' }).click();
    await waitForText(page.locator('#message'), 'Passkey Laptop key deleted');
    await expect.poll(() => page.locator('#passkeys li').count()).toBe(0);

    await logOut(page);
    await page.getByRole('button', { name: 'Log in with a passkey' }).click();
    await waitForText(page.locator('#message'), 'That passkey could not be used');
    expect(await page.locator('#message').getAttribute('data-code')).toBe('PASSKEY_INVALID');
    expect(await page.locator('#whoami').textContent()).toBe('Not signed in');
  });

  it('sets up TOTP from the QR screen, then logs in with a code and with a recovery code', async () => {
    const bob = account('bob');
    const person = await openPerson(suite.browser, suite.stack.url);
    suite.people.push(person);
    const { page } = person;
    await signUpAndLogIn(page, bob);

    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const qr = page.locator('#mfa-qr');
    await expect.poll(async () => (await qr.getAttribute('src')) ?? '').toMatch(/^data:image\/svg\+xml/);
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const secret = (await page.locator('#mfa-secret').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.locator('#mfa-confirm').getByLabel('Code from the app').fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) - 30 }));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await waitForText(page.locator('#mfa-status'), 'Two-factor authentication is on');
    const recoveryCodes = await page.locator('#recovery-codes li').allTextContents();
    expect(recoveryCodes).toHaveLength(10);

    await logOut(page);
    await passwordStep(page, bob);
    await waitForText(page.locator('#message'), 'Enter your authentication code');
    await page.locator('#mfa-step').getByLabel('Authentication code').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Verify' }).click();
    await waitForText(page.locator('#whoami'), `Signed in as ${bob.username}`);

    await logOut(page);
    await passwordStep(page, bob);
    await page.locator('#mfa-step').getByLabel('Authentication code').fill(String(recoveryCodes[0]));
    await page.getByRole('button', { name: 'Verify' }).click();
    await waitForText(page.locator('#whoami'), `Signed in as ${bob.username}`);

    // With two-factor on, a password change asks for a code too (here another recovery code).
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Account' }).click();
    const change = page.locator('#password-change');
    const code = change.getByLabel('Authentication code');
    // The page switches on the link's hash change, after the click has returned: wait for it.
    await expect.poll(() => code.isVisible(), { timeout: 5_000 }).toBe(true);
    expect(await code.evaluate((el: HTMLInputElement) => el.required)).toBe(true);
    await change.getByLabel('Current password').fill(bob.password);
    await change.getByLabel('New password', { exact: true }).fill(`${bob.password}-2`);
    await change.getByLabel('Repeat the new password').fill(`${bob.password}-2`);
    await code.fill('000000');
    await change.getByRole('button', { name: 'Change password' }).click();
    await waitForText(page.locator('#message'), 'That code is not right');
    await code.fill(String(recoveryCodes[1]));
    await change.getByRole('button', { name: 'Change password' }).click();
    await waitForText(page.locator('#message'), 'Password changed');
  });
});
