import { eventually } from '@authmeet/test-kit';
import { expect } from 'vitest';
import { createApiClients, SessionManager } from '../../src/index.js';
import type { ApiClients, SessionEvents, SessionOptions } from '../../src/index.js';
import { newAccount } from './services.js';
import type { Recorder, Services } from './services.js';

/**
 * One browser tab: a session manager and the typed clients on it. Tabs created with the same
 * `browser` name share a BroadcastChannel and a Web Lock name (Node 24 has both), as the tabs
 * of one origin in one browser do.
 */
export interface Tab {
  session: SessionManager;
  api: ApiClients;
  events: { [E in keyof SessionEvents]: SessionEvents[E][] };
}

export function openTab(
  services: Services,
  browser: string,
  recorder: Recorder,
  options: Partial<SessionOptions> = {},
): Tab {
  const session = new SessionManager({ mode: 'body', authBaseUrl: services.authUrl, channelName: browser, fetch: recorder.fetch, ...options });
  const api = createApiClients({ authBaseUrl: services.authUrl, meetingsBaseUrl: services.meetingsUrl, session });
  const events: Tab['events'] = { 'session.signedIn': [], 'session.signedOut': [], 'session.revoked': [] };
  session.on('session.signedIn', (e) => events['session.signedIn'].push(e));
  session.on('session.signedOut', (e) => events['session.signedOut'].push(e));
  session.on('session.revoked', (e) => events['session.revoked'].push(e));
  return { session, api, events };
}

/** A new account, signed in in tab `first`; `others` (same browser) got the session through the channel. */
export async function signedIn(first: Tab, ...others: Tab[]) {
  const account = newAccount();
  const registered = await first.api.auth.POST('/v1/auth/register', { body: account });
  expect(registered.response.status).toBe(201);
  const result = await first.session.login({ identifier: account.username, password: account.password });
  expect(result.status).toBe('signed-in');
  await eventually(() => {
    for (const other of others) expect(other.session.accessToken).toBe(first.session.accessToken);
  });
  return account;
}
