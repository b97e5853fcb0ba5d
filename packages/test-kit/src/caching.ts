import { expect } from 'vitest';

/** Asserts the status and that no browser or proxy may keep the answer (`Cache-Control: no-store`). */
export function expectNotStored(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['cache-control']).toBe('no-store');
}
