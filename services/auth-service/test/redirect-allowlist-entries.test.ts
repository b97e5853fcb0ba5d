import { describe, expect, it } from 'vitest';
import { allowlistEntryProblem, createRedirectAllowlist } from '../src/modules/oauth/redirect-allowlist.js';

// Guards on the configured entries and on edge-case targets that the main allowlist suite does
// not pin (each test fails if the named check is removed).

describe('redirect allowlist entries', () => {
  it('refuses custom-scheme entries, which would match any other custom scheme (origin "null")', () => {
    const problem = 'is not an absolute http(s) URL without credentials';
    for (const entry of ['myapp://callback', 'myapp://callback/path', 'file:///tmp/x', 'ftp://app.example.com']) {
      expect(allowlistEntryProblem(entry)).toBe(problem);
    }
    const allow = createRedirectAllowlist(['myapp://callback', 'https://app.example.com']);
    for (const target of ['evil://attacker.example', 'myapp://callback', 'other://callback/x']) {
      expect(allow.check(target)).toBeUndefined();
    }
    expect(allow.check('https://app.example.com/x')?.href).toBe('https://app.example.com/x');
  });

  it('names each problem precisely', () => {
    expect(allowlistEntryProblem('https://app.example.com/#x')).toBe('must not have a query or fragment');
    expect(allowlistEntryProblem('https://app.example.com/?')).toBeUndefined();
    expect(allowlistEntryProblem('https://app.example.com/a%2Fb')).toBe('must not contain encoded slashes');
    expect(allowlistEntryProblem('https://app.example.com/a%5cb')).toBe('must not contain encoded slashes');
    expect(allowlistEntryProblem('https://:pw@app.example.com')).toBe('is not an absolute http(s) URL without credentials');
    expect(allowlistEntryProblem('  https://app.example.com/auth  ')).toBeUndefined();
    expect(allowlistEntryProblem('')).toBe('is not an absolute http(s) URL without credentials');
    expect(allowlistEntryProblem('https://')).toBe('is not an absolute http(s) URL without credentials');
  });

  it('drops unusable entries instead of letting them widen the list', () => {
    const allow = createRedirectAllowlist(['https://app.example.com/a%2Fb', 'https://app.example.com/?x=1']);
    for (const target of ['https://app.example.com/', 'https://app.example.com/a%2Fb', 'https://app.example.com/a/b']) {
      expect(allow.check(target)).toBeUndefined();
    }
  });

  it('treats a trailing-slash prefix as that directory and its contents only', () => {
    const allow = createRedirectAllowlist(['https://app.example.com/auth/']);
    expect(allow.check('https://app.example.com/auth/')?.href).toBe('https://app.example.com/auth/');
    expect(allow.check('https://app.example.com/auth/cb')?.href).toBe('https://app.example.com/auth/cb');
    expect(allow.check('https://app.example.com/auth')).toBeUndefined();
    expect(allow.check('https://app.example.com/authx')).toBeUndefined();
  });

  it('bounds the target length at 2048 characters', () => {
    const allow = createRedirectAllowlist(['https://app.example.com']);
    const base = 'https://app.example.com/';
    expect(allow.check(base + 'a'.repeat(2048 - base.length))).toBeDefined();
    expect(allow.check(base + 'a'.repeat(2049 - base.length))).toBeUndefined();
  });

  it('refuses control characters, tabs and backslashes anywhere in a target', () => {
    const allow = createRedirectAllowlist(['https://app.example.com']);
    for (const target of ['https://app.example.com/a\tb', 'https://app.example.com/a\u0000', 'https://app.example.com/a\u007f', 'https://app.example.com/a\\b', 'https://app.example.com/\u001fx']) {
      expect(allow.check(target)).toBeUndefined();
    }
  });
});
