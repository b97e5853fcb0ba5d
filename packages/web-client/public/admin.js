// @ts-check
// The admin page (users with the `admin` role only; the API refuses everyone else anyway):
// search users by email or username prefix with role and status filters, a page at a time;
// one user's detail (sessions, linked identities, second factors); disable or enable with a
// reason, set roles, revoke every session, reset second factors; and the audit viewer.
import { ApiError } from './api.js';
import { setUpAuditViewer } from './admin-audit.js';
import { byId, control } from './dom.js';
import { pagedList } from './paged-list.js';

/** @typedef {import('./api.js').Api} Api */
/**
 * @typedef {{ id: string, email: string, username: string, firstName: string | null, lastName: string | null,
 *   emailVerified: boolean, isActive: boolean, roles: string[], mfaEnabled: boolean, createdAt: string }} AdminUser
 * @typedef {{ user: AdminUser,
 *   sessions: { id: string, createdAt: string, lastUsedAt: string, ip: string, userAgent: string }[],
 *   identities: { provider: string, email: string | null, lastLoginAt: string }[],
 *   mfa: { totp: boolean, passkeys: { id: string, name: string }[] } }} UserDetail
 */

/** @param {unknown} user */
export function isAdmin(user) {
  const roles = /** @type {{ roles?: unknown } | null} */ (user)?.roles;
  return Array.isArray(roles) && roles.includes('admin');
}

/**
 * What the admin routes' refusals mean, in words; any other error shows the API's own message.
 * @type {Record<string, string>}
 */
const MESSAGES = {
  LAST_ADMIN: 'This would leave no active admin. Make another user an admin first, then try again.',
  FORBIDDEN: 'Only admins can do this. If your roles just changed, log in again.',
  NOT_FOUND: 'This user does not exist any more.',
};

/** @param {AdminUser} u */
const rolesText = (u) => (u.roles.length === 0 ? 'no roles' : u.roles.join(', '));
/** @param {AdminUser} u */
const summary = (u) => `${u.username} · ${u.email} · ${rolesText(u)} · ${u.isActive ? 'active' : 'disabled'}`;
/** @param {string} iso */
const when = (iso) => new Date(iso).toLocaleString();

/**
 * @param {{ api: Api, say: (text: string) => void, explain: (error: unknown) => void, renderApp: () => void }} app
 */
export function setUpAdmin({ api, say, explain, renderApp }) {
  const search = byId('admin-search', HTMLFormElement);
  const statusForm = byId('admin-status', HTMLFormElement);
  const rolesForm = byId('admin-roles', HTMLFormElement);
  const ui = {
    results: byId('admin-results', HTMLUListElement),
    resultsStatus: byId('admin-results-status', HTMLElement),
    panel: byId('admin-user', HTMLElement),
    title: byId('admin-user-title', HTMLElement),
    facts: byId('admin-user-facts', HTMLElement),
    reason: control(statusForm, 'reason', HTMLInputElement),
    statusSubmit: byId('admin-status-submit', HTMLButtonElement),
    sessions: byId('admin-sessions', HTMLUListElement),
    identities: byId('admin-identities', HTMLUListElement),
    factors: byId('admin-factors', HTMLElement),
  };

  /** @param {unknown} error */
  function fail(error) {
    const message = error instanceof ApiError ? MESSAGES[error.code] : undefined;
    if (message) say(message);
    else explain(error);
  }
  const audit = setUpAuditViewer({ api, fail });

  /** @type {UserDetail | null} */
  let selected = null;

  /** @param {AdminUser} user */
  function resultItem(user) {
    const li = document.createElement('li');
    li.dataset.userId = user.id;
    const open = Object.assign(document.createElement('button'), { type: 'button', textContent: `Open ${user.username}` });
    open.addEventListener('click', () => void openUser(user.id, true));
    li.append(Object.assign(document.createElement('span'), { textContent: summary(user) }), ' ', open);
    return li;
  }

  const users = pagedList({
    list: ui.results,
    status: ui.resultsStatus,
    more: byId('admin-more', HTMLButtonElement),
    fetchPage: async (query) => /** @type {{ items: AdminUser[], nextCursor: string | null }} */ (await api.call(`/v1/admin/users?${query}`)),
    item: resultItem,
    counted: (n, more) => (n === 0 ? 'No user matches.' : `${n} ${n === 1 ? 'user' : 'users'} shown${more ? '; more below' : ''}.`),
    onError: fail,
  });

  function find() {
    const query = new URLSearchParams({ limit: '20' });
    for (const name of ['query', 'role', 'status']) {
      const value = String(new FormData(search).get(name) ?? '').trim();
      if (value) query.set(name, value);
    }
    return users.first(query);
  }

  /** @param {[string, string][]} pairs */
  function describe(pairs) {
    ui.facts.replaceChildren(
      ...pairs.flatMap(([term, value]) => [
        Object.assign(document.createElement('dt'), { textContent: term }),
        Object.assign(document.createElement('dd'), { textContent: value }),
      ]),
    );
  }

  /** @param {HTMLUListElement} list @param {string[]} lines @param {string} empty */
  function fill(list, lines, empty) {
    list.replaceChildren(...(lines.length === 0 ? [empty] : lines).map((line) => Object.assign(document.createElement('li'), { textContent: line })));
  }

  /** @param {UserDetail} detail */
  function showDetail(detail) {
    selected = detail;
    const { user } = detail;
    ui.panel.hidden = false;
    ui.title.textContent = user.username;
    const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
    describe([
      ['Email', `${user.email}${user.emailVerified ? ' (verified)' : ' (not verified)'}`],
      ...(name ? [/** @type {[string, string]} */ (['Name', name])] : []),
      ['Status', user.isActive ? 'Active' : 'Disabled'],
      ['Roles', rolesText(user)],
      ['User id', user.id],
      ['Created', when(user.createdAt)],
    ]);
    ui.statusSubmit.textContent = user.isActive ? 'Disable account' : 'Enable account';
    // A reason is required to disable (the API refuses an empty one); enabling may give one.
    ui.reason.required = user.isActive;
    for (const box of rolesForm.querySelectorAll('input[name="roles"]')) {
      if (box instanceof HTMLInputElement) box.checked = user.roles.includes(box.value);
    }
    fill(ui.sessions, detail.sessions.map((s) => `Since ${when(s.createdAt)}, last used ${when(s.lastUsedAt)} · ${s.ip} · ${s.userAgent || 'unknown device'}`), 'No live session.');
    fill(ui.identities, detail.identities.map((i) => `${i.provider}${i.email ? ` (${i.email})` : ''}, last sign-in ${when(i.lastLoginAt)}`), 'None: password only.');
    const passkeys = detail.mfa.passkeys.map((p) => p.name).join(', ');
    ui.factors.textContent = `Authenticator app: ${detail.mfa.totp ? 'on' : 'off'}. Passkeys: ${passkeys || 'none'}.`;
  }

  /** @param {string} id @param {boolean} focus move the keyboard focus to the detail */
  async function openUser(id, focus) {
    try {
      showDetail(/** @type {UserDetail} */ (await api.call(`/v1/admin/users/${encodeURIComponent(id)}`)));
      if (focus) ui.title.focus();
    } catch (error) {
      fail(error);
    }
  }

  /**
   * Runs one action on the selected user, then shows the result. An action on one's own account
   * makes one's own tokens stale (the change refuses them): a refresh picks up the new claims,
   * or signs out when the account can no longer be used.
   * @param {(user: AdminUser) => Promise<unknown>} action @param {(user: AdminUser) => string} done
   */
  async function act(action, done) {
    const target = selected?.user;
    if (!target) return;
    try {
      await action(target);
      say(done(target));
      if (target.id === api.user?.id) {
        await api.refresh();
        renderApp();
        if (api.user === null || !isAdmin(api.user)) return;
      }
      await openUser(target.id, false);
      const row = ui.results.querySelector(`li[data-user-id="${CSS.escape(target.id)}"]`);
      if (row && selected) row.replaceWith(resultItem(selected.user));
    } catch (error) {
      fail(error);
    }
  }

  const base = (/** @type {AdminUser} */ u) => `/v1/admin/users/${encodeURIComponent(u.id)}`;

  search.addEventListener('submit', (e) => {
    e.preventDefault();
    void find();
  });

  statusForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const reason = ui.reason.value.trim();
    void act(
      (u) =>
        api.call(`${base(u)}/${u.isActive ? 'disable' : 'enable'}`, { method: 'POST', body: reason ? { reason } : {} }).then(() => {
          ui.reason.value = '';
        }),
      (u) => `${u.username} is ${u.isActive ? 'disabled: every session ended' : 'enabled again'}.`,
    );
  });

  rolesForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const roles = new FormData(rolesForm).getAll('roles').map(String);
    void act(
      (u) => api.call(`${base(u)}/roles`, { method: 'PUT', body: { roles } }),
      (u) => `${u.username} now has ${roles.length === 0 ? 'no roles' : `the roles ${roles.join(', ')}`}.`,
    );
  });

  byId('admin-revoke', HTMLButtonElement).addEventListener('click', () => {
    void act(
      (u) => api.call(`${base(u)}/sessions/revoke`, { method: 'POST' }),
      (u) => `Every session of ${u.username} ended.`,
    );
  });

  byId('admin-reset-mfa', HTMLButtonElement).addEventListener('click', () => {
    void act(
      (u) => api.call(`${base(u)}/mfa`, { method: 'DELETE' }),
      (u) => `Second factors of ${u.username} removed: the password alone signs in until they set one up again.`,
    );
  });

  byId('admin-user-audit', HTMLButtonElement).addEventListener('click', () => {
    if (selected) audit.showFor(selected.user.id);
  });

  return {
    /** The page was opened: the first page of users and of the audit trail. */
    show() {
      void find();
      void audit.load();
    },
    /** Signed out, or no longer an admin: nothing of the directory stays in the page. */
    clear() {
      search.reset();
      users.clear();
      ui.panel.hidden = true;
      ui.facts.replaceChildren();
      selected = null;
      audit.clear();
    },
  };
}
