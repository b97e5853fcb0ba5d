// The admin page (users with the `admin` role only; the API refuses everyone else anyway):
// search users by email or username prefix with role and status filters, a page at a time;
// one user's detail (sessions, linked identities, second factors); disable or enable with a
// reason, set roles, revoke every session, reset second factors; and the audit viewer.
import type { AuthPaths, JsonOf } from '@authmeet/api-client';
import { ApiError, auth, unwrap, withQuery } from './api.ts';
import { setUpAuditViewer } from './admin-audit.ts';
import { byId, control, h, when } from './dom.ts';
import { MESSAGES } from './messages.ts';
import { pagedList } from './paged-list.ts';

/** A user as the admin routes show one (`GET /v1/admin/users`). */
type AdminUser = JsonOf<AuthPaths['/v1/admin/users']['get']['responses'][200]>['items'][number];
/** One user with their sessions, linked identities and second factors (`GET /v1/admin/users/{id}`). */
type UserDetail = JsonOf<AuthPaths['/v1/admin/users/{id}']['get']['responses'][200]>;
type Role = AdminUser['roles'][number];

export function isAdmin(user: unknown): boolean {
  const roles = (user as { roles?: unknown } | null)?.roles;
  return Array.isArray(roles) && roles.includes('admin');
}

const rolesText = (u: AdminUser): string => (u.roles.length === 0 ? 'no roles' : u.roles.join(', '));
const summary = (u: AdminUser): string => `${u.username} · ${u.email} · ${rolesText(u)} · ${u.isActive ? 'active' : 'disabled'}`;

interface AdminApp {
  session: { readonly user: { id: string } | null; refresh(): Promise<boolean> };
  say: (text: string) => void;
  explain: (error: unknown) => void;
  renderApp: () => void;
}

export function setUpAdmin({ session, say, explain, renderApp }: AdminApp) {
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

  // The admin routes' refusals in their own words (the last admin, a user gone).
  function fail(error: unknown) {
    if (error instanceof ApiError && error.code === 'NOT_FOUND') say('This user does not exist any more.');
    else if (error instanceof ApiError && error.code === 'FORBIDDEN') say('Only admins can do this. If your roles just changed, log in again.');
    else if (error instanceof ApiError && error.code === 'LAST_ADMIN') say(MESSAGES.LAST_ADMIN ?? error.message);
    else explain(error);
  }
  const audit = setUpAuditViewer({ fail });

  let selected: UserDetail | null = null;

  function resultItem(user: AdminUser): HTMLLIElement {
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
    fetchPage: (query) => unwrap(auth.GET('/v1/admin/users', withQuery(query))),
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

  function describe(pairs: [string, string][]) {
    ui.facts.replaceChildren(
      ...pairs.flatMap(([term, value]) => [
        h('dt', { textContent: term }),
        h('dd', { textContent: value }),
      ]),
    );
  }

  function fill(list: HTMLUListElement, lines: string[], empty: string) {
    list.replaceChildren(...(lines.length === 0 ? [empty] : lines).map((line) => Object.assign(document.createElement('li'), { textContent: line })));
  }

  function showDetail(detail: UserDetail) {
    selected = detail;
    const { user } = detail;
    ui.panel.hidden = false;
    ui.title.textContent = user.username;
    const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
    describe([
      ['Email', `${user.email}${user.emailVerified ? ' (verified)' : ' (not verified)'}`],
      ...(name ? [['Name', name] as [string, string]] : []),
      ['Status', user.isActive ? 'Active' : 'Disabled'],
      ['Roles', rolesText(user)],
      ['User id', user.id],
      ['Created', when(user.createdAt)],
    ]);
    ui.statusSubmit.textContent = user.isActive ? 'Disable account' : 'Enable account';
    // A reason is required to disable (the API refuses an empty one); enabling may give one.
    ui.reason.required = user.isActive;
    for (const box of rolesForm.querySelectorAll('input[name="roles"]')) {
      if (box instanceof HTMLInputElement) box.checked = user.roles.some((role) => role === box.value);
    }
    fill(ui.sessions, detail.sessions.map((s) => `Since ${when(s.createdAt)}, last used ${when(s.lastUsedAt)} · ${s.ip} · ${s.userAgent || 'unknown device'}`), 'No live session.');
    fill(ui.identities, detail.identities.map((i) => `${i.provider}${i.email ? ` (${i.email})` : ''}, last sign-in ${when(i.lastLoginAt)}`), 'None: password only.');
    const passkeys = detail.mfa.passkeys.map((p) => p.name).join(', ');
    ui.factors.textContent = `Authenticator app: ${detail.mfa.totp ? 'on' : 'off'}. Passkeys: ${passkeys || 'none'}.`;
  }

  /** `focus`: move the keyboard focus to the detail. */
  async function openUser(id: string, focus: boolean) {
    try {
      showDetail(await unwrap(auth.GET('/v1/admin/users/{id}', { params: { path: { id } } })));
      if (focus) ui.title.focus();
    } catch (error) {
      fail(error);
    }
  }

  /**
   * Runs one action on the selected user, then shows the result. An action on one's own account
   * makes one's own tokens stale (the change refuses them): a refresh picks up the new claims,
   * or signs out when the account can no longer be used.
   */
  async function act(action: (user: AdminUser) => Promise<unknown>, done: (user: AdminUser) => string) {
    const target = selected?.user;
    if (!target) return;
    try {
      await action(target);
      say(done(target));
      if (target.id === session.user?.id) {
        await session.refresh();
        renderApp();
        if (session.user === null || !isAdmin(session.user)) return;
      }
      await openUser(target.id, false);
      const row = ui.results.querySelector(`li[data-user-id="${CSS.escape(target.id)}"]`);
      if (row && selected) row.replaceWith(resultItem(selected.user));
    } catch (error) {
      fail(error);
    }
  }

  const target = (u: AdminUser) => ({ path: { id: u.id } });

  search.addEventListener('submit', (e) => {
    e.preventDefault();
    void find();
  });

  statusForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const reason = ui.reason.value.trim();
    // Disabling without a reason goes as `{}` all the same: the API's refusal names the field.
    const body = reason ? { reason } : ({} as { reason: string });
    void act(
      (u) =>
        unwrap(
          u.isActive
            ? auth.POST('/v1/admin/users/{id}/disable', { params: target(u), body })
            : auth.POST('/v1/admin/users/{id}/enable', { params: target(u), body }),
        ).then(() => {
          ui.reason.value = '';
        }),
      (u) => `${u.username} is ${u.isActive ? 'disabled: every session ended' : 'enabled again'}.`,
    );
  });

  rolesForm.addEventListener('submit', (e) => {
    e.preventDefault();
    // The checkboxes' values are the API's roles.
    const roles = new FormData(rolesForm).getAll('roles').map(String) as Role[];
    void act(
      (u) => unwrap(auth.PUT('/v1/admin/users/{id}/roles', { params: target(u), body: { roles } })),
      (u) => `${u.username} now has ${roles.length === 0 ? 'no roles' : `the roles ${roles.join(', ')}`}.`,
    );
  });

  byId('admin-revoke', HTMLButtonElement).addEventListener('click', () => {
    void act(
      (u) => unwrap(auth.POST('/v1/admin/users/{id}/sessions/revoke', { params: target(u) })),
      (u) => `Every session of ${u.username} ended.`,
    );
  });

  byId('admin-reset-mfa', HTMLButtonElement).addEventListener('click', () => {
    void act(
      (u) => unwrap(auth.DELETE('/v1/admin/users/{id}/mfa', { params: target(u) })),
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
