import { beforeAll, describe, expect, it } from 'vitest';
import { strictFieldProblems, validateSchema } from '../support/kube-schema.js';
import { byKind, find, renderOverlay } from '../support/kustomize.js';
import type { Manifest } from '../support/kustomize.js';
import { configOf, matches, podTemplate, spec, WORKLOADS } from '../support/manifests.js';
import type { LabelSelector } from '../support/manifests.js';
import { SERVICES } from '../support/repo.js';

const isCidr = (v: string) => /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(v);

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
    // The job reads its database URL from the service's Secret, and nothing else from it: a
    // migration never holds the signing keys or the service keys.
    const configMap = container?.envFrom?.find((f) => f.configMapRef)?.configMapRef?.name;
    const secret = container?.envFrom?.find((f) => f.secretRef)?.secretRef?.name;
    expect(migrate?.envFrom).toBeUndefined();
    expect(migrate?.env).toEqual([
      { name: 'NODE_ENV', valueFrom: { configMapKeyRef: { name: configMap, key: 'NODE_ENV' } } },
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: secret, key: 'DATABASE_URL' } } },
    ]);
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
        for (const variable of c.env ?? []) {
          const ref = variable.valueFrom?.secretKeyRef?.name;
          if (ref) secretRefs.add(ref);
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

  it('believes X-Forwarded-For only from the Gateway\'s addresses, and serves metrics on their own port', () => {
    for (const { name, metricsPort } of SERVICES) {
      const config = configOf(manifests, 'Deployment', name);
      // A hop count would believe any direct caller's X-Forwarded-For (README, "Client addresses").
      const trusted = (config.TRUST_PROXY ?? '').split(',');
      expect(trusted.length, name).toBeGreaterThan(0);
      for (const entry of trusted) expect(isCidr(entry), `${name} TRUST_PROXY ${entry}`).toBe(true);
      expect(config.METRICS_PORT, name).toBe(String(metricsPort));
      const [container] = podTemplate(find(manifests, 'Deployment', name)).spec.containers;
      expect(container?.ports?.find((p) => p.name === 'metrics')?.containerPort, name).toBe(metricsPort);
      // The Service publishes the API port only: metrics are scraped from the pods.
      const service = spec<{ ports: { port: number }[] }>(find(manifests, 'Service', name));
      expect(service.ports.map((p) => p.port)).not.toContain(metricsPort);
    }
  });

  it('scales the meetings-service on open event streams per pod, and on CPU', () => {
    type Metric = { type: string; pods?: { metric: { name: string }; target: { type: string; averageValue?: string } }; resource?: { name: string } };
    const hpa = spec<{ metrics: Metric[] }>(find(manifests, 'HorizontalPodAutoscaler', 'meetings-service'));
    expect(hpa.metrics.map((m) => m.type)).toEqual(['Pods', 'Resource']);
    expect(hpa.metrics[0]?.pods?.metric.name).toBe('meetings_sse_open_streams');
    expect(hpa.metrics[0]?.pods?.target.type).toBe('AverageValue');
    expect(hpa.metrics[1]?.resource?.name).toBe('cpu');
  });

  it('serves the web client from its own unprivileged static server', () => {
    const deployment = find(manifests, 'Deployment', 'web-client');
    const pod = podTemplate(deployment).spec;
    expect(pod.containers.map((c) => c.image?.split(':')[0]?.split('/').at(-1))).toEqual(['web-client']);
    expect(pod.securityContext?.runAsUser).toBe(101);
    const [container] = pod.containers;
    expect(container?.readinessProbe?.httpGet?.path).toBe('/healthz');
    expect(container?.envFrom).toBeUndefined();
    const service = spec<{ ports: { port: number }[]; selector: Record<string, string> }>(find(manifests, 'Service', 'web-client'));
    expect(service.ports.map((p) => p.port)).toEqual([8080]);
    expect(matches({ matchLabels: service.selector }, podTemplate(deployment).metadata?.labels ?? {})).toBe(true);
  });
});

describe('kustomize overlay dev: in-cluster stores', () => {
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = renderOverlay('dev');
  });

  // Who may reach each store: network-policies.test.ts.
  it('runs Postgres per service and a persistent Redis in the cluster', () => {
    expect(byKind(manifests, 'StatefulSet').map((s) => s.metadata.name).sort()).toEqual(['auth-db', 'meetings-db', 'redis']);
    // Sessions fit Redis' compact hash encoding only with this (packages/bench, scenario 5).
    const redis = find(manifests, 'StatefulSet', 'redis');
    expect(JSON.stringify(redis)).toContain('"--hash-max-listpack-value","256"');
    // Revocations and sessions survive a restart: an append-only file, synced every second, on a
    // persistent volume (README, "Redis persistence").
    const redisPod = podTemplate(redis).spec;
    const args = redisPod.containers[0]?.command?.join(' ') ?? '';
    expect(args).toContain('--appendonly yes');
    expect(args).toContain('--appendfsync everysec');
    expect(args).toContain('--dir /data');
    const claims = spec<{ volumeClaimTemplates?: { metadata: { name: string } }[] }>(redis).volumeClaimTemplates ?? [];
    expect(claims.map((c) => c.metadata.name)).toEqual(['data']);
  });
});
