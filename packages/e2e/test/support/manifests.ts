import type { Manifest } from './kustomize.js';

// Shapes of the fields the deployment checks read (the rendered YAML is untyped).
export interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string; value?: string; valueFrom?: { configMapKeyRef?: { name: string; key: string }; secretKeyRef?: { name: string; key: string } } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  automountServiceAccountToken?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
}
export interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: PodSpec;
}
export type LabelSelector = { matchLabels?: Record<string, string> };

export const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'Job']);
export const podTemplate = (m: Manifest) => (m.spec as { template: PodTemplate }).template;
export const spec = <T>(m: Manifest) => m.spec as T;
export const matches = (selector: LabelSelector | undefined, labels: Record<string, string>) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

/** The literal values of a rendered ConfigMap. */
export const configData = (m: Manifest) => (m.data ?? {}) as Record<string, string>;

/** The ConfigMap a workload reads its settings from (kustomize suffixes the name with a hash). */
export function configOf(manifests: Manifest[], kind: string, name: string): Record<string, string> {
  const workload = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  const ref = workload && podTemplate(workload).spec.containers[0]?.envFrom?.find((f) => f.configMapRef)?.configMapRef?.name;
  const configMap = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === ref);
  if (!configMap) throw new Error(`${kind}/${name} reads no rendered ConfigMap`);
  return configData(configMap);
}
