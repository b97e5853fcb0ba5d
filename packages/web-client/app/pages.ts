// The signed-in pages, chosen by the URL's fragment so the browser's back button and links
// work: #meetings (the default), #activity (every user) and #admin (users with the `admin`
// role only: for anyone else neither the link nor the page is shown, and #admin falls back to
// the meetings). Leaving a page, or signing out, leaves nothing of the admin data in the DOM.
import { setUpAccount } from './account.ts';
import { setUpActivity } from './activity.ts';
import { isAdmin, setUpAdmin } from './admin.ts';
import { session } from './api.ts';
import { byId } from './dom.ts';

type PageName = 'meetings' | 'account' | 'activity' | 'admin';

interface PagesApp {
  say: (text: string) => void;
  explain: (error: unknown) => void;
  renderApp: () => void;
  signedOut: (code: string) => void;
}

export function setUpPages({ say, explain, renderApp, signedOut }: PagesApp) {
  const ui = {
    nav: byId('pages', HTMLElement),
    adminLink: byId('nav-admin', HTMLElement),
    meetings: byId('signed-in', HTMLElement),
    account: byId('account-page', HTMLElement),
    activity: byId('activity-page', HTMLElement),
    admin: byId('admin-page', HTMLElement),
  };
  const account = setUpAccount({ say, explain, renderApp, signedOut });
  const activity = setUpActivity({ explain });
  const admin = setUpAdmin({ session, say, explain, renderApp });
  /** The page whose data is loaded; '' when none (signed out). */
  let shown: PageName | '' = '';

  function requested(): PageName {
    const page = location.hash.slice(1);
    return page === 'account' || page === 'activity' || page === 'admin' ? page : 'meetings';
  }

  /** Shows the requested page if this user may see it; call after every sign-in, sign-out and fragment change. */
  function render() {
    const user = session.user;
    const mayAdminister = isAdmin(user);
    ui.nav.hidden = user === null;
    ui.adminLink.hidden = !mayAdminister;
    let page: PageName | '' = user === null ? '' : requested();
    if (page === 'admin' && !mayAdminister) page = 'meetings';
    if (user !== null) ui.meetings.hidden = page !== 'meetings';
    ui.account.hidden = page !== 'account';
    ui.activity.hidden = page !== 'activity';
    ui.admin.hidden = page !== 'admin';
    for (const link of ui.nav.querySelectorAll('a')) {
      if (link.getAttribute('href') === `#${page}`) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    if (page === shown) return;
    if (shown === 'admin') admin.clear();
    if (shown === 'activity') activity.clear();
    if (shown === 'account') account.clear();
    shown = page;
    if (page === 'activity') void activity.show();
    if (page === 'account') void account.show();
    if (page === 'admin') admin.show();
  }

  window.addEventListener('hashchange', () => {
    render();
    // Tell keyboard and screen-reader users where they are now.
    if (shown === 'account' || shown === 'activity' || shown === 'admin') byId(`${shown}-title`, HTMLElement).focus();
  });

  return { render, account };
}
