import type { Manifest } from './kustomize.js';
import { byKind } from './kustomize.js';

// Shapes of the Gateway API fields the checks read.
export interface HeaderMatch {
  type?: 'Exact' | 'RegularExpression';
  name: string;
  value: string;
}
export interface RouteMatch {
  path?: { type?: 'Exact' | 'PathPrefix' | 'RegularExpression'; value?: string };
  headers?: HeaderMatch[];
  method?: string;
}
export interface RouteRule {
  matches?: RouteMatch[];
  filters?: { type: string; requestHeaderModifier?: { remove?: string[] }; requestRedirect?: { scheme?: string } }[];
  backendRefs?: { name: string; port?: number; kind?: string }[];
  timeouts?: { request?: string; backendRequest?: string };
}
export interface RouteSpec {
  parentRefs: { name: string; sectionName?: string }[];
  hostnames?: string[];
  rules: RouteRule[];
}
export interface Listener {
  name: string;
  protocol: string;
  port: number;
  hostname?: string;
  tls?: { certificateRefs?: { name: string }[] };
}

export interface Route {
  name: string;
  spec: RouteSpec;
}

export const httpRoutes = (manifests: Manifest[]): Route[] => byKind(manifests, 'HTTPRoute').map((m) => ({ name: m.metadata.name, spec: m.spec as RouteSpec }));

/** A Gateway API duration (`1h`, `15s`, `1m30s`) in seconds. */
export function seconds(duration: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+)(h|ms|m|s)/g)) total += Number(n) * (units[unit ?? 's'] ?? 0);
  return total;
}

/** PathPrefix is element-wise: `/v1/auth` matches `/v1/auth` and `/v1/auth/...`, never `/v1/authx`. */
function pathMatches(match: RouteMatch, path: string): number | undefined {
  const type = match.path?.type ?? 'PathPrefix';
  const value = match.path?.value ?? '/';
  if (type === 'Exact') return path === value ? Number.MAX_SAFE_INTEGER : undefined;
  if (type !== 'PathPrefix') throw new Error(`path match ${type} is implementation-specific; these routes must not use it`);
  const prefix = value.replace(/\/+$/, '');
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`) ? prefix.length : undefined;
}

/**
 * Which rule a conformant Gateway picks for a request arriving on a listener: among matching rules, Exact path, then the
 * longest PathPrefix, then the most header matches (the spec's precedence; equal ties don't occur
 * in these routes and are reported).
 */
export function resolve(
  routes: Route[],
  at: { host: string; listener: string },
  path: string,
  headers: Record<string, string> = {},
): { route: string; rule: RouteRule } | undefined {
  const lowered = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const candidates: { route: string; rule: RouteRule; pathScore: number; headerCount: number }[] = [];
  for (const route of routes) {
    if (route.spec.hostnames && !route.spec.hostnames.includes(at.host)) continue;
    if (!route.spec.parentRefs.some((p) => p.sectionName === undefined || p.sectionName === at.listener)) continue;
    for (const rule of route.spec.rules) {
      for (const match of rule.matches ?? [{}]) {
        const pathScore = pathMatches(match, path);
        if (pathScore === undefined) continue;
        const headerMatches = match.headers ?? [];
        if (!headerMatches.every((h) => (h.type ?? 'Exact') === 'Exact' && lowered[h.name.toLowerCase()] === h.value)) continue;
        candidates.push({ route: route.name, rule, pathScore, headerCount: headerMatches.length });
      }
    }
  }
  candidates.sort((a, b) => b.pathScore - a.pathScore || b.headerCount - a.headerCount);
  const [best, next] = candidates;
  if (best && next && best.pathScore === next.pathScore && best.headerCount === next.headerCount && best.rule !== next.rule) {
    throw new Error(`${path}: ${best.route} and ${next.route} tie; the winner would depend on creation time`);
  }
  return best && { route: best.route, rule: best.rule };
}
