// @ts-check
// Second factors: the login's second step, passkey login, and the Security section (TOTP setup
// with its QR code and recovery codes, passkeys added, listed and removed). WebAuthn options and
// responses travel in their JSON form (PublicKeyCredential.parse*OptionsFromJSON / toJSON).

/** @typedef {import('./api.js').Api} Api */

/**
 * @param {string} id @param {new () => T} type @returns {T}
 * @template {HTMLElement} T
 */
function byId(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`#${id} is missing`);
  return el;
}

/** @param {HTMLFormElement} form @param {string} name */
function input(form, name) {
  const el = form.elements.namedItem(name);
  if (!(el instanceof HTMLInputElement)) throw new Error(`${form.id} has no field ${name}`);
  return el;
}

/** @param {unknown} credential */
function credentialJson(credential) {
  if (!(credential instanceof PublicKeyCredential)) throw new Error('No passkey was provided');
  return credential.toJSON();
}

/**
 * @param {{ api: Api, say: (text: string) => void, explain: (error: unknown) => void, render: () => void }} app
 */
export function setUpSecurity({ api, say, explain, render }) {
  const ui = {
    login: byId('login', HTMLFormElement),
    mfaStep: byId('mfa-step', HTMLFormElement),
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
  };
  /** The pending second step of a login, if any. */
  let mfaToken = '';

  /** @param {import('./api.js').User} user */
  function welcome(user) {
    mfaToken = '';
    ui.mfaStep.hidden = true;
    ui.login.hidden = false;
    say(`Welcome, ${user.username}.`);
    render();
    void refresh();
  }

  async function refresh() {
    const user = api.user;
    if (user === null) return;
    ui.mfaStatus.textContent = user.mfaEnabled ? 'Two-factor authentication is on.' : 'Two-factor authentication is off.';
    ui.mfaSetup.hidden = user.mfaEnabled;
    try {
      const items = await api.passkeys();
      ui.passkeys.replaceChildren(
        ...items.map((p) => {
          const li = document.createElement('li');
          li.dataset.passkeyId = p.id;
          const remove = Object.assign(document.createElement('button'), { type: 'button', textContent: `Delete ${p.name}` });
          remove.addEventListener('click', () => void removePasskey(p.id, p.name));
          li.append(`${p.name} `, remove);
          return li;
        }),
      );
    } catch (error) {
      explain(error);
    }
  }

  /** @param {string} id @param {string} name */
  async function removePasskey(id, name) {
    try {
      await api.deletePasskey(id, input(ui.passkeyAdd, 'code').value.trim());
      say(`Passkey ${name} deleted.`);
      await refresh();
    } catch (error) {
      explain(error);
    }
  }

  ui.login.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const result = await api.login(input(ui.login, 'identifier').value.trim(), input(ui.login, 'password').value);
      ui.login.reset();
      if ('mfaRequired' in result) {
        mfaToken = result.mfaToken;
        ui.login.hidden = true;
        ui.mfaStep.hidden = false;
        say('Enter your authentication code.');
        return;
      }
      welcome(result);
    } catch (error) {
      explain(error);
    }
  });

  ui.mfaStep.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const user = await api.verifyMfa(mfaToken, input(ui.mfaStep, 'code').value.trim());
      ui.mfaStep.reset();
      welcome(user);
    } catch (error) {
      explain(error);
    }
  });

  ui.passkeyLogin.addEventListener('click', async () => {
    try {
      const { challengeId, options } = await api.passkeyLoginOptions();
      const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
      const credential = await navigator.credentials.get({ publicKey });
      welcome(await api.passkeyLogin(challengeId, credentialJson(credential)));
    } catch (error) {
      explain(error);
    }
  });

  ui.mfaSetup.addEventListener('click', async () => {
    try {
      const { secret, qrSvg } = await api.mfaSetup();
      // An <img> renders the SVG without running anything in it.
      ui.mfaQr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg)}`;
      ui.mfaSecret.textContent = secret;
      ui.mfaConfirm.hidden = false;
      ui.recovery.hidden = true;
    } catch (error) {
      explain(error);
    }
  });

  ui.mfaConfirm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const { recoveryCodes } = await api.mfaConfirm(input(ui.mfaConfirm, 'code').value.trim());
      ui.mfaConfirm.reset();
      ui.mfaConfirm.hidden = true;
      ui.recoveryCodes.replaceChildren(...recoveryCodes.map((c) => Object.assign(document.createElement('li'), { textContent: c })));
      ui.recovery.hidden = false;
      await api.reloadUser();
      say('Two-factor authentication is on.');
      await refresh();
    } catch (error) {
      explain(error);
    }
  });

  ui.passkeyAdd.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const options = await api.passkeyRegisterOptions();
      const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
      const credential = await navigator.credentials.create({ publicKey });
      const name = input(ui.passkeyAdd, 'name').value.trim() || 'Passkey';
      await api.passkeyRegister(credentialJson(credential), name, input(ui.passkeyAdd, 'code').value.trim());
      input(ui.passkeyAdd, 'code').value = '';
      say(`Passkey ${name} added.`);
      await refresh();
    } catch (error) {
      explain(error);
    }
  });

  return { refresh };
}
