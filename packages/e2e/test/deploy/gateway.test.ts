import { INGRESS_ROUTES, MAILED_PAGES, UPSTREAM_SERVICES } from '@authmeet/web-client/ingress';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes, resolve, seconds } from '../support/gateway-routes.js';
import type { Listener, Route, RouteRule } from '../support/gateway-routes.js';
import { strictFieldProblems, validateSchema } from '../support/kube-schema.js';
import { byKind, find, renderOverlay } from '../support/kustomize.js';
import type { Manifest } from '../support/kustomize.js';
import { configOf, spec } from '../support/manifests.js';
import { readRepoFile } from '../support/repo.js';

// The public routing of both overlays: one Gateway, HTTPRoutes for the APIs and the web client.
// Rules are resolved the way a conformant Gateway picks them (support/gateway-routes.ts).

const SERVICE_BACKENDS = new Set(Object.values(UPSTREAM_SERVICES).map((s) => s.name));
const backendOf = (rule: RouteRule | undefined) => rule?.backendRefs?.map((b) => b.name).join(',');
const STREAM = { accept: 'text/event-stream' };

describe.each(['dev', 'prod'])('Gateway API routing, overlay %s', (overlay) => {
  let manifests: Manifest[];
  let routes: Route[];
  let appUrl: URL;
  const target = (path: string, headers: Record<string, string> = {}) => resolve(routes, { host: appUrl.hostname, listener: overlay === 'dev' ? 'http' : 'https' }, path, headers);

  beforeAll(() => {
    manifests = renderOverlay(overlay);
    routes = httpRoutes(manifests);
    appUrl = new URL(configOf(manifests, 'Deployment', 'auth-service').APP_BASE_URL ?? '');
  });

  it('has one Gateway whose listener serves APP_BASE_URL, and every route attached to it', () => {
    const [gateway, ...others] = byKind(manifests, 'Gateway');
    expect(others).toEqual([]);
    const listeners = spec<{ listeners: Listener[] }>(gateway as Manifest).listeners;
    const config = configOf(manifests, 'Deployment', 'auth-service');
    // Mailed links and the OAuth callback must open through the Gateway.
    expect(new URL(config.AUTH_PUBLIC_URL ?? '').origin).toBe(appUrl.origin);
    if (overlay === 'dev') {
      expect(appUrl.protocol).toBe('http:');
      expect(listeners.map((l) => [l.protocol, l.port, l.hostname])).toEqual([['HTTP', 80, undefined]]);
      // APP_BASE_URL names the local end of the port-forward the README gives for the Gateway.
      expect(readRepoFile('README.md')).toContain(`port-forward`);
      expect(readRepoFile('README.md')).toContain(`${appUrl.port}:80`);
    } else {
      expect(appUrl.protocol).toBe('https:');
      const https = listeners.find((l) => l.protocol === 'HTTPS');
      expect(https?.hostname).toBe(appUrl.hostname);
      expect(https?.tls?.certificateRefs?.map((c) => c.name)).toEqual(['authmeet-tls']);
      // Plain HTTP carries one route: the redirect to HTTPS.
      const onHttp = routes.filter((r) => r.spec.parentRefs.some((p) => p.sectionName !== 'https'));
      expect(onHttp.map((r) => r.name)).toEqual(['https-redirect']);
      expect(onHttp[0]?.spec.rules.map((r) => r.filters?.map((f) => f.requestRedirect?.scheme))).toEqual([['https']]);
    }
    for (const route of routes) expect(route.spec.parentRefs.map((p) => p.name), route.name).toEqual([gateway?.metadata.name]);
    for (const ref of routes.flatMap((r) => r.spec.rules.flatMap((rule) => rule.backendRefs ?? []))) {
      const service = spec<{ ports: { port: number }[] }>(find(manifests, 'Service', ref.name));
      expect(service.ports.map((p) => p.port), ref.name).toContain(ref.port);
    }
  });

  it('routes the shared route table to the services, element-wise, and everything else to the web client', () => {
    for (const route of INGRESS_ROUTES) {
      const service = UPSTREAM_SERVICES[route.upstream].name;
      expect(backendOf(target(route.prefix)?.rule), route.prefix).toBe(service);
      expect(backendOf(target(`${route.prefix}/anything`)?.rule), route.prefix).toBe(service);
      expect(backendOf(target(`${route.prefix}x`)?.rule), `${route.prefix}x`).toBe('web-client');
    }
    const prefixes = routes.flatMap((r) => r.spec.rules.filter((rule) => SERVICE_BACKENDS.has(backendOf(rule) ?? '')).flatMap((rule) => (rule.matches ?? []).map((m) => `${m.path?.value ?? ''} ${backendOf(rule) ?? ''}`)));
    expect([...new Set(prefixes)].sort()).toEqual(INGRESS_ROUTES.map((r) => `${r.prefix} ${UPSTREAM_SERVICES[r.upstream].name}`).sort());
    for (const path of ['/', '/index.html', '/app.js']) expect(backendOf(target(path)?.rule), path).toBe('web-client');
  });

  it('never routes /internal/ to a service', () => {
    for (const path of ['/internal', '/internal/v1/users', '/internal/v1/users/0b7e', '/v1/../internal/v1/users']) {
      expect(backendOf(target(path)?.rule), path).toBe('web-client');
      expect(backendOf(target(path, STREAM)?.rule), path).toBe('web-client');
    }
  });

  it('keeps only event streams open long: API calls and static files time out fast', () => {
    const events = target('/v1/meetings/0b7e/events', STREAM)?.rule;
    expect(backendOf(events)).toBe('meetings-service');
    // A stream ends at its token's expiry (ACCESS_TOKEN_TTL, 15 min): the route must outlast that.
    expect(seconds(events?.timeouts?.request ?? '0s')).toBeGreaterThanOrEqual(15 * 60);
    for (const path of ['/v1/auth/login', '/v1/auth/refresh', '/v1/admin/users', '/.well-known/jwks.json', '/v1/meetings', '/v1/meetings/join', '/v1/meetings/0b7e/events', '/']) {
      const rule = target(path)?.rule;
      const request = seconds(rule?.timeouts?.request ?? '0s');
      expect(request, path).toBeGreaterThan(0);
      expect(request, path).toBeLessThanOrEqual(15);
    }
    const long = routes.flatMap((r) => r.spec.rules).filter((rule) => seconds(rule.timeouts?.request ?? '0s') > 60);
    expect(long).toEqual([events]);
    for (const rule of routes.flatMap((r) => r.spec.rules)) {
      if (rule.timeouts?.backendRequest) expect(seconds(rule.timeouts.backendRequest)).toBeLessThanOrEqual(seconds(rule.timeouts.request ?? '0s'));
    }
  });

  it('drops a client-sent X-Service-Key on every rule that reaches a service', () => {
    const serviceRules = routes.flatMap((r) => r.spec.rules).filter((rule) => SERVICE_BACKENDS.has(backendOf(rule) ?? ''));
    expect(serviceRules.length).toBeGreaterThanOrEqual(3);
    for (const rule of serviceRules) {
      const removed = rule.filters?.flatMap((f) => (f.type === 'RequestHeaderModifier' ? (f.requestHeaderModifier?.remove ?? []) : [])) ?? [];
      expect(removed.map((h) => h.toLowerCase())).toContain('x-service-key');
    }
  });

  it('opens the pages the auth-service mails link to in the web client', () => {
    const authConfig = readRepoFile('services/auth-service/src/config.ts');
    for (const [variable, page] of [['EMAIL_VERIFY_PATH', MAILED_PAGES[0]], ['PASSWORD_RESET_PATH', MAILED_PAGES[1]]] as const) {
      expect(authConfig).toMatch(new RegExp(`${variable}: .*\\.default\\('${page}'\\)`));
      expect(backendOf(target(page)?.rule), page).toBe('web-client');
    }
  });

  it('uses only Gateway API standard-channel fields (v1.2 or later)', () => {
    for (const rule of routes.flatMap((r) => r.spec.rules)) {
      for (const key of Object.keys(rule)) expect(['matches', 'filters', 'backendRefs', 'timeouts']).toContain(key);
      for (const filter of rule.filters ?? []) expect(['RequestHeaderModifier', 'RequestRedirect']).toContain(filter.type);
      for (const match of rule.matches ?? []) expect(['PathPrefix', 'Exact']).toContain(match.path?.type);
    }
  });
});

describe('Gateway API schema checks', () => {
  it('report a malformed duration and a misspelt field (the validation is not vacuous)', async () => {
    const route = find(renderOverlay('dev'), 'HTTPRoute', 'meetings-service');
    const withRules = (rules: unknown): Manifest => ({ ...route, spec: { ...(route.spec as object), rules } });
    const [first] = (route.spec as { rules: RouteRule[] }).rules;
    expect(await validateSchema(route)).toEqual([]);
    expect(await validateSchema(withRules([{ ...first, timeouts: { request: '1 hour' } }]))).not.toEqual([]);
    expect(strictFieldProblems([withRules([{ ...first, timeout: { request: '1h' } }])])).toEqual([
      'HTTPRoute/meetings-service.spec.rules[0].timeout: no such field in the Kubernetes API',
    ]);
  });
});
