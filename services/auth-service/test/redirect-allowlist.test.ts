import { describe, expect, it } from 'vitest';
import { allowlistEntryProblem, createRedirectAllowlist } from '../src/modules/oauth/redirect-allowlist.js';

describe('redirect allowlist', () => {
  const allow = createRedirectAllowlist(['https://app.example.com/auth', 'https://admin.example.com', 'http://localhost:5173/']);
  const ok = (target: string) => allow.check(target)?.href;

  it('accepts the origin entries on any path and prefix entries at or below their path', () => {
    expect(ok('https://admin.example.com')).toBe('https://admin.example.com/');
    expect(ok('https://admin.example.com/x/y?z=1#frag')).toBe('https://admin.example.com/x/y?z=1#frag');
    expect(ok('https://app.example.com/auth')).toBe('https://app.example.com/auth');
    expect(ok('https://app.example.com/auth/callback?next=/m')).toBe('https://app.example.com/auth/callback?next=/m');
    expect(ok('HTTPS://APP.EXAMPLE.COM:443/auth/cb')).toBe('https://app.example.com/auth/cb');
    expect(ok('http://localhost:5173/anything')).toBe('http://localhost:5173/anything');
  });

  it.each([
    'https://app.example.com/',
    'https://app.example.com/authx',
    'https://app.example.com/auth/../admin',
    'https://app.example.com/auth/%2e%2e/admin',
    'https://app.example.com/auth/%2E%2E%2Fadmin',
    'https://app.example.com/auth%5c..%5cadmin',
    'https://app.example.com.evil.example/auth',
    'https://evil.example/https://app.example.com/auth',
    'https://app.example.com@evil.example/auth',
    'https://user:pw@app.example.com/auth',
    'https://app.example.com\\@evil.example/auth',
    ' https://app.example.com/auth',
    'https://app.example.com/auth\n',
    'http://app.example.com/auth',
    'https://app.example.com:444/auth',
    'http://localhost:5174/',
    '//app.example.com/auth',
    '/auth',
    'auth',
    '',
    'javascript:alert(1)',
    'ftp://app.example.com/auth',
    `https://app.example.com/auth/${'a'.repeat(2100)}`,
  ])('refuses %j', (target) => {
    expect(allow.check(target)).toBeUndefined();
  });

  it('config rejects unusable entries', () => {
    expect(allowlistEntryProblem('https://app.example.com/auth')).toBeUndefined();
    expect(allowlistEntryProblem('app.example.com')).toMatch(/absolute/);
    expect(allowlistEntryProblem('https://app.example.com/?x=1')).toMatch(/query/);
    expect(allowlistEntryProblem('https://u@app.example.com')).toMatch(/credentials/);
    expect(allowlistEntryProblem('*.example.com')).toBeDefined();
  });
});
