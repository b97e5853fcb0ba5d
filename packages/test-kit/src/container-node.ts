/**
 * How Node runs in a container built from services/Dockerfile: the rule the deployment tests
 * (packages/e2e, memory.test.ts) check and the bench (packages/bench, deployment.ts) reproduces
 * on a host without a cgroup limit. Imports nothing, so the bench can use it outside vitest.
 */

/** The runtime stage of a Dockerfile: from its last `FROM` on. */
export function runtimeStage(dockerfile: string): string {
  return dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
}

const MIB_PER_UNIT: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, m: 1 };

/** A memory quantity in MiB: Kubernetes' `Ki`/`Mi`/`Gi`, or Compose's `m`. */
export function memoryMiB(quantity: string | undefined): number {
  const m = /^(\d+)(Ki|Mi|Gi|m)$/.exec(quantity ?? '');
  if (!m) throw new Error(`unsupported memory quantity ${quantity}`);
  return Number(m[1]) * (MIB_PER_UNIT[m[2] ?? ''] ?? Number.NaN);
}

export interface ContainerNode {
  /** The NODE_OPTIONS Node sees: the container's own, which replaces the image's, else the image's. */
  nodeOptions: string;
  /** `--max-old-space-size-percentage` of those NODE_OPTIONS: Node applies it to the cgroup's limit. */
  heapPercent: number;
  /**
   * Every other V8 flag the process runs with: the rest of those NODE_OPTIONS, as given (e.g.
   * `--max-semi-space-size`), then the `--flag=value` arguments of the image's command (flags Node
   * refuses in NODE_OPTIONS, such as `--heap-growing-percent`, are given there; every container
   * runs that command).
   */
  otherFlags: string[];
}

/**
 * Node's flags in a container of the image whose runtime stage is `stage` (see `runtimeStage`),
 * given the container's own NODE_OPTIONS if it sets one.
 */
export function containerNode(stage: string, containerNodeOptions?: string): ContainerNode {
  // The image's NODE_OPTIONS: one word, or several in double quotes.
  const imageNodeOptions = /NODE_OPTIONS=("[^"]*"|\S+)/.exec(stage)?.[1]?.replaceAll('"', '') ?? '';
  const nodeOptions = containerNodeOptions ?? imageNodeOptions;
  const percent = /--max-old-space-size-percentage=(\d+)\b/.exec(nodeOptions)?.[1];
  if (percent === undefined) throw new Error(`no --max-old-space-size-percentage in NODE_OPTIONS "${nodeOptions}"`);
  const cmd = /^CMD (\[.*\])$/m.exec(stage)?.[1];
  const commandFlags = (cmd === undefined ? [] : (JSON.parse(cmd) as string[])).filter((arg) => /^--[a-z-]+=/.test(arg));
  const rest = nodeOptions.split(/\s+/).filter((f) => f.startsWith('--') && !f.startsWith('--max-old-space-size-percentage='));
  return { nodeOptions, heapPercent: Number(percent), otherFlags: [...rest, ...commandFlags] };
}

/** V8's old space in a container with a memory limit of `limitMiB`: the percentage of it, as Node computes it. */
export function oldSpaceMiB(limitMiB: number, heapPercent: number): number {
  return Math.floor((Math.floor(limitMiB) * heapPercent) / 100);
}
