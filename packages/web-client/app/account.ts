// The account page (#account): the profile (name and username; the email with a verified badge
// and "resend verification"), password change (with the current code when two-factor is on),
// the devices signed in (this one marked; any other revoked on its own) and closing the account.
import { auth, reloadUser, session, unwrap } from './api.ts';
import type { DeviceSession } from './api.ts';
import { byId, h, input, onClick, onSubmit, when } from './dom.ts';

interface AccountApp {
  say: (text: string) => void;
  explain: (error: unknown) => void;
  renderApp: () => void;
  /** The session is over for a reason of the user's own (the account was deleted). */
  signedOut: (code: string) => void;
}

/** A user agent as a person reads it: the browser and the system, not the whole string. */
export function deviceName(userAgent: string): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Firefox\//.test(userAgent) ? 'Firefox' : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome' : /Safari\//.test(userAgent) ? 'Safari' : /curl|node|undici/i.test(userAgent) ? 'A script' : 'A browser';
  const system = /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Mac OS X/.test(userAgent) ? 'macOS' : /Windows/.test(userAgent) ? 'Windows' : /Linux/.test(userAgent) ? 'Linux' : '';
  return system ? `${browser} on ${system}` : browser;
}

export function setUpAccount({ say, explain, renderApp, signedOut }: AccountApp) {
  const ui = {
    profile: byId('profile', HTMLFormElement),
    email: byId('account-email', HTMLElement),
    verified: byId('email-verified', HTMLElement),
    resend: byId('resend-verification', HTMLButtonElement),
    password: byId('password-change', HTMLFormElement),
    passwordCode: byId('password-code', HTMLElement),
    sessions: byId('sessions', HTMLUListElement),
    sessionsStatus: byId('sessions-status', HTMLElement),
    sessionsReload: byId('sessions-reload', HTMLButtonElement),
    deleteForm: byId('account-delete', HTMLFormElement),
    deleteCode: byId('delete-code', HTMLElement),
  };

  /** Fills the forms from the signed-in user. */
  function fill() {
    const user = session.user;
    if (user === null) return;
    input(ui.profile, 'firstName').value = user.firstName ?? '';
    input(ui.profile, 'lastName').value = user.lastName ?? '';
    input(ui.profile, 'username').value = user.username;
    ui.email.textContent = user.email;
    ui.verified.textContent = user.emailVerified ? 'Verified' : 'Not verified';
    ui.verified.className = user.emailVerified ? 'badge badge-success' : 'badge badge-warning';
    ui.resend.hidden = user.emailVerified;
    // The current code is asked only when the account has a second factor.
    for (const [wrap, form] of [
      [ui.passwordCode, ui.password],
      [ui.deleteCode, ui.deleteForm],
    ] as const) {
      wrap.hidden = !user.mfaEnabled;
      input(form, 'code').required = user.mfaEnabled;
    }
  }

  function sessionItem(s: DeviceSession): HTMLLIElement {
    const title = h('strong', { textContent: deviceName(s.userAgent) });
    const facts = h('span', { className: 'muted', textContent: `${s.ip} · signed in ${when(s.createdAt)} · last active ${when(s.lastUsedAt)}` });
    const li = h('li', { className: 'device', dataset: { sessionId: s.id } }, h('span', { className: 'device-text' }, title, ' ', ...(s.current ? [h('span', { className: 'badge badge-success', textContent: 'This device' })] : []), h('br'), facts));
    if (!s.current) {
      const revoke = h('button', { type: 'button', className: 'secondary small', textContent: 'Sign out this device' });
      revoke.setAttribute('aria-label', `Sign out ${deviceName(s.userAgent)} (${s.ip}, since ${when(s.createdAt)})`);
      onClick(
        revoke,
        async () => {
          await unwrap(auth.DELETE('/v1/auth/sessions/{id}', { params: { path: { id: s.id } } }));
          say(`${deviceName(s.userAgent)} is signed out.`);
          await loadSessions();
        },
        explain,
      );
      li.append(revoke);
    }
    return li;
  }

  async function loadSessions() {
    ui.sessionsStatus.textContent = 'Loading…';
    ui.sessions.setAttribute('aria-busy', 'true');
    try {
      const { items } = await unwrap(auth.GET('/v1/auth/sessions'));
      // This device first, then the most recently used.
      items.sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt));
      ui.sessions.replaceChildren(...items.map(sessionItem));
      ui.sessionsStatus.textContent = `${items.length} ${items.length === 1 ? 'device' : 'devices'} signed in.`;
    } catch (error) {
      ui.sessionsStatus.textContent = '';
      explain(error);
    } finally {
      ui.sessions.removeAttribute('aria-busy');
    }
  }

  onSubmit(
    ui.profile,
    async () => {
      const text = (name: string) => input(ui.profile, name).value.trim();
      const body = { firstName: text('firstName') || null, lastName: text('lastName') || null, username: text('username') };
      await unwrap(auth.PATCH('/v1/auth/me', { body }));
      await reloadUser();
      fill();
      renderApp();
      say('Profile saved.');
    },
    explain,
  );

  onClick(
    ui.resend,
    async () => {
      await unwrap(auth.POST('/v1/auth/email/resend'));
      say(`We sent a new verification link to ${session.user?.email ?? 'your address'}. Open it to verify your email.`);
    },
    explain,
  );

  onSubmit(
    ui.password,
    async () => {
      const code = input(ui.password, 'code').value.trim();
      const newPassword = input(ui.password, 'newPassword').value;
      if (newPassword !== input(ui.password, 'confirmPassword').value) {
        say('The new passwords do not match.');
        input(ui.password, 'confirmPassword').focus();
        return;
      }
      await unwrap(
        auth.POST('/v1/auth/password/change', {
          body: { currentPassword: input(ui.password, 'currentPassword').value, newPassword, ...(code ? { code } : {}) },
        }),
      );
      ui.password.reset();
      say('Password changed. Your other devices were signed out.');
      await loadSessions();
    },
    explain,
  );

  onClick(ui.sessionsReload, loadSessions, explain);

  onSubmit(
    ui.deleteForm,
    async () => {
      const code = input(ui.deleteForm, 'code').value.trim();
      await unwrap(auth.DELETE('/v1/auth/me', { body: { password: input(ui.deleteForm, 'password').value, ...(code ? { code } : {}) } }));
      ui.deleteForm.reset();
      signedOut('ACCOUNT_DELETED');
    },
    explain,
  );

  return {
    async show() {
      fill();
      await loadSessions();
    },
    /** Refills the forms (the user changed, here or in another tab). */
    fill,
    clear() {
      ui.profile.reset();
      ui.password.reset();
      ui.deleteForm.reset();
      ui.sessions.replaceChildren();
      ui.sessionsStatus.textContent = '';
    },
  };
}
