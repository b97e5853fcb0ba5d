// "My activity": the signed-in user's own security events (GET /v1/auth/me/activity), newest
// first, a page at a time: sign-ins and refused ones, password and second-factor changes, and
// what admins did to the account. Someone else signing in shows up here.
import { auth, unwrap, withQuery } from './api.ts';
import { eventItem } from './audit-format.ts';
import { byId } from './dom.ts';
import { pagedList } from './paged-list.ts';

export function setUpActivity({ explain }: { explain: (error: unknown) => void }) {
  const events = pagedList({
    list: byId('activity-list', HTMLOListElement),
    status: byId('activity-status', HTMLElement),
    more: byId('activity-more', HTMLButtonElement),
    fetchPage: (query) => unwrap(auth.GET('/v1/auth/me/activity', withQuery(query))),
    item: (event) => eventItem(event),
    counted: (n) => (n === 0 ? 'No activity yet.' : `${n} events shown.`),
    onError: explain,
  });
  const newest = () => events.first(new URLSearchParams({ limit: '20' }));
  byId('activity-reload', HTMLButtonElement).addEventListener('click', () => void newest());

  return {
    /** The page was opened: show the newest events. */
    show: newest,
    /** The page was left (or the user signed out): forget what it showed. */
    clear: events.clear,
  };
}
