import { execFileSync } from 'node:child_process';
import { findExecutable } from '@authmeet/test-kit';
import { parseAllDocuments } from 'yaml';
import { repoPath } from './repo.js';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/**
 * `kubectl kustomize` (kustomize v5 built in) renders an overlay. kubectl ships with this
 * machine image; no kustomize is installable from npm or Debian's packages, so a missing kubectl
 * fails the check loudly rather than skipping it.
 */
export function findKubectl(): string {
  const found = findExecutable('kubectl', process.env.KUBECTL);
  if (found === undefined) throw new Error('kubectl not found (needed for `kubectl kustomize`): install kubectl or set KUBECTL');
  return found;
}

export function renderOverlay(overlay: string): Manifest[] {
  const out = execFileSync(findKubectl(), ['kustomize', repoPath('k8s', 'overlays', overlay)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(out)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`kustomize output is not valid YAML: ${doc.errors[0]?.message ?? ''}`);
      return doc.toJSON() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

export const byKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);

export function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} is not rendered`);
  return found;
}
