import { beforeAll, describe, expect, it } from 'vitest';
import { byKind, renderOverlay } from '../support/kustomize.js';
import { address, pod, PolicySet, workloadPods } from '../support/network-policy.js';
import type { Endpoint } from '../support/network-policy.js';
import { SERVICES } from '../support/repo.js';

// Who may connect to whom, asked of the rendered NetworkPolicies as a policy-enforcing network
// plugin would answer (support/network-policy.ts), for both overlays.

const outside = {
  gateway: pod('gateway proxy', 'envoy-gateway-system', { 'gateway.envoyproxy.io/owning-gateway-name': 'authmeet' }),
  otherGateway: pod('another namespace\'s proxy', 'envoy-gateway-system', { 'gateway.envoyproxy.io/owning-gateway-name': 'shop' }),
  prometheus: pod('prometheus', 'monitoring', { 'app.kubernetes.io/name': 'prometheus' }),
  collector: pod('otel collector', 'monitoring', { 'app.kubernetes.io/name': 'opentelemetry-collector' }),
  dns: pod('kube-dns', 'kube-system', { 'k8s-app': 'kube-dns' }),
  stranger: pod('some pod', 'default', { app: 'anything' }),
  publicHttps: address('142.250.74.100'), // a public address: Google's OpenID endpoints, object storage
  privateHost: address('10.1.2.3'),
};

describe.each(['dev', 'prod'])('network policies, overlay %s', (overlay) => {
  let policies: PolicySet;
  let pods: Map<string, Endpoint>;
  let namespace: string;
  const at = (name: string): Endpoint => {
    const found = pods.get(name);
    if (!found) throw new Error(`${name} is not rendered`);
    return found;
  };

  beforeAll(() => {
    const manifests = renderOverlay(overlay);
    namespace = byKind(manifests, 'Namespace')[0]?.metadata.name ?? '';
    policies = new PolicySet(manifests);
    pods = new Map(workloadPods(manifests, namespace).map((p) => [p.name, p]));
  });

  it('lets the Gateway reach the API ports and the web client, and nothing else reach them from outside', () => {
    const neighbour = pod('a pod of this namespace', namespace, { app: 'debug' });
    for (const { name } of SERVICES) {
      expect(policies.canConnect(outside.gateway, at(`Deployment/${name}`), 'http'), name).toBe(true);
      for (const source of [outside.otherGateway, outside.prometheus, outside.stranger, neighbour]) {
        expect(policies.canConnect(source, at(`Deployment/${name}`), 'http'), `${source.name} → ${name}`).toBe(false);
      }
    }
    expect(policies.canConnect(outside.gateway, at('Deployment/web-client'), 'http')).toBe(true);
    expect(policies.canConnect(neighbour, at('Deployment/web-client'), 'http')).toBe(false);
  });

  it('opens the metrics ports to the monitoring namespace only, never to the Gateway', () => {
    for (const { name } of SERVICES) {
      expect(policies.canConnect(outside.prometheus, at(`Deployment/${name}`), 'metrics'), name).toBe(true);
      expect(policies.canConnect(outside.gateway, at(`Deployment/${name}`), 'metrics'), name).toBe(false);
      expect(policies.canConnect(outside.stranger, at(`Deployment/${name}`), 'metrics'), name).toBe(false);
    }
  });

  it('lets each service call the other one, and the migrations and the web client call nobody', () => {
    const [auth, meetings] = [at('Deployment/auth-service'), at('Deployment/meetings-service')];
    expect(policies.canConnect(auth, meetings, 'http')).toBe(true);
    expect(policies.canConnect(meetings, auth, 'http')).toBe(true);
    for (const name of ['Job/auth-migrate', 'Job/meetings-migrate', 'Deployment/web-client']) {
      for (const target of [auth, meetings]) expect(policies.canConnect(at(name), target, 'http'), `${name} → ${target.name}`).toBe(false);
      expect(policies.canConnect(at(name), outside.publicHttps, 443), name).toBe(false);
    }
  });

  it('limits egress: DNS for all, HTTPS and SMTP outside the cluster for the auth-service only, OTLP to monitoring', () => {
    for (const p of pods.values()) {
      expect(policies.canConnect(p, outside.dns, 53), p.name).toBe(true);
      expect(policies.canConnect(p, outside.stranger, 80), p.name).toBe(false);
    }
    const [auth, meetings] = [at('Deployment/auth-service'), at('Deployment/meetings-service')];
    for (const port of [443, 465, 587]) {
      expect(policies.canConnect(auth, outside.publicHttps, port), `auth → public:${port}`).toBe(true);
      expect(policies.canConnect(auth, outside.privateHost, port), `auth → private:${port}`).toBe(false);
      expect(policies.canConnect(meetings, outside.publicHttps, port), `meetings → public:${port}`).toBe(false);
    }
    expect(policies.canConnect(auth, outside.publicHttps, 80)).toBe(false);
    for (const service of [auth, meetings]) {
      expect(policies.canConnect(service, outside.collector, 4317), service.name).toBe(true);
      expect(policies.canConnect(service, outside.collector, 4318), service.name).toBe(true);
    }
  });

  it('lets each database be reached only by its own service and migration, Redis only by the services', () => {
    const clients = [...pods.values()].filter((p) => !['StatefulSet', 'Deployment/mailpit'].some((prefix) => p.name.startsWith(prefix)));
    const reaching = (target: Endpoint, port: number) => clients.filter((c) => policies.canConnect(c, target, port)).map((c) => c.name).sort();
    const stores =
      overlay === 'dev'
        ? { authDb: at('StatefulSet/auth-db'), meetingsDb: at('StatefulSet/meetings-db'), redis: at('StatefulSet/redis') }
        : // prod: external stores at the example addresses of k8s/overlays/prod/store-egress.yaml.
          { authDb: address('10.20.1.5'), meetingsDb: address('10.20.2.5'), redis: address('10.20.3.5') };
    expect(reaching(stores.authDb, 5432)).toEqual(['Deployment/auth-service', 'Job/auth-migrate']);
    expect(reaching(stores.meetingsDb, 5432)).toEqual(['Deployment/meetings-service', 'Job/meetings-migrate']);
    expect(reaching(stores.redis, 6379)).toEqual(['Deployment/auth-service', 'Deployment/meetings-service']);
    if (overlay === 'dev') {
      expect(reaching(at('Deployment/mailpit'), 1025)).toEqual(['Deployment/auth-service']);
      // Profile pictures: the auth-service and the bucket-creation Job only.
      expect(reaching(at('Deployment/minio'), 9000)).toEqual(['Deployment/auth-service', 'Job/minio-init']);
      // Nobody outside the namespace reaches a store.
      expect(policies.canConnect(outside.gateway, stores.redis, 6379)).toBe(false);
    }
  });
});
