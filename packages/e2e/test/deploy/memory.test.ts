import { execFileSync } from 'node:child_process';
import { containerNode, memoryMiB as mib, oldSpaceMiB as oldSpaceOf, runtimeStage } from '@authmeet/test-kit/container-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCompose } from '../support/compose.js';
import { find, renderOverlay } from '../support/kustomize.js';
import type { Manifest } from '../support/kustomize.js';
import { configOf, podTemplate } from '../support/manifests.js';
import type { Container } from '../support/manifests.js';
import { readRepoFile } from '../support/repo.js';

/**
 * The memory budget of README "Memory": what each service may hold at once must fit its
 * container's limit. Resident memory outside V8's old space, measured by `pnpm bench` (scenario
 * 10) with the services idle and the heap counted apart (old space and, at its cap, the young
 * generation): the node binary and libraries, V8's code, Prisma's query compiler, and
 * (auth-service) the password-strength worker with its dictionaries.
 */
const OUTSIDE_HEAP_MIB = { 'auth-service': 180, 'meetings-service': 100 } as const;
/** The auth-service's defaults (src/config.ts, avatars.config.ts) where the ConfigMap sets none. */
const AUTH_DEFAULTS = { ARGON2_MEMORY_KIB: 19456, ARGON2_MAX_CONCURRENCY: 4, AVATAR_MAX_BYTES: 5 * 1024 * 1024, AVATAR_MAX_CONCURRENCY: 2, AVATAR_MAX_QUEUE: 8 };

const stage = () => runtimeStage(readRepoFile('services/Dockerfile'));
/** How Node runs in the container: its NODE_OPTIONS (its own, else the image's) and the image command's flags. */
const nodeOf = (container?: Container) => containerNode(stage(), container?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value);
const nodeOptionsOf = (container?: Container) => nodeOf(container).nodeOptions;
/** V8's old space in the container: its share of the memory limit, as Node computes it. */
const oldSpaceMiB = (container?: Container) => oldSpaceOf(mib(container?.resources?.limits?.memory), nodeOf(container).heapPercent);

/**
 * V8's young generation, in MiB: `--max-semi-space-size` caps each semi-space, and V8 reserves
 * three of them beside the old space (heap_size_limit = old space + 3 × semi-space).
 */
function youngGenerationMiB(nodeOptions: string | undefined): number {
  const m = /--max-semi-space-size=(\d+)\b/.exec(nodeOptions ?? '');
  if (!m) throw new Error(`no --max-semi-space-size in ${nodeOptions}: Node 24 lets each semi-space grow to 64 MiB`);
  return 3 * Number(m[1]);
}

/** What the auth-service holds outside its heap at most under load, from its configuration. */
function authLoadMiB(config: Record<string, string>): { argon2: number; pictures: number } {
  const n = (name: keyof typeof AUTH_DEFAULTS) => Number(config[name] ?? AUTH_DEFAULTS[name]);
  return {
    // One argon2id block per hash in flight.
    argon2: (n('ARGON2_MAX_CONCURRENCY') * n('ARGON2_MEMORY_KIB')) / 1024,
    // Every admitted upload's body, twice (the socket's chunks and the contiguous copy sharp reads).
    pictures: ((n('AVATAR_MAX_CONCURRENCY') + n('AVATAR_MAX_QUEUE')) * n('AVATAR_MAX_BYTES') * 2) / 1048576,
  };
}

describe('the image sizes V8 from the container limit', () => {
  it('gives V8 a share of the limit and keeps glibc from holding freed memory', () => {
    expect(nodeOf().heapPercent).toBeGreaterThanOrEqual(25);
    expect(nodeOf().heapPercent).toBeLessThanOrEqual(50);
    expect(stage()).toMatch(/\bMALLOC_ARENA_MAX=2\b/);
    // A fixed mmap threshold turns glibc's dynamic thresholds off: each argon2 hash then maps,
    // faults in and unmaps its 19 MiB again, and hashing runs 4x slower (59 -> 14 hashes/s).
    expect(stage()).not.toMatch(/\bMALLOC_(MMAP|TRIM)_THRESHOLD_=/);
  });

  it('caps V8\'s young generation in the image, and in a Deployment that replaces its NODE_OPTIONS', () => {
    // Node 24's default lets each semi-space grow to 64 MiB: an auth-service under logins held
    // 128 MiB of young generation, and its peak under logins then uploads was 449 MiB (360 MiB
    // with 8 MiB semi-spaces, at the same CPU per login and per upload).
    expect(youngGenerationMiB(nodeOptionsOf())).toBeLessThanOrEqual(3 * 16);
    for (const name of ['auth-service', 'meetings-service']) {
      const [container] = podTemplate(find(renderOverlay('prod'), 'Deployment', name)).spec.containers;
      expect(youngGenerationMiB(nodeOptionsOf(container)), name).toBe(youngGenerationMiB(nodeOptionsOf()));
    }
  });

  it('runs each service in Compose with the memory limit and heap share of its Kubernetes Deployment', () => {
    const compose = parseCompose(readRepoFile('docker-compose.yml')) as { services: Record<string, { mem_limit?: string; environment?: Record<string, string> }> };
    const base = renderOverlay('dev');
    for (const name of ['auth-service', 'meetings-service']) {
      const [container] = podTemplate(find(base, 'Deployment', name)).spec.containers;
      const composed = compose.services[name];
      expect(mib(composed?.mem_limit), name).toBe(mib(container?.resources?.limits?.memory));
      expect(container?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value, name).toBe(composed?.environment?.NODE_OPTIONS);
    }
  });
});

/**
 * V8's growing factor for the old space after a full collection, as V8 reports it
 * (`--trace-gc-verbose`) in a process started with `flags` and a live heap of a few megabytes.
 */
function heapGrowingFactors(flags: string[]): number[] {
  const script = 'globalThis.keep = Array.from({ length: 200000 }, (_, i) => ({ i })); gc(); gc();';
  const out = execFileSync(process.execPath, [...flags, '--trace-gc-verbose', '--expose-gc', '-e', script], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return [...out.matchAll(/\[HeapController\] factor (\d+(?:\.\d+)?)/g)].map((m) => Number(m[1]));
}

describe('V8 lets the old space grow between full collections', () => {
  // For a heap this small V8 lets the old space grow only 1.3-1.4x its live size before it marks
  // again, less room than the young generation takes: an auth-service under uploads then ran a
  // full collection every 4 uploads (20 ms of GC threads per upload, against 4 ms with room to
  // double). README, "Memory".
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = renderOverlay('prod');
  });
  /** Node's flags in the container without a cgroup: the old space in MiB, the rest as given, and the image command's. */
  const flagsOf = (name: string) => {
    const [container] = podTemplate(find(manifests, 'Deployment', name)).spec.containers;
    return [`--max-old-space-size=${oldSpaceMiB(container)}`, ...nodeOf(container).otherFlags];
  };

  // Node exits at once (code 9) when NODE_OPTIONS holds a flag it does not allow there, such as
  // --heap-growing-percent: every container would fail to start, and no test ran the services
  // with their image's NODE_OPTIONS before this one.
  it.each(['auth-service', 'meetings-service'])('%s: Node starts with its NODE_OPTIONS (the image\'s, or its Deployment\'s)', (name) => {
    const [container] = podTemplate(find(manifests, 'Deployment', name)).spec.containers;
    const out = execFileSync(process.execPath, ['-e', 'console.log("started")'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: nodeOptionsOf(container) } });
    expect(out.trim()).toBe('started');
  });

  it('a flag Node refuses in NODE_OPTIONS stops it (the check can fail)', () => {
    expect(() => execFileSync(process.execPath, ['-e', '0'], { stdio: 'pipe', env: { ...process.env, NODE_OPTIONS: '--heap-growing-percent=100' } })).toThrow(/not allowed in NODE_OPTIONS/);
  });

  it.each(['auth-service', 'meetings-service'])('%s: its NODE_OPTIONS and image command let the old space double', (name) => {
    const factors = heapGrowingFactors(flagsOf(name));
    expect(factors.length).toBeGreaterThan(0);
    expect(Math.min(...factors)).toBeGreaterThanOrEqual(2);
  });

  it('V8 alone would not (the check can fail)', () => {
    const factors = heapGrowingFactors(flagsOf('auth-service').filter((f) => !f.startsWith('--heap-growing-percent=')));
    expect(factors.length).toBeGreaterThan(0);
    expect(Math.max(...factors)).toBeLessThan(2);
  });
});

describe.each(['dev', 'prod'])('kustomize overlay %s: memory budget', (overlay) => {
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = renderOverlay(overlay);
  });

  const containerOf = (name: string) => podTemplate(find(manifests, 'Deployment', name)).spec.containers[0];
  const limitOf = (name: string) => mib(containerOf(name)?.resources?.limits?.memory);
  /** V8's old space and young generation together. */
  const heapOf = (name: string) => oldSpaceMiB(containerOf(name)) + youngGenerationMiB(nodeOptionsOf(containerOf(name)));

  it('meetings-service: heap and what lives outside it fit the limit', () => {
    expect(heapOf('meetings-service') + OUTSIDE_HEAP_MIB['meetings-service']).toBeLessThanOrEqual(limitOf('meetings-service'));
  });

  it('auth-service: heap, runtime, hashing and picture uploads at their caps fit the limit', () => {
    const load = authLoadMiB(configOf(manifests, 'Deployment', 'auth-service'));
    expect(heapOf('auth-service') + OUTSIDE_HEAP_MIB['auth-service'] + load.argon2 + load.pictures).toBeLessThanOrEqual(limitOf('auth-service'));
  });

  it('refuses a budget that does not fit (the check can fail)', () => {
    const load = authLoadMiB({ ARGON2_MAX_CONCURRENCY: '16' });
    expect(heapOf('auth-service') + OUTSIDE_HEAP_MIB['auth-service'] + load.argon2 + load.pictures).toBeGreaterThan(limitOf('auth-service'));
  });
});
