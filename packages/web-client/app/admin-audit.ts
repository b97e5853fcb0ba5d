// The admin's audit viewer: GET /v1/admin/audit filtered by actor, target, event type and a
// time range (the browser's local time, sent as UTC), newest first, a page at a time.
import { auth, unwrap, withQuery } from './api.ts';
import { EVENT_LABELS, eventItem } from './audit-format.ts';
import type { AuditEvent } from './audit-format.ts';
import { byId, control } from './dom.ts';
import { pagedList } from './paged-list.ts';

/** Who did it, and to whom: the facts only admins see. */
function who(event: AuditEvent): string[] {
  if (event.actorType === 'system') return ['by the operator (system)'];
  if (event.actorId === null) return [];
  const by = event.actorType === 'admin' ? `by admin ${event.actorId}` : event.actorId === event.targetId ? 'by the user' : `by ${event.actorId}`;
  return event.targetId ? [by, `user ${event.targetId}`] : [by];
}

export function setUpAuditViewer({ fail }: { fail: (error: unknown) => void }) {
  const form = byId('admin-audit-filters', HTMLFormElement);
  const ui = {
    type: control(form, 'type', HTMLSelectElement),
    actorId: control(form, 'actorId', HTMLInputElement),
    targetId: control(form, 'targetId', HTMLInputElement),
    from: control(form, 'from', HTMLInputElement),
    to: control(form, 'to', HTMLInputElement),
  };
  for (const [type, label] of Object.entries(EVENT_LABELS)) ui.type.append(new Option(`${label} (${type})`, type));
  const events = pagedList({
    list: byId('admin-audit', HTMLOListElement),
    status: byId('admin-audit-status', HTMLElement),
    more: byId('admin-audit-more', HTMLButtonElement),
    fetchPage: (query) => unwrap(auth.GET('/v1/admin/audit', withQuery(query))),
    item: (event) => eventItem(event, [...who(event), `event ${event.id}`]),
    counted: (n) => (n === 0 ? 'No events match.' : `${n} events shown.`),
    onError: fail,
  });

  function filters() {
    const query = new URLSearchParams({ limit: '20' });
    for (const input of [ui.actorId, ui.targetId]) if (input.value.trim()) query.set(input.name, input.value.trim());
    if (ui.type.value) query.set('type', ui.type.value);
    // datetime-local is the browser's local time without a zone: Date reads it as local.
    for (const input of [ui.from, ui.to]) if (input.value) query.set(input.name, new Date(input.value).toISOString());
    return query;
  }
  const load = () => events.first(filters());

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });

  return {
    load,
    /** The events about one user. */
    showFor(userId: string) {
      form.reset();
      ui.targetId.value = userId;
      void load();
      ui.targetId.focus();
    },
    clear() {
      form.reset();
      events.clear();
    },
  };
}
