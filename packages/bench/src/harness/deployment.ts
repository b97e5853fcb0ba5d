import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { BenchConfig } from '../config.js';

export type ServiceName = 'auth-service' | 'meetings-service';

/** What a service's container gets in the deployment: its memory limit and the image's memory settings. */
export interface DeploymentMemory {
  /** resources.limits.memory of the Kubernetes Deployment (k8s/base), in MiB. */
  limitMiB: number;
  /** `--max-old-space-size-percentage` of the Deployment's NODE_OPTIONS, else of the image's. */
  heapPercent: number;
  /** The old space Node gives V8 in that container: the percentage of the limit, as Node computes it. */
  heapMiB: number;
  /**
   * The rest of the same NODE_OPTIONS, as given (e.g. `--max-semi-space-size`), and the V8 flags
   * of the image's command (`--heap-growing-percent`): passed on unchanged, so the services
   * collect garbage as in the image.
   */
  otherFlags: string[];
  /** Environment of the image that shapes memory besides NODE_OPTIONS (glibc's allocator). */
  env: Record<string, string>;
}

const UNITS: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024 };

function mib(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)$/.exec(quantity);
  if (!m) throw new Error(`unsupported memory quantity ${quantity}`);
  return Number(m[1]) * (UNITS[m[2] ?? ''] ?? Number.NaN);
}

interface DeploymentYaml {
  spec: { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[]; resources?: { limits?: { memory?: string } } }[] } } };
}

/**
 * Reads the limit from k8s/base/<svc>/deployment.yaml and the heap percentage and the other V8
 * flags from its NODE_OPTIONS, else from the runtime stage of services/Dockerfile. The bench runs on a host without a cgroup limit, where the
 * percentage would apply to the host's memory, so the services get the resulting size in MiB.
 */
export function deploymentMemory(config: BenchConfig, svc: ServiceName): DeploymentMemory {
  const deployment = parse(readFileSync(join(config.repoRoot, 'k8s', 'base', svc, 'deployment.yaml'), 'utf8')) as DeploymentYaml;
  const container = deployment.spec.template.spec.containers.find((c) => c.name === svc);
  const limit = container?.resources?.limits?.memory;
  if (limit === undefined) throw new Error(`k8s/base/${svc}/deployment.yaml sets no memory limit`);
  const dockerfile = readFileSync(join(config.repoRoot, 'services', 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  // The Deployment's NODE_OPTIONS, when it sets one, replaces the image's.
  const nodeOptions = container?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? runtime;
  const percent = /--max-old-space-size-percentage=(\d+)/.exec(nodeOptions)?.[1];
  if (percent === undefined) throw new Error('services/Dockerfile sets no --max-old-space-size-percentage in its runtime stage');
  const flags = (/NODE_OPTIONS=("[^"]*"|\S+)/.exec(nodeOptions)?.[1] ?? nodeOptions).replaceAll('"', '').split(/\s+/);
  // And the V8 flags of the image's command: those Node refuses in NODE_OPTIONS are given there.
  const cmd = /^CMD (\[.*\])$/m.exec(runtime)?.[1];
  const commandFlags = (cmd === undefined ? [] : (JSON.parse(cmd) as string[])).filter((arg) => /^--[a-z-]+=/.test(arg));
  const otherFlags = [...flags.filter((f) => f.startsWith('--') && !f.startsWith('--max-old-space-size-percentage=')), ...commandFlags];
  const env = Object.fromEntries([...runtime.matchAll(/\b(MALLOC_[A-Z_]+)=(\S+)/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
  const limitMiB = mib(limit);
  return {
    limitMiB,
    heapPercent: Number(percent),
    heapMiB: Math.floor((Math.floor(limitMiB) * Number(percent)) / 100),
    otherFlags,
    env,
  };
}
