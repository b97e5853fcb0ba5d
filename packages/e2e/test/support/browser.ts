import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

/** Debian's Chromium (.ci/system-packages.sh); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium for a closed network: without the background-networking switches it keeps
 * trying to reach Google's hosts. launch() gives it a fresh, throwaway --user-data-dir itself.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Person {
  context: BrowserContext;
  page: Page;
}

/** A separate browser context per person: its own storage, like another browser profile. */
export async function openPerson(browser: Browser, url: string): Promise<Person> {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  const page = await context.newPage();
  await page.goto(url);
  return { context, page };
}

/** Waits (bounded) until the element's text matches; fails naming what was there instead. */
export async function waitForText(locator: Locator, expected: string | RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent({ timeout: timeoutMs }).catch(() => null)) ?? '';
    if (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${String(expected)} in ${locator.toString()}, found "${last}"`);
}

/** A screenshot of each open page when a test fails, so a CI failure can be looked at. */
export async function screenshots(people: Person[], label: string): Promise<string[]> {
  const dir = join(tmpdir(), 'authmeet-e2e-screenshots');
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (const [i, person] of people.entries()) {
    const path = join(dir, `${label.replace(/\W+/g, '-')}-${i}.png`);
    await person.page.screenshot({ path, fullPage: true }).then(() => paths.push(path), () => undefined);
  }
  return paths;
}
