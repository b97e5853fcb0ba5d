import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { buildWebClient } from '@authmeet/web-client/build';
import { MAILED_PAGES, renderWebClientConfig, WEB_CLIENT_SERVER, WEB_CLIENT_SERVER_FILE } from '@authmeet/web-client/ingress';
import { findNginx, startNginx } from '@authmeet/web-client/nginx-process';
import { webRootFor } from '@authmeet/web-client/public-dir';
import { freePort } from '@authmeet/test-kit';
import { describe, expect, it } from 'vitest';
import { parseDockerfile, resolveArgs } from '../support/dockerfile.js';
import { assertNginxAccepts } from '../support/nginx.js';
import type { Stage } from '../support/dockerfile.js';
import { readRepoFile, SERVICES } from '../support/repo.js';

// No Docker engine here: the images cannot be built in CI. These checks read the Dockerfiles
// for the properties the deployment relies on, and run the one script they embed.

const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const values = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

// One Dockerfile for every service; the build arguments (as docker-compose.yml passes them, see
// compose.test.ts) choose the service and its ports.
const text = readRepoFile('services', 'Dockerfile');

describe.each(SERVICES)('services/Dockerfile for $name', ({ name, packageName, port, metricsPort }) => {
  const { args, stages } = parseDockerfile(text);
  const buildArgs = new Map([...args, ['SERVICE', name], ['PORT', String(port)], ['METRICS_PORT', String(metricsPort)]]);
  const build = stages[0];
  const runtime = stages.at(-1);
  const resolved = (stage: Stage, keyword: string) => values(stage, keyword).map((v) => resolveArgs(v, buildArgs));

  it('builds in one stage and runs from a fresh Node 24 slim stage', () => {
    expect(stages).toHaveLength(2);
    for (const stage of stages) expect(resolveArgs(stage.from, args)).toMatch(/^node:24(\.\d+)*-[a-z]+-slim$/);
    expect(resolved(build as Stage, 'ENV').join(' ')).toContain(`PACKAGE=${packageName}`);
  });

  it('refuses to build without the service and its ports, and declares them in every stage', () => {
    for (const arg of ['SERVICE', 'PORT', 'METRICS_PORT']) {
      expect(args.get(arg), arg).toBe(''); // no default: a forgotten argument cannot build the wrong service
      for (const stage of stages) expect(values(stage, 'ARG'), arg).toContain(arg);
    }
    expect(runs(build as Stage)[0]).toMatch(/^test -n "\$SERVICE" && test -n "\$PORT" && test -n "\$METRICS_PORT"\s+\|\| \{.*exit 1; \}$/);
  });

  it('generates the Prisma client offline, builds, and deploys production dependencies only', () => {
    const steps = runs(build as Stage).join('\n');
    expect(values(build as Stage, 'ENV').join(' ')).toMatch(/PRISMA_SCHEMA_ENGINE_BINARY=\/\S+/);
    expect(steps).toContain('pnpm install --frozen-lockfile');
    expect(steps).toMatch(/run db:generate[\s\S]*run build/);
    expect(steps).toMatch(/deploy --prod/);
    // dist/src/migrate.js reads prisma/migrations from the service root: it must survive the clean-up.
    expect(steps).toContain('test -f prisma/migrations/migration_lock.toml');
    const removed = [...steps.matchAll(/rm -rf ([^&\n]*)/g)].flatMap((m) => (m[1] ?? '').trim().split(/\s+/));
    expect(removed.filter((path) => path === 'prisma' || path.startsWith('prisma/'))).toEqual([]);
  });

  it('runs as a non-root user from root-owned files, with a health check and both entry points', () => {
    const stage = runtime as Stage;
    const user = values(stage, 'USER')[0] ?? '';
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(values(stage, 'COPY').join('\n')).toMatch(/--from=build --chown=root:root \/prod \/app/);
    expect(runs(stage)).toEqual([]); // nothing installed or changed in the final image
    expect(values(stage, 'ENV').join(' ')).toContain('NODE_ENV=production');
    // The API port, and METRICS_PORT for the scraper.
    expect(resolved(stage, 'EXPOSE')).toEqual([`${port} ${metricsPort}`]);
    const env = resolved(stage, 'ENV').join(' ').split(/\s+/);
    for (const pair of [`PORT=${port}`, `METRICS_PORT=${metricsPort}`, `OTEL_SERVICE_NAME=${name}`]) expect(env).toContain(pair);
    expect(values(stage, 'HEALTHCHECK')[0]).toContain('/healthz');
    // V8's heap growth on the command line (Node refuses it in NODE_OPTIONS), then the tracing
    // preload: instrumentation must patch modules before the app imports them.
    expect(values(stage, 'CMD')).toEqual(['["node", "--heap-growing-percent=100", "--import", "@authmeet/telemetry/register", "dist/src/main.js"]']);
    expect(text).toContain('node dist/src/migrate.js');
  });

  it('prunes what production never loads: optional peers and everything only they pull in', () => {
    const script = (build as Stage).instructions.find((i) => i.heredocs.PRUNE !== undefined)?.heredocs.PRUNE;
    expect(script).toBeDefined();
    const root = mkdtempSync(join(tmpdir(), 'prune-'));
    try {
      // A pnpm-shaped tree: app → a → b; a names c as an optional peer; c → d.
      const pkg = (entry: string, pkgName: string, manifest: object) => {
        const dir = join(root, 'node_modules/.pnpm', entry, 'node_modules', pkgName);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: pkgName, ...manifest }));
      };
      const link = (from: string, entry: string, pkgName: string) => {
        mkdirSync(dirname(from), { recursive: true });
        symlinkSync(relative(dirname(from), join(root, 'node_modules/.pnpm', entry, 'node_modules', pkgName)), from);
      };
      writeFileSync(join(root, 'package.json'), JSON.stringify({ dependencies: { a: '1' } }));
      pkg('a@1', 'a', { dependencies: { b: '1' }, peerDependencies: { c: '*' }, peerDependenciesMeta: { c: { optional: true } } });
      pkg('b@1', 'b', {});
      pkg('c@1', 'c', { dependencies: { d: '1' } });
      pkg('d@1', 'd', {});
      link(join(root, 'node_modules/a'), 'a@1', 'a');
      link(join(root, 'node_modules/.pnpm/a@1/node_modules/b'), 'b@1', 'b');
      link(join(root, 'node_modules/.pnpm/a@1/node_modules/c'), 'c@1', 'c');
      link(join(root, 'node_modules/.pnpm/c@1/node_modules/d'), 'd@1', 'd');
      execFileSync(process.execPath, ['--input-type=module'], { cwd: root, input: script, stdio: ['pipe', 'pipe', 'pipe'] });
      expect(readdirSync(join(root, 'node_modules/.pnpm')).sort()).toEqual(['a@1', 'b@1']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('packages/web-client/Dockerfile', () => {
  const { stages } = parseDockerfile(readRepoFile('packages/web-client/Dockerfile'));
  const [build, stage] = stages;

  it('builds the client with Vite in a Node stage, then serves only dist/ from unprivileged nginx', () => {
    expect(stages).toHaveLength(2);
    expect(build?.name).toBe('build');
    const buildRuns = runs(build as Stage).join('\n');
    expect(buildRuns).toContain('pnpm install --frozen-lockfile --offline --filter "@authmeet/web-client..."');
    expect(buildRuns).toContain('pnpm --filter @authmeet/web-client run build');
    expect(stage?.from).toMatch(/^nginxinc\/nginx-unprivileged:[\d.]+-alpine$/);
    const copies = values(stage as Stage, 'COPY');
    expect(copies).toContain(`--chown=root:root ${WEB_CLIENT_SERVER_FILE} /etc/nginx/nginx.conf`);
    expect(copies).toContain(`--chown=root:root --from=build /repo/packages/web-client/dist ${WEB_CLIENT_SERVER.webRoot}`);
    expect(runs(stage as Stage)).toEqual([]);
    // The image's nginx user, as the Deployment's runAsUser names it.
    expect(values(stage as Stage, 'USER')).toEqual(['101:101']);
    expect(values(stage as Stage, 'EXPOSE')).toEqual([WEB_CLIENT_SERVER.listen]);
    expect(values(stage as Stage, 'HEALTHCHECK')[0]).toContain('/healthz');
  });

  it('bakes in exactly what src/ingress.ts renders, and nginx accepts it', () => {
    // Regenerate with `pnpm --filter @authmeet/web-client ingress:compose`.
    expect(readRepoFile(WEB_CLIENT_SERVER_FILE)).toBe(renderWebClientConfig(WEB_CLIENT_SERVER));
    assertNginxAccepts((dir) => renderWebClientConfig({ ...WEB_CLIENT_SERVER, runtimeDir: dir, errorLog: join(dir, 'error.log'), webRoot: dir }));
  });

  it('serves the client, its mailed pages and /healthz, and nothing else', async () => {
    const bin = findNginx(process.env.PATH, process.env.NGINX_BIN);
    if (bin === undefined) throw new Error('nginx not found: .ci/system-packages.sh installs it');
    await buildWebClient();
    const runtimeDir = mkdtempSync(join(tmpdir(), 'web-client-'));
    const port = await freePort();
    const config = renderWebClientConfig({ listen: `127.0.0.1:${port}`, webRoot: webRootFor(runtimeDir), runtimeDir });
    const nginx = await startNginx({ bin, runtimeDir, ports: [port], config });
    try {
      const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
      const index = await get('/');
      expect(index.status).toBe(200);
      const page = await index.text();
      const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)">/.exec(page)?.[1];
      expect(script, 'the built entry script').toBeDefined();
      expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
      for (const mailed of MAILED_PAGES) {
        const res = await get(`${mailed}?token=abc`);
        expect(res.status, mailed).toBe(200);
        expect(await res.text(), mailed).toBe(page);
        // The token in the URL must not leak to another site through the Referer header.
        expect(res.headers.get('referrer-policy'), mailed).toBe('no-referrer');
      }
      expect((await get(script ?? '')).headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
      expect(await (await get('/healthz')).text()).toBe('ok');
      for (const path of ['/internal/v1/users', '/verify-email/x', '/nothing-here']) expect((await get(path)).status, path).toBe(404);
    } finally {
      await nginx.stop();
      rmSync(runtimeDir, { recursive: true, force: true });
    }
  });
});

describe('.dockerignore', () => {
  it('keeps installed, built, generated and secret files out of the build context', () => {
    const ignored = readRepoFile('.dockerignore').split('\n').filter((l) => l && !l.startsWith('#'));
    for (const entry of ['.git', '**/node_modules', '**/dist', '**/src/generated', '**/.keys', '**/.env']) expect(ignored).toContain(entry);
  });
});
