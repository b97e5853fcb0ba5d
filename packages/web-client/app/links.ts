// The pages the auth-service's mails link to: `/verify-email?token=…` (verifies at once) and
// `/reset-password?token=…` (asks for the new password). The paths are the auth-service's
// defaults (EMAIL_VERIFY_PATH, PASSWORD_RESET_PATH); the ingress serves this page there. The token
// leaves the address bar as soon as it is read (it is a secret, and nginx sends no Referer).
import { auth, session, unwrap } from './api.ts';
import { byId, input, onSubmit } from './dom.ts';

interface LinksApp {
  say: (text: string, tone?: 'info' | 'success' | 'error', code?: string) => void;
  sayDone: (text: string) => void;
  explain: (error: unknown) => void;
  render: () => void;
}

export function setUpLinks({ sayDone, explain, render }: LinksApp) {
  const ui = {
    page: byId('link-page', HTMLElement),
    title: byId('link-title', HTMLElement),
    status: byId('link-status', HTMLElement),
    reset: byId('reset-password', HTMLFormElement),
    next: byId('link-continue', HTMLAnchorElement),
  };
  let token = '';

  function show(title: string, status: string) {
    ui.page.hidden = false;
    ui.title.textContent = title;
    ui.status.textContent = status;
    render();
    ui.title.focus();
  }

  /** Back to the app's own address, without a reload. */
  function leave() {
    history.replaceState(null, '', '/');
  }

  ui.next.addEventListener('click', (e) => {
    e.preventDefault();
    ui.page.hidden = true;
    render();
  });

  onSubmit(
    ui.reset,
    async () => {
      const newPassword = input(ui.reset, 'newPassword').value;
      if (newPassword !== input(ui.reset, 'confirmPassword').value) {
        ui.status.textContent = 'The passwords do not match.';
        input(ui.reset, 'confirmPassword').focus();
        return;
      }
      await unwrap(auth.POST('/v1/auth/password/reset', { body: { token, newPassword } }));
      ui.reset.reset();
      ui.reset.hidden = true;
      ui.page.hidden = true;
      render();
      sayDone('Your password is changed, and every device was signed out. Log in with the new password.');
    },
    explain,
  );

  return {
    /** Reads the mailed link this page was opened with, if any. */
    async handle(): Promise<void> {
      const path = location.pathname;
      if (path !== '/verify-email' && path !== '/reset-password') return;
      token = new URLSearchParams(location.search).get('token') ?? '';
      leave();
      if (!token) {
        show('This link is incomplete', 'Open the link from the mail again, or copy all of it into the address bar.');
        return;
      }
      if (path === '/reset-password') {
        show('Choose a new password', 'Enter it twice. Every device signed in to your account will be signed out.');
        ui.reset.hidden = false;
        input(ui.reset, 'newPassword').focus();
        return;
      }
      show('Verifying your email…', '');
      try {
        const user = await unwrap(auth.POST('/v1/auth/email/verify', { body: { token } }));
        show('Email verified', `Thank you: ${user.email} is verified.`);
        // Every signed-in tab shows the badge once the session carries the new user. This tab may
        // still be joining the session: another tab's greeting can arrive after the verification
        // and carry the user from before it, so join first (restore), then refresh.
        if (await session.restore()) await session.refresh();
      } catch (error) {
        show('This link did not work', 'It may have expired or been used already. Log in and send a new one from your account page.');
        explain(error);
      }
    },
  };
}
