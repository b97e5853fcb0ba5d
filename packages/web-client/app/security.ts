// Second factors: the login's second step (a code from the app, or a recovery code), passkey
// login, and the Security section (TOTP setup with its QR code and recovery codes, passkeys added,
// listed and removed). WebAuthn options and responses travel in their JSON form
// (PublicKeyCredential.parse*OptionsFromJSON / toJSON).
import { auth, reloadUser, session, unwrap } from './api.ts';
import type { User } from './api.ts';
import { byId, h, input, onClick, onSubmit } from './dom.ts';

function credentialJson(credential: unknown) {
  if (!(credential instanceof PublicKeyCredential)) throw new Error('No passkey was provided');
  return credential.toJSON();
}

interface SecurityApp {
  say: (text: string) => void;
  explain: (error: unknown) => void;
  render: () => void;
  /** Signed in (a login, its second step, a passkey). */
  welcome: (user: User) => void;
}

export function setUpSecurity({ say, explain, render, welcome }: SecurityApp) {
  const ui = {
    login: byId('login', HTMLFormElement),
    mfaStep: byId('mfa-step', HTMLFormElement),
    mfaCancel: byId('mfa-cancel', HTMLButtonElement),
    passkeyLogin: byId('passkey-login', HTMLButtonElement),
    mfaStatus: byId('mfa-status', HTMLElement),
    mfaSetup: byId('mfa-setup', HTMLButtonElement),
    mfaConfirm: byId('mfa-confirm', HTMLFormElement),
    mfaQr: byId('mfa-qr', HTMLImageElement),
    mfaSecret: byId('mfa-secret', HTMLElement),
    recovery: byId('recovery', HTMLElement),
    recoveryCodes: byId('recovery-codes', HTMLUListElement),
    passkeyAdd: byId('passkey-add', HTMLFormElement),
    passkeys: byId('passkeys', HTMLUListElement),
    passkeysEmpty: byId('passkeys-empty', HTMLElement),
  };
  /** The pending second step of a login, if any. */
  let mfaToken = '';

  function signedIn(user: User) {
    mfaToken = '';
    ui.mfaStep.hidden = true;
    ui.login.hidden = false;
    welcome(user);
  }

  function backToPassword() {
    mfaToken = '';
    ui.mfaStep.reset();
    ui.mfaStep.hidden = true;
    ui.login.hidden = false;
  }

  async function refresh() {
    const user = session.user;
    if (user === null) return;
    ui.mfaStatus.textContent = user.mfaEnabled ? 'Two-factor authentication is on.' : 'Two-factor authentication is off.';
    ui.mfaStatus.className = user.mfaEnabled ? 'badge badge-success' : 'badge';
    ui.mfaSetup.hidden = user.mfaEnabled;
    try {
      const { items } = await unwrap(auth.GET('/v1/auth/passkeys'));
      ui.passkeys.replaceChildren(
        ...items.map((p) => {
          const remove = h('button', { type: 'button', className: 'secondary small', textContent: `Delete ${p.name}` });
          onClick(remove, () => removePasskey(p.id, p.name), explain);
          return h('li', { dataset: { passkeyId: p.id } }, h('span', { textContent: p.name }), ' ', remove);
        }),
      );
      ui.passkeysEmpty.hidden = items.length > 0;
    } catch (error) {
      explain(error);
    }
  }

  async function removePasskey(id: string, name: string) {
    const code = input(ui.passkeyAdd, 'code').value.trim();
    await unwrap(auth.DELETE('/v1/auth/passkeys/{id}', { params: { path: { id } }, body: code ? { code } : {} }));
    say(`Passkey ${name} deleted.`);
    await refresh();
  }

  onSubmit(
    ui.login,
    async () => {
      const identifier = input(ui.login, 'identifier').value.trim();
      const result = await session.login({ identifier, password: input(ui.login, 'password').value });
      ui.login.reset();
      if (result.status === 'mfa-required') {
        mfaToken = result.mfaToken;
        ui.login.hidden = true;
        ui.mfaStep.hidden = false;
        say('Enter your authentication code.');
        input(ui.mfaStep, 'code').focus();
        return;
      }
      signedIn(result.user);
    },
    explain,
  );

  onSubmit(
    ui.mfaStep,
    async () => {
      const code = input(ui.mfaStep, 'code').value.trim();
      // Six digits come from the app; anything else is a recovery code.
      const user = await session.verifyMfa(/^\d{6}$/.test(code) ? { mfaToken, code } : { mfaToken, recoveryCode: code });
      ui.mfaStep.reset();
      signedIn(user);
    },
    explain,
  );
  ui.mfaCancel.addEventListener('click', () => {
    backToPassword();
    say('');
    input(ui.login, 'identifier').focus();
  });

  onClick(
    ui.passkeyLogin,
    async () => {
      const { challengeId, options } = await unwrap(auth.POST('/v1/auth/passkeys/login/options', { body: {} }));
      const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options as unknown as PublicKeyCredentialRequestOptionsJSON);
      const credential = await navigator.credentials.get({ publicKey });
      const body = await session.signIn('/v1/auth/passkeys/login/verify', { challengeId, response: credentialJson(credential) });
      if ('mfaRequired' in body) throw new Error('the service asked for a second factor after a passkey');
      signedIn(body.user);
    },
    explain,
  );

  onClick(
    ui.mfaSetup,
    async () => {
      const { secret, qrSvg } = await unwrap(auth.POST('/v1/auth/mfa/totp/setup'));
      // An <img> renders the SVG without running anything in it.
      ui.mfaQr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg)}`;
      ui.mfaSecret.textContent = secret;
      ui.mfaConfirm.hidden = false;
      ui.recovery.hidden = true;
      input(ui.mfaConfirm, 'code').focus();
    },
    explain,
  );

  onSubmit(
    ui.mfaConfirm,
    async () => {
      const { recoveryCodes } = await unwrap(auth.POST('/v1/auth/mfa/totp/confirm', { body: { code: input(ui.mfaConfirm, 'code').value.trim() } }));
      ui.mfaConfirm.reset();
      ui.mfaConfirm.hidden = true;
      ui.recoveryCodes.replaceChildren(...recoveryCodes.map((c) => h('li', { textContent: c })));
      ui.recovery.hidden = false;
      await reloadUser();
      say('Two-factor authentication is on.');
      render();
      await refresh();
    },
    explain,
  );

  onSubmit(
    ui.passkeyAdd,
    async () => {
      const options = await unwrap(auth.POST('/v1/auth/passkeys/register/options'));
      const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options as unknown as PublicKeyCredentialCreationOptionsJSON);
      const credential = await navigator.credentials.create({ publicKey });
      const name = input(ui.passkeyAdd, 'name').value.trim() || 'Passkey';
      const code = input(ui.passkeyAdd, 'code').value.trim();
      await unwrap(auth.POST('/v1/auth/passkeys/register/verify', { body: { response: credentialJson(credential) as never, name, ...(code ? { code } : {}) } }));
      input(ui.passkeyAdd, 'code').value = '';
      say(`Passkey ${name} added.`);
      await refresh();
    },
    explain,
  );

  return {
    refresh,
    /** Signed out: no half-finished second step stays on screen. */
    reset: backToPassword,
  };
}
