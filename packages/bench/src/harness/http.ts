import { Agent, request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { assertLoopback } from '../config.js';
import type { RunningChild } from './children.js';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  json?: unknown;
  timeoutMs?: number;
}

/** One keep-alive agent for setup calls and the revocation poll (no new TCP handshake per call). */
export const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

export function http(url: string, req: HttpRequest = {}): Promise<HttpResponse> {
  assertLoopback(url);
  const body = req.json === undefined ? undefined : JSON.stringify(req.json);
  const headers: Record<string, string> = { ...req.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const r = request(url, { method: req.method ?? 'GET', headers, agent: keepAlive, timeout: req.timeoutMs ?? 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`timeout: ${req.method ?? 'GET'} ${url}`)));
    r.on('error', reject);
    r.end(body);
  });
}

/** JSON call that must answer `expected`; returns the parsed body. */
export async function httpJson<T>(url: string, req: HttpRequest, expected: number): Promise<T> {
  const res = await http(url, req);
  if (res.status !== expected) {
    throw new Error(`${req.method ?? 'GET'} ${url} answered ${res.status}, expected ${expected}: ${res.body.slice(0, 500)}`);
  }
  return (res.body === '' ? undefined : JSON.parse(res.body)) as T;
}

/**
 * Polls `url` until it answers 200 (bounded), failing early if the process died. The bound is
 * generous: on a shared machine with a load average of 15–25 a service took over 30 s to start.
 */
export const waitForHttp = (url: string, child: RunningChild, timeoutMs = 120_000): Promise<void> => waitForStatus(url, child, 200, timeoutMs);

/** Polls `url` until it answers `status` (bounded), failing early if the process died. */
export async function waitForStatus(url: string, child: RunningChild, status: number, timeoutMs = 30_000): Promise<void> {
  let dead: string | undefined;
  void child.exited.then((how) => {
    dead = how;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dead !== undefined) throw new Error(`${child.name} exited (${dead}) before it was ready\n${child.tail()}`);
    const ok = await http(url, { timeoutMs: 1_000 }).then(
      (r) => r.status === status,
      () => false,
    );
    if (ok) return;
    await delay(100);
  }
  throw new Error(`${child.name} not ready at ${url} within ${timeoutMs} ms\n${child.tail()}`);
}
