// A list the API serves a page at a time (`{ items, nextCursor }`): the first page replaces what
// is shown, "more" appends the next one, a status line says how many are shown. An answer that
// arrives after a newer load was started (new filters, a sign-out) is dropped.

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagedListOptions<T> {
  list: HTMLElement;
  status: HTMLElement;
  more: HTMLButtonElement;
  fetchPage: (query: URLSearchParams) => Promise<Page<T>>;
  item: (value: T) => HTMLElement;
  counted: (n: number, more: boolean) => string;
  onError: (error: unknown) => void;
}

export function pagedList<T>(opts: PagedListOptions<T>) {
  let filters = new URLSearchParams();
  let cursor: string | null = null;
  let loads = 0;

  /** `fresh`: new filters (the first page), or null for the next page. */
  async function load(fresh: URLSearchParams | null): Promise<void> {
    if (fresh) {
      filters = fresh;
      cursor = null;
    }
    const query = new URLSearchParams(filters);
    if (cursor) query.set('cursor', cursor);
    opts.status.textContent = 'Loading…';
    opts.list.setAttribute('aria-busy', 'true');
    const ticket = ++loads;
    try {
      const page = await opts.fetchPage(query);
      if (ticket !== loads) return;
      const items = page.items.map(opts.item);
      if (fresh) opts.list.replaceChildren(...items);
      else opts.list.append(...items);
      cursor = page.nextCursor;
      opts.more.hidden = cursor === null;
      opts.status.textContent = opts.counted(opts.list.children.length, cursor !== null);
    } catch (error) {
      if (ticket !== loads) return;
      opts.status.textContent = '';
      opts.onError(error);
    } finally {
      if (ticket === loads) opts.list.removeAttribute('aria-busy');
    }
  }

  opts.more.addEventListener('click', () => void load(null));

  return {
    /** The filters of a first page (`limit` included). */
    first: (query: URLSearchParams) => load(query),
    clear() {
      loads += 1;
      cursor = null;
      opts.list.replaceChildren();
      opts.list.removeAttribute('aria-busy');
      opts.status.textContent = '';
      opts.more.hidden = true;
    },
  };
}
