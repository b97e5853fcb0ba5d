import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/slow-server.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('serve()', () => {
  it('on SIGTERM drains the request in flight, refuses new ones, runs close hooks and exits 0', async () => {
    const port = await freePort();
    const child = spawn(tsx, ['--conditions=source', fixture, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = once(child, 'exit');
    const deadline = Date.now() + 15_000;
    while (!out.includes('listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('listening');

    const inFlight = fetch(`http://127.0.0.1:${port}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((r) => setTimeout(r, 200)); // the request is now being handled
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    // Closing: a new request is refused (connection refused, or 503 on a kept-alive socket).
    const late = await fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.status, () => 'refused');
    expect(['refused', 503]).toContain(late);

    expect(await inFlight).toEqual({ status: 200, body: { done: true } });
    const [code] = await exited;
    expect(code).toBe(0); // drained well within the grace period (a timeout exits 1)
    expect(out).toContain('closed');
  }, 30_000);
});
