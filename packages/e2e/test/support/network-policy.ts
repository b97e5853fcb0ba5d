import type { Manifest } from './kustomize.js';
import { byKind } from './kustomize.js';
import { matches, podTemplate, spec, WORKLOADS } from './manifests.js';
import type { LabelSelector } from './manifests.js';

/**
 * A small evaluator of Kubernetes NetworkPolicy semantics, so the tests can ask "may A open a
 * connection to B on port P?" of the rendered policies, as a policy-enforcing network plugin
 * would answer: allowed when A's egress and B's ingress both allow it, where a pod that no
 * policy of that direction selects is unrestricted in it.
 */

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  ports?: { port?: number | string; protocol?: string }[];
  from?: Peer[];
  to?: Peer[];
}
interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: Rule[];
  egress?: Rule[];
}

/** A pod (in-cluster endpoint) or an address outside the cluster. */
export type Endpoint =
  | { kind: 'pod'; name: string; namespace: string; labels: Record<string, string>; ports: Record<string, number> }
  | { kind: 'ip'; name: string; ip: string };

export const pod = (name: string, namespace: string, labels: Record<string, string>, ports: Record<string, number> = {}): Endpoint => ({ kind: 'pod', name, namespace, labels, ports });
export const address = (ip: string): Endpoint => ({ kind: 'ip', name: ip, ip });

/** The pods every workload of the rendered manifests runs, with their named container ports. */
export function workloadPods(manifests: Manifest[], namespace: string): Endpoint[] {
  return manifests
    .filter((m) => WORKLOADS.has(m.kind))
    .map((m) => {
      const template = podTemplate(m);
      const ports = Object.fromEntries(template.spec.containers.flatMap((c) => (c.ports ?? []).filter((p) => p.name).map((p) => [p.name, p.containerPort])));
      return pod(`${m.kind}/${m.metadata.name}`, namespace, template.metadata?.labels ?? {}, ports);
    });
}

const ipToInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(base) / size);
}

function peerMatches(peer: Peer, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) return other.kind === 'ip' && inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip, c));
  if (other.kind !== 'pod') return false;
  const namespaceOk = peer.namespaceSelector ? matches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': other.namespace }) : other.namespace === policyNamespace;
  return namespaceOk && (peer.podSelector === undefined || matches(peer.podSelector, other.labels));
}

/** Named ports refer to the destination pod's container ports, in both directions. */
function portMatches(rule: Rule, destination: Endpoint, port: number): boolean {
  if (!rule.ports || rule.ports.length === 0) return true;
  return rule.ports.some((p) => (p.protocol ?? 'TCP') === 'TCP' && (typeof p.port === 'number' ? p.port === port : destination.kind === 'pod' && p.port !== undefined && destination.ports[p.port] === port));
}

export class PolicySet {
  private readonly policies: { namespace: string; spec: PolicySpec }[];

  constructor(manifests: Manifest[]) {
    this.policies = byKind(manifests, 'NetworkPolicy').map((m) => ({ namespace: m.metadata.namespace ?? '', spec: spec<PolicySpec>(m) }));
  }

  private allows(direction: 'Ingress' | 'Egress', self: Endpoint, other: Endpoint, destination: Endpoint, port: number): boolean {
    if (self.kind !== 'pod') return true; // outside the cluster: not ours to restrict
    const selecting = this.policies.filter((p) => p.namespace === self.namespace && (p.spec.policyTypes ?? ['Ingress']).includes(direction) && matches(p.spec.podSelector, self.labels));
    if (selecting.length === 0) return true;
    return selecting.some((p) =>
      (direction === 'Ingress' ? p.spec.ingress : p.spec.egress)?.some(
        (rule) => ((direction === 'Ingress' ? rule.from : rule.to) ?? []).some((peer) => peerMatches(peer, p.namespace, other)) && portMatches(rule, destination, port),
      ),
    );
  }

  /** May `from` open a TCP connection to `to` on `port` (a number, or a named port of `to`)? */
  canConnect(from: Endpoint, to: Endpoint, port: number | string): boolean {
    const number = typeof port === 'number' ? port : to.kind === 'pod' ? to.ports[port] : undefined;
    if (number === undefined) throw new Error(`${to.name} has no port named ${String(port)}`);
    return this.allows('Egress', from, to, to, number) && this.allows('Ingress', to, from, to, number);
  }
}
