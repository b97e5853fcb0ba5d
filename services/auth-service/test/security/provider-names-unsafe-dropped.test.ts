import { describe, expect, it } from 'vitest';
import { googleAccount, useGoogleSignIn } from '../oauth-kit.js';

/**
 * Names also arrive from Google's ID token, outside any request schema. One with a control or
 * bidi formatting character is dropped (the account is created without it) rather than stored,
 * and NUL no longer breaks the sign-in (Postgres refuses it).
 */
const g = useGoogleSignIn();

describe('names from the identity provider', () => {
  it.each([
    ['NUL', 'Gr\u0000ace'],
    ['U+0085', 'Gr\u0085ace'],
    ['U+202E', 'Gr\u202Eace'],
  ])('%s in given_name: signed in, the name dropped, the other name kept', async (_name, givenName) => {
    const { landed } = await g.signIn(googleAccount({ given_name: givenName }));
    const code = landed?.searchParams.get('code');
    expect(code, String(landed)).toBeTruthy();
    const res = await g.exchange(code);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user).toMatchObject({ firstName: null, lastName: 'Hopper' });
  });
});
