import { join } from 'node:path';
import { COMPOSE_INGRESS, COMPOSE_INGRESS_FILE, INGRESS_ROUTES, renderNginxConfig, WEB_CLIENT_SERVER } from '@authmeet/web-client/ingress';
import { describe, expect, it } from 'vitest';
import { composeValidator, interpolate, namedInDotenv, parseCompose, parseDotenv } from '../support/compose.js';
import { assertNginxAccepts } from '../support/nginx.js';
import { readRepoFile, SERVICES } from '../support/repo.js';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string | string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  tmpfs?: string[];
  volumes?: string[];
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
  ports?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  networks: Record<string, { ipam?: { config?: { subnet?: string }[] } } | null>;
}

const networksOf = (s: ComposeService) => (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {}));

const composeText = readRepoFile('docker-compose.yml');
const envExample = readRepoFile('.env.example');

/** .env.example with its REQUIRED blanks filled, as a user following its instructions would. */
function filledEnv(): Map<string, string> {
  const env = parseDotenv(envExample);
  for (const [key, value] of env) if (value === '') env.set(key, `example-${key.toLowerCase()}`);
  return env;
}

const compose = interpolate(parseCompose(composeText), filledEnv()) as ComposeFile;
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification after interpolation', () => {
    expect(composeValidator()(compose)).toEqual([]);
  });

  it('refuses to start without the secrets .env.example marks as required', () => {
    const blank = parseDotenv(envExample);
    expect(() => interpolate(parseCompose(composeText), blank)).toThrow(/required variable/);
  });

  it('runs two Postgres, Redis with append-only persistence and an SMTP capture', () => {
    const images = Object.values(compose.services).map((s) => s.image ?? '');
    expect(images.filter((i) => i.startsWith('postgres:'))).toHaveLength(2);
    // Revocations and sessions survive a restart: append-only file, fsync every second, on a volume.
    expect(service('redis').command?.join(' ')).toContain('--appendonly yes --appendfsync everysec');
    // Sessions fit Redis' compact hash encoding only with this (packages/bench, scenario 5).
    expect(service('redis').command?.join(' ')).toContain('--hash-max-listpack-value 256');
    expect(service('redis').volumes?.some((v) => v.endsWith(':/data'))).toBe(true);
    expect(service('mailpit').image).toMatch(/^axllent\/mailpit:/);
    expect(service('auth-service').environment?.SMTP_URL).toBe('smtp://mailpit:1025');
  });

  it('stores profile pictures in MinIO, whose bucket exists before the auth-service starts', () => {
    expect(service('minio').image).toMatch(/^minio\/minio:RELEASE\./);
    expect(service('minio-init').command?.join(' ')).toMatch(/mc mb --ignore-existing local\/avatars/);
    expect(service('auth-service').depends_on?.['minio-init']?.condition).toBe('service_completed_successfully');
    expect(service('auth-service').environment).toMatchObject({ S3_ENDPOINT: 'http://minio:9000', S3_BUCKET: 'avatars' });
  });

  it.each(SERVICES)('$name: a one-shot migration first, then the healthy service', ({ name, port, metricsPort }) => {
    const app = service(name);
    const migrate = service(name.replace('-service', '-migrate'));
    expect(migrate.image).toBe(app.image);
    expect(migrate.build?.dockerfile).toBe('services/Dockerfile');
    expect(migrate.build?.args).toEqual({ SERVICE: name, PORT: String(port), METRICS_PORT: String(metricsPort) });
    expect(app.build).toEqual(migrate.build);
    expect(migrate.command).toEqual(['node', 'dist/src/migrate.js']);
    // The migration holds its database URL and nothing else (no keys, no other secret).
    expect(migrate.environment).toEqual({ NODE_ENV: 'production', DATABASE_URL: app.environment?.DATABASE_URL });
    expect(app.depends_on?.[name.replace('-service', '-migrate')]?.condition).toBe('service_completed_successfully');
    expect(app.depends_on?.redis?.condition).toBe('service_healthy');
    expect(app.healthcheck?.test?.join(' ')).toContain('/readyz');
    expect(app.environment?.NODE_ENV).toBe('production');
    expect(app.read_only).toBe(true);
    expect(app.tmpfs?.[0]).toMatch(/^\/tmp/);
  });

  it('puts each database on a network only its service and migration join', () => {
    for (const [db, owner] of [['auth-db', 'auth'], ['meetings-db', 'meetings']] as const) {
      const [network, ...more] = networksOf(service(db));
      expect(more).toEqual([]);
      const members = Object.entries(compose.services).filter(([, s]) => network !== undefined && networksOf(s).includes(network)).map(([n]) => n);
      expect(members.sort()).toEqual([db, `${owner}-migrate`, `${owner}-service`].sort());
    }
  });

  it('hands each container only its own secrets, never the whole .env', () => {
    const env = filledEnv();
    const secrets = ['AUTH_DB_PASSWORD', 'MEETINGS_DB_PASSWORD', 'SERVICE_KEY', 'JWT_PRIVATE_JWKS', 'MFA_ENCRYPTION_KEY'] as const;
    const held = (name: string) => secrets.filter((key) => JSON.stringify(service(name)).includes(env.get(key) ?? '')).sort();
    const expected: Record<string, string[]> = {
      'auth-db': ['AUTH_DB_PASSWORD'],
      'meetings-db': ['MEETINGS_DB_PASSWORD'],
      'auth-migrate': ['AUTH_DB_PASSWORD'],
      'meetings-migrate': ['MEETINGS_DB_PASSWORD'],
      'auth-service': ['AUTH_DB_PASSWORD', 'JWT_PRIVATE_JWKS', 'MFA_ENCRYPTION_KEY', 'SERVICE_KEY'],
      'meetings-service': ['MEETINGS_DB_PASSWORD', 'SERVICE_KEY'],
    };
    for (const name of Object.keys(compose.services)) expect(held(name), name).toEqual(expected[name] ?? []);
    // env_file would pass every line of a file to the container, whoever the line is for.
    for (const [name, s] of Object.entries(compose.services)) expect(s.env_file, name).toBeUndefined();
    expect(Object.keys(service('auth-migrate').environment ?? {}).sort()).toEqual(['DATABASE_URL', 'NODE_ENV']);
    expect(Object.keys(service('meetings-migrate').environment ?? {}).sort()).toEqual(['DATABASE_URL', 'NODE_ENV']);
    expect(Object.keys(service('meetings-service').environment ?? {})).not.toContain('JWT_PRIVATE_JWKS');
  });

  it('believes X-Forwarded-For from the ingress\'s fixed address only', () => {
    const ingressNetworks = service('ingress').networks;
    const [edge, ...others] = Object.entries(Array.isArray(ingressNetworks) ? {} : (ingressNetworks ?? {}));
    expect(others).toEqual([]);
    const address = edge?.[1]?.ipv4_address ?? '';
    const subnet = compose.networks[edge?.[0] ?? '']?.ipam?.config?.[0]?.subnet ?? '';
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(subnet.split('/')[0]?.split('.').slice(0, 3)).toEqual(address.split('.').slice(0, 3));
    for (const { name } of SERVICES) {
      expect(service(name).environment?.TRUST_PROXY, name).toBe(address);
      expect(networksOf(service(name)), name).toContain(edge?.[0]);
    }
  });

  it('fronts both services with an nginx ingress routed like the Kubernetes Gateway', () => {
    const ingress = service('ingress');
    expect(ingress.depends_on?.['auth-service']?.condition).toBe('service_healthy');
    expect(ingress.depends_on?.['meetings-service']?.condition).toBe('service_healthy');
    expect(ingress.volumes).toContain(`./${COMPOSE_INGRESS_FILE}:/etc/nginx/nginx.conf:ro`);
    // The client as built by its own image (Vite in the Dockerfile's first stage), served from the same folder.
    expect(ingress.build).toMatchObject({ context: '.', dockerfile: 'packages/web-client/Dockerfile' });
    expect(COMPOSE_INGRESS.webRoot).toBe(WEB_CLIENT_SERVER.webRoot);
    // The mounted file is exactly what the shared route table renders (regenerate with
    // `pnpm --filter @authmeet/web-client ingress:compose`).
    expect(readRepoFile(COMPOSE_INGRESS_FILE)).toBe(renderNginxConfig(COMPOSE_INGRESS));
    for (const route of INGRESS_ROUTES) expect(readRepoFile(COMPOSE_INGRESS_FILE)).toContain(`location ^~ ${route.prefix}/ {`);
  });

  it('has a compose ingress configuration that nginx itself accepts', () => {
    assertNginxAccepts((dir) => renderNginxConfig({ ...COMPOSE_INGRESS, runtimeDir: dir, errorLog: join(dir, 'error.log'), webRoot: dir }));
  });
});

describe('.env.example', () => {
  /** Variable names a config file reads: the UPPER_SNAKE keys of its zod environment object. */
  const configKeys = (file: string, indent: number) =>
    [...readRepoFile(file).matchAll(new RegExp(`^ {${indent}}([A-Z][A-Z0-9_]+):`, 'gm'))].map((m) => m[1] ?? '');

  it('names every variable either service reads', () => {
    const named = namedInDotenv(envExample);
    const read = [
      ...configKeys('packages/http-kit/src/env.ts', 2).map((k) => `common ${k}`),
      ...configKeys('services/auth-service/src/config.ts', 4).map((k) => `auth-service ${k}`),
      ...configKeys('services/auth-service/src/modules/avatars/avatars.config.ts', 2).map((k) => `auth-service ${k}`),
      ...configKeys('services/meetings-service/src/config.ts', 4).map((k) => `meetings-service ${k}`),
    ];
    // Each source is really read (a changed layout must not make this check vacuous).
    for (const source of ['common', 'auth-service', 'meetings-service']) {
      expect(read.filter((entry) => entry.startsWith(`${source} `)).length, source).toBeGreaterThan(10);
    }
    const missing = read.filter((entry) => !named.has(entry.split(' ')[1] ?? ''));
    expect(missing, 'add each to .env.example, commented out with its default').toEqual([]);
  });

  it('names every variable docker-compose.yml interpolates, and sets no real secret', () => {
    const interpolated = new Set([...composeText.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] ?? ''));
    const named = namedInDotenv(envExample);
    expect([...interpolated].filter((k) => !named.has(k))).toEqual([]);
    for (const key of ['AUTH_DB_PASSWORD', 'MEETINGS_DB_PASSWORD', 'SERVICE_KEY', 'JWT_PRIVATE_JWKS', 'MFA_ENCRYPTION_KEY', 'MINIO_ROOT_PASSWORD']) {
      expect(parseDotenv(envExample).get(key), key).toBe('');
    }
  });
});
