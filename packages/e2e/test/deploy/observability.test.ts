import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promtool } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { strictFieldProblems, validateSchema } from '../support/kube-schema.js';
import { byKind, find, renderOverlay } from '../support/kustomize.js';
import type { Manifest } from '../support/kustomize.js';
import { SERVICES, repoPath } from '../support/repo.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}
interface RuleGroup {
  name: string;
  rules: Rule[];
}
interface Panel {
  title: string;
  targets?: { expr: string }[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}
type Container = { name: string; ports?: { name?: string; containerPort: number }[]; env?: { name: string; value?: string }[] };

const workdir = mkdtempSync(join(tmpdir(), 'authmeet-rules-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

/** `promtool check rules` on groups written to a file; returns its verdict. */
async function checkRules(name: string, groups: RuleGroup[]) {
  const file = join(workdir, `${name}.yaml`);
  writeFileSync(file, stringify({ groups }));
  return promtool(['check', 'rules', file]);
}

const readDashboard = (service: string) =>
  JSON.parse(readFileSync(repoPath('k8s/base/observability/dashboards', `${service}.json`), 'utf8')) as Dashboard;

describe.each(['dev', 'prod'])('observability in overlay %s', (overlay) => {
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = renderOverlay(overlay);
  });

  it('renders PodMonitors and the PrometheusRule that validate against the Prometheus Operator schemas', async () => {
    const crs = manifests.filter((m) => m.apiVersion.startsWith('monitoring.coreos.com/'));
    expect(crs.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'PodMonitor/auth-service',
      'PodMonitor/meetings-service',
      'PrometheusRule/authmeet-alerts',
    ]);
    expect((await Promise.all(crs.map(validateSchema))).flat()).toEqual([]);
    expect(strictFieldProblems(crs)).toEqual([]);
  });

  it.each(SERVICES)('$name: scraped on its metrics container port, which its Service does not expose', ({ name }) => {
    const monitor = find(manifests, 'PodMonitor', name).spec as {
      selector: { matchLabels: Record<string, string> };
      podMetricsEndpoints: { port: string; path: string }[];
    };
    const deployment = find(manifests, 'Deployment', name);
    const template = (deployment.spec as { template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } } }).template;
    for (const [k, v] of Object.entries(monitor.selector.matchLabels)) expect(template.metadata.labels[k]).toBe(v);
    const [endpoint] = monitor.podMetricsEndpoints;
    expect(endpoint).toEqual(expect.objectContaining({ port: 'metrics', path: '/metrics' }));
    const metricsPort = template.spec.containers[0]?.ports?.find((p) => p.name === 'metrics');
    expect(metricsPort).toBeDefined();
    const service = find(manifests, 'Service', name).spec as { ports: { port: number; targetPort?: number | string }[] };
    for (const p of service.ports) {
      expect(p.port).not.toBe(metricsPort?.containerPort);
      expect(p.targetPort).not.toBe('metrics');
    }
  });

  it('ships one Grafana dashboard per service for the dashboard sidecar', () => {
    const [configMap, ...others] = byKind(manifests, 'ConfigMap').filter((m) => m.metadata.labels?.grafana_dashboard === '1');
    expect(others).toEqual([]);
    expect(Object.keys((configMap?.data ?? {}) as Record<string, string>).sort()).toEqual(['auth-service.json', 'meetings-service.json']);
  });
});

describe('alert rules', () => {
  it('pass promtool check rules and cover what an operator must hear about', async () => {
    const rule = find(renderOverlay('prod'), 'PrometheusRule', 'authmeet-alerts');
    const { groups } = rule.spec as { groups: RuleGroup[] };
    const result = await checkRules('alerts', groups);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.code).toBe(0);
    const alerts = groups.flatMap((g) => g.rules).map((r) => r.alert);
    for (const required of [
      'AuthmeetOutboxBacklog',
      'AuthmeetOutboxStale',
      'AuthmeetDeadLetters',
      'AuthmeetCircuitBreakerOpen',
      'AuthmeetHigh5xxRatio',
      'AuthmeetLoginFailureSpike',
      'AuthmeetRevocationViewStale',
    ]) {
      expect(alerts).toContain(required);
    }
  });

  it('a broken expression is refused (the check can fail)', async () => {
    const result = await checkRules('broken', [{ name: 'broken', rules: [{ alert: 'Broken', expr: 'sum(rate(x[5m])' }] }]);
    expect(result.code).not.toBe(0);
  });
});

describe.each(SERVICES)('$name dashboard', ({ name }) => {
  it('has a stable uid and only valid PromQL (checked by promtool as recording rules)', async () => {
    const dashboard = readDashboard(name);
    expect(dashboard.uid).toBe(`authmeet-${name}`);
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    // Grafana's variables become what Grafana would substitute.
    const rules = exprs.map((expr, i) => ({
      record: `dashboard:panel_${i}`,
      expr: expr.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', 'authmeet'),
    }));
    const result = await checkRules(`dashboard-${name}`, [{ name: `dashboard-${name}`, rules }]);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.code).toBe(0);
  });
});
