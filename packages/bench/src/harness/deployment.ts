import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerNode, memoryMiB, oldSpaceMiB, runtimeStage } from '@authmeet/test-kit/container-node';
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

interface DeploymentYaml {
  spec: { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[]; resources?: { limits?: { memory?: string } } }[] } } };
}

/**
 * Reads the limit from k8s/base/<svc>/deployment.yaml, and the heap percentage and the other V8
 * flags as a container of that Deployment gets them (test-kit's `containerNode`: its
 * NODE_OPTIONS, else the image's, and the image command's flags). The bench runs on a host
 * without a cgroup limit, where the percentage would apply to the host's memory, so the services
 * get the resulting size in MiB.
 */
export function deploymentMemory(config: BenchConfig, svc: ServiceName): DeploymentMemory {
  const deployment = parse(readFileSync(join(config.repoRoot, 'k8s', 'base', svc, 'deployment.yaml'), 'utf8')) as DeploymentYaml;
  const container = deployment.spec.template.spec.containers.find((c) => c.name === svc);
  const limit = container?.resources?.limits?.memory;
  if (limit === undefined) throw new Error(`k8s/base/${svc}/deployment.yaml sets no memory limit`);
  const stage = runtimeStage(readFileSync(join(config.repoRoot, 'services', 'Dockerfile'), 'utf8'));
  const node = containerNode(stage, container?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value);
  const env = Object.fromEntries([...stage.matchAll(/\b(MALLOC_[A-Z_]+)=(\S+)/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
  const limitMiB = memoryMiB(limit);
  return {
    limitMiB,
    heapPercent: node.heapPercent,
    heapMiB: oldSpaceMiB(limitMiB, node.heapPercent),
    otherFlags: node.otherFlags,
    env,
  };
}
