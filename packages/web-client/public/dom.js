// @ts-check
// Typed element look-ups for the page modules: a missing or mistyped element fails loudly at
// start-up instead of as a null later.

/**
 * @param {string} id @param {new () => T} type @returns {T}
 * @template {HTMLElement} T
 */
export function byId(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`#${id} is missing`);
  return el;
}

/**
 * A named control of a form.
 * @param {HTMLFormElement} form @param {string} name @param {new () => T} type @returns {T}
 * @template {HTMLElement} T
 */
export function control(form, name, type) {
  const el = form.elements.namedItem(name);
  if (!(el instanceof type)) throw new Error(`${form.id} has no ${name}`);
  return el;
}
