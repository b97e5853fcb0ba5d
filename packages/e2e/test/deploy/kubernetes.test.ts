import { INGRESS_ROUTES, UPSTREAM_SERVICES } from '@authmeet/web-client/ingress';
import { beforeAll, describe, expect, it } from 'vitest';
import { strictFieldProblems, validateSchema } from '../support/kube-schema.js';
import { byKind, find, renderOverlay } from '../support/kustomize.js';
import type { Manifest } from '../support/kustomize.js';
import { SERVICES } from '../support/repo.js';

// Shapes of the fields these checks read (the rendered YAML is untyped).
interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
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
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  automountServiceAccountToken?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: PodSpec;
}
type LabelSelector = { matchLabels?: Record<string, string> };
interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
}
interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: { from?: PolicyPeer[]; ports?: { port?: string | number }[] }[];
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'Job']);
const podTemplate = (m: Manifest) => (m.spec as { template: PodTemplate }).template;
const spec = <T>(m: Manifest) => m.spec as T;
const matches = (selector: LabelSelector | undefined, labels: Record<string, string>) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

describe.each(['dev', 'prod'])('kustomize overlay %s', (overlay) => {
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = renderOverlay(overlay);
  });

  it('renders only objects that validate against the Kubernetes schemas', async () => {
    expect(manifests.length).toBeGreaterThan(15);
    const problems = (await Promise.all(manifests.map(validateSchema))).flat();
    expect(problems).toEqual([]);
  });

  it('uses no field the Kubernetes API does not define (strict)', () => {
    expect(strictFieldProblems(manifests)).toEqual([]);
  });

  it('puts everything in one namespace that enforces the restricted pod security standard', () => {
    const [namespace, ...others] = byKind(manifests, 'Namespace');
    expect(others).toEqual([]);
    expect(namespace?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const m of manifests.filter((x) => x.kind !== 'Namespace')) expect(m.metadata.namespace, `${m.kind}/${m.metadata.name}`).toBe(namespace?.metadata.name);
  });

  it('runs every container non-root, read-only, without capabilities, with requests and limits', () => {
    const workloads = manifests.filter((m) => WORKLOADS.has(m.kind));
    expect(workloads.length).toBeGreaterThanOrEqual(4);
    for (const w of workloads) {
      const pod = podTemplate(w).spec;
      const where = `${w.kind}/${w.metadata.name}`;
      expect(pod.securityContext?.runAsNonRoot, where).toBe(true);
      expect(pod.securityContext?.seccompProfile?.type, where).toBe('RuntimeDefault');
      expect(pod.automountServiceAccountToken, where).toBe(false);
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const at = `${where} ${c.name}`;
        expect(c.securityContext?.readOnlyRootFilesystem, at).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation, at).toBe(false);
        expect(c.securityContext?.capabilities?.drop, at).toEqual(['ALL']);
        expect(Object.keys(c.resources?.requests ?? {}).sort(), at).toEqual(['cpu', 'memory']);
        expect(Object.keys(c.resources?.limits ?? {}).sort(), at).toEqual(['cpu', 'memory']);
      }
    }
  });

  it.each(SERVICES)('$name: probes, autoscaler, disruption budget, migration job', ({ name, port }) => {
    const deployment = find(manifests, 'Deployment', name);
    const [container] = podTemplate(deployment).spec.containers;
    expect(container?.startupProbe?.httpGet?.path).toBe('/healthz');
    expect(container?.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(container?.readinessProbe?.httpGet?.path).toBe('/readyz');
    const replicas = spec<{ replicas: number }>(deployment).replicas;
    const hpa = spec<{ minReplicas: number; maxReplicas: number; scaleTargetRef: { name: string } }>(find(manifests, 'HorizontalPodAutoscaler', name));
    expect(hpa.scaleTargetRef.name).toBe(name);
    if (overlay === 'dev') {
      expect([replicas, hpa.minReplicas]).toEqual([1, 1]);
    } else {
      expect(replicas).toBeGreaterThanOrEqual(2);
      expect(hpa.minReplicas).toBeGreaterThanOrEqual(2);
    }
    const pdb = spec<{ selector: LabelSelector }>(find(manifests, 'PodDisruptionBudget', name));
    expect(matches(pdb.selector, podTemplate(deployment).metadata?.labels ?? {})).toBe(true);
    const service = spec<{ ports: { port: number }[] }>(find(manifests, 'Service', name));
    expect(service.ports.map((p) => p.port)).toEqual([port]);

    const job = find(manifests, 'Job', name.replace('-service', '-migrate'));
    const [migrate] = podTemplate(job).spec.containers;
    expect(migrate?.command).toEqual(['node', 'dist/src/migrate.js']);
    expect(migrate?.image).toBe(container?.image);
    // The job reads the same configuration as the service it migrates for.
    expect(migrate?.envFrom).toEqual(container?.envFrom);
  });

  it('takes configuration from ConfigMaps and Secrets, and commits no secret value in prod', () => {
    const rendered = new Set(manifests.map((m) => `${m.kind}/${m.metadata.name}`));
    const secretRefs = new Set<string>();
    for (const w of manifests.filter((m) => WORKLOADS.has(m.kind))) {
      for (const c of podTemplate(w).spec.containers) {
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef) expect(rendered.has(`ConfigMap/${from.configMapRef.name}`), from.configMapRef.name).toBe(true);
          if (from.secretRef) secretRefs.add(from.secretRef.name);
        }
      }
    }
    if (overlay === 'prod') {
      // Created out of band (README); kustomize must not render any Secret here.
      expect(byKind(manifests, 'Secret')).toEqual([]);
      expect([...secretRefs].sort()).toEqual(['auth-service-secrets', 'meetings-service-secrets']);
    } else {
      for (const name of secretRefs) expect(rendered.has(`Secret/${name}`), name).toBe(true);
    }
  });

  it('routes exactly the public prefixes through the Ingress, never /internal/', () => {
    const [ingress, ...others] = byKind(manifests, 'Ingress');
    expect(others).toEqual([]);
    type Path = { path: string; pathType: string; backend: { service: { name: string; port: { name?: string } } } };
    const rules = spec<{ rules: { http: { paths: Path[] } }[] }>(ingress as Manifest).rules;
    const routes = rules.flatMap((r) => r.http.paths).map((p) => ({ prefix: p.path, pathType: p.pathType, service: p.backend.service.name }));
    expect(routes).toEqual(
      INGRESS_ROUTES.map((r) => ({ prefix: r.prefix, pathType: 'Prefix', service: UPSTREAM_SERVICES[r.upstream].name })),
    );
    expect(routes.some((r) => r.prefix.startsWith('/internal'))).toBe(false);
  });

  it('denies all ingress traffic by default and lets only the other service reach each service', () => {
    const policies = byKind(manifests, 'NetworkPolicy').map((m) => ({ name: m.metadata.name, spec: spec<NetworkPolicySpec>(m) }));
    const denyAll = policies.find((p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0);
    expect(denyAll?.spec.ingress ?? []).toEqual([]);
    expect(denyAll?.spec.policyTypes).toContain('Ingress');

    for (const [self, other] of [SERVICES, [...SERVICES].reverse()] as const) {
      const labels = podTemplate(find(manifests, 'Deployment', self.name)).metadata?.labels ?? {};
      const applying = policies.filter((p) => p.spec.podSelector.matchLabels && Object.keys(p.spec.podSelector.matchLabels).length > 0 && matches(p.spec.podSelector, labels));
      const peers = applying.flatMap((p) => p.spec.ingress ?? []).flatMap((rule) => rule.from ?? []);
      const podPeers = peers.filter((peer) => !peer.namespaceSelector).map((peer) => peer.podSelector?.matchLabels);
      // In-namespace, only the other service; from outside, only the ingress controller's pods.
      expect(podPeers).toEqual([{ 'app.kubernetes.io/name': other.name, 'app.kubernetes.io/component': 'api' }]);
      const external = peers.filter((peer) => peer.namespaceSelector);
      expect(external.map((peer) => peer.namespaceSelector?.matchLabels)).toEqual([{ 'kubernetes.io/metadata.name': 'ingress-nginx' }]);
    }
  });
});

describe('kustomize overlay dev: in-cluster stores', () => {
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = renderOverlay('dev');
  });

  it('runs Postgres per service and Redis in the cluster, each reachable only from its users', () => {
    const policies = byKind(manifests, 'NetworkPolicy').map((m) => spec<NetworkPolicySpec>(m));
    const pods = manifests.filter((m) => WORKLOADS.has(m.kind)).map((m) => ({ id: `${m.kind}/${m.metadata.name}`, labels: podTemplate(m).metadata?.labels ?? {} }));
    const allowedPods = (store: string) => {
      const peers = policies
        .filter((p) => p.podSelector.matchLabels?.['app.kubernetes.io/name'] === store)
        .flatMap((p) => p.ingress ?? [])
        .flatMap((rule) => rule.from ?? []);
      expect(peers.every((peer) => !peer.namespaceSelector)).toBe(true);
      return pods.filter((pod) => peers.some((peer) => matches(peer.podSelector, pod.labels))).map((pod) => pod.id).sort();
    };
    expect(byKind(manifests, 'StatefulSet').map((s) => s.metadata.name).sort()).toEqual(['auth-db', 'meetings-db', 'redis']);
    expect(allowedPods('auth-db')).toEqual(['Deployment/auth-service', 'Job/auth-migrate']);
    expect(allowedPods('meetings-db')).toEqual(['Deployment/meetings-service', 'Job/meetings-migrate']);
    expect(allowedPods('redis')).toEqual(['Deployment/auth-service', 'Deployment/meetings-service']);
    // Sessions fit Redis' compact hash encoding only with this (packages/bench, scenario 5).
    const redis = byKind(manifests, 'StatefulSet').find((s) => s.metadata.name === 'redis');
    expect(JSON.stringify(redis)).toContain('"--hash-max-listpack-value","256"');
  });
});
