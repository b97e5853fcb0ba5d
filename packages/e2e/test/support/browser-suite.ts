import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium, screenshots } from './browser.js';
import type { Person } from './browser.js';
import { startStack } from './stack.js';
import type { Stack } from './stack.js';

export interface BrowserSuite {
  readonly stack: Stack;
  readonly browser: Browser;
  /** Everyone opened in a test: their pages are screenshotted when it fails. */
  readonly people: Person[];
}

/**
 * For a describe block: the whole stack and Chromium started once before its tests, closed
 * after them, and screenshots of every person's page printed when a test fails.
 */
export function useBrowserSuite(): BrowserSuite {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  const people: Person[] = [];

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchChromium()]);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') console.error('screenshots:', await screenshots(people, ctx.task.name));
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the browser suite has not started');
    return value;
  };
  return {
    get stack() {
      return started(stack);
    },
    get browser() {
      return started(browser);
    },
    people,
  };
}
