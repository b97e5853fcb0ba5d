// Small DOM helpers: typed element look-ups (a missing or mistyped element fails loudly at
// start-up instead of as a null later), element building, and the busy state of a form.

export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`#${id} is missing`);
  return el;
}

/** A named control of a form. */
export function control<T extends HTMLElement>(form: HTMLFormElement, name: string, type: new () => T): T {
  const el = form.elements.namedItem(name);
  if (!(el instanceof type)) throw new Error(`${form.id} has no ${name}`);
  return el;
}

/** A named text input of a form. */
export function input(form: HTMLFormElement, name: string): HTMLInputElement {
  return control(form, name, HTMLInputElement);
}

/** An element with properties and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { dataset?: Record<string, string> } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const { dataset, ...rest } = props;
  const el = Object.assign(document.createElement(tag), rest);
  if (dataset) Object.assign(el.dataset, dataset);
  el.append(...children);
  return el;
}

/**
 * Runs `work` with `control` (a button, or a form's submit buttons) disabled and marked busy, so
 * a double click sends nothing twice and a spinner shows; everything is re-enabled afterwards.
 */
export async function busy<T>(control: HTMLButtonElement | HTMLFormElement, work: () => Promise<T>): Promise<T> {
  const buttons = control instanceof HTMLFormElement ? [...control.querySelectorAll('button')] : [control];
  if (buttons.some((b) => b.getAttribute('aria-busy') === 'true')) throw new BusyError();
  for (const b of buttons) {
    b.disabled = true;
    b.setAttribute('aria-busy', 'true');
  }
  try {
    return await work();
  } finally {
    for (const b of buttons) {
      b.disabled = false;
      b.removeAttribute('aria-busy');
    }
  }
}

/** A second submit while the first is still running: ignored. */
export class BusyError extends Error {}

/** Handles a form's submit: no page load, the form busy while `work` runs. */
export function onSubmit(form: HTMLFormElement, work: () => Promise<void>, fail: (error: unknown) => void): void {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(form, work).catch((error: unknown) => {
      if (!(error instanceof BusyError)) fail(error);
    });
  });
}

/** Handles a button's click: the button busy while `work` runs. */
export function onClick(button: HTMLButtonElement, work: () => Promise<void>, fail: (error: unknown) => void): void {
  button.addEventListener('click', () => {
    void busy(button, work).catch((error: unknown) => {
      if (!(error instanceof BusyError)) fail(error);
    });
  });
}

export const when = (iso: string): string => new Date(iso).toLocaleString();
