/**
 * The one description of the public ingress, rendered as an nginx configuration for `pnpm dev`,
 * the browser tests and docker compose. The Kubernetes HTTPRoutes (k8s/base/gateway/routes.yaml)
 * must route exactly these prefixes; packages/e2e checks that the two agree.
 *
 * Kept free of relative imports and non-erasable TypeScript so Node runs it as it is
 * (type stripping) and other packages type-check it from source.
 */

export type Upstream = 'auth' | 'meetings';

export interface IngressRoute {
  /** Kubernetes `pathType: Prefix` semantics: the path itself and everything below `prefix/`. */
  prefix: string;
  upstream: Upstream;
  /** Long-lived responses (Server-Sent Events) need a long read timeout. */
  streaming: boolean;
}

/** `/internal/` is deliberately absent: the ingress never routes service-to-service endpoints. */
export const INGRESS_ROUTES: readonly IngressRoute[] = [
  { prefix: '/v1/auth', upstream: 'auth', streaming: false },
  { prefix: '/v1/admin', upstream: 'auth', streaming: false },
  { prefix: '/.well-known', upstream: 'auth', streaming: false },
  { prefix: '/v1/meetings', upstream: 'meetings', streaming: true },
];

/** The Kubernetes Service behind each upstream (k8s/base). */
export const UPSTREAM_SERVICES: Readonly<Record<Upstream, { name: string; port: number }>> = {
  auth: { name: 'auth-service', port: 5001 },
  meetings: { name: 'meetings-service', port: 5000 },
};

export interface StaticSite {
  /** `port` or `address:port`. */
  listen: string;
  root: string;
}

export interface IngressOptions {
  /** `port` or `address:port` of the public entry point. */
  listen: string;
  /** `host:port` of each service. */
  upstreams: Record<Upstream, string>;
  /** The web client's files, served at `/`. */
  webRoot: string;
  /** Where nginx keeps its pid, logs and temp files: must be writable by the user nginx runs as. */
  runtimeDir: string;
  /**
   * A DNS resolver (docker compose: 127.0.0.11). With one, service names are resolved per request
   * instead of once at start, so a restarted container with a new address is still reached.
   */
  resolver?: string;
  /** Extra plain static sites (the browser tests use them as other origins for CORS). */
  extraSites?: StaticSite[];
  /** Log every request to `<runtimeDir>/access.log` (off by default: tests and dev stay quiet). */
  accessLog?: boolean;
  /** Where errors go; `<runtimeDir>/error.log` unless given (containers: `/dev/stderr`). */
  errorLog?: string;
  /** Plain-http origins profile pictures load from (default: the dev servers'); https is always allowed. */
  pictureOrigins?: readonly string[];
  /**
   * Route each service's Swagger UI and OpenAPI document (`DOCS_ROUTES`): development only, as
   * the services serve them only where DOCS_ENABLED (off in production).
   */
  docs?: boolean;
}

const UNAVAILABLE_BODY = JSON.stringify({
  type: 'about:blank',
  title: 'Service Unavailable',
  status: 503,
  code: 'DEPENDENCY_UNAVAILABLE',
  detail: 'The service behind this route does not answer; try again shortly.',
});

/**
 * Where profile pictures may load from besides https origins (which covers any bucket or CDN in
 * production): the local S3 servers of `pnpm dev` (dev-s3) and docker compose (MinIO).
 */
export const DEV_PICTURE_ORIGINS = ['http://127.0.0.1:4569', 'http://localhost:9000'] as const;

/** Security headers for the web client's own pages; API responses carry the services' headers. */
function staticHeaders(pictureOrigins: readonly string[] = DEV_PICTURE_ORIGINS): string[] {
  return [
    // Scripts and API calls come from this origin only: an injected script cannot phone home.
    // Images may also come from the picture bucket (https, or a local dev server) and `blob:`
    // (the preview of a picture before it is uploaded); an image cannot run script.
    `add_header Content-Security-Policy "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https: ${pictureOrigins.join(' ')}; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'" always;`,
    'add_header X-Content-Type-Options nosniff always;',
    'add_header Referrer-Policy no-referrer always;',
    'add_header Cache-Control "no-cache" always;',
  ];
}

/**
 * The one route that takes more than the 1 MiB bodies every other route refuses: the profile
 * picture upload (AVATAR_MAX_BYTES, 5 MiB by default, plus multipart framing). Above the
 * service's own limit, so an oversized upload gets its 413 problem+json rather than nginx's page.
 */
export const UPLOAD_ROUTE = { path: '/v1/auth/me/avatar', upstream: 'auth', maxBody: '8m' } as const;

/** Proxy behaviour shared by every route, set once on the server and inherited by each location. */
const PROXY_DEFAULTS = [
  'proxy_http_version 1.1;',
  'proxy_set_header Connection "";',
  'proxy_set_header Host $host;',
  // The edge proxy: whatever X-Forwarded-For the client sent is replaced, never extended, so
  // services trusting one hop (TRUST_PROXY=1) see the real peer and no forged address.
  'proxy_set_header X-Forwarded-For $remote_addr;',
  'proxy_set_header X-Forwarded-Proto $scheme;',
  'proxy_set_header X-Forwarded-Host $host;',
  // A service key is for service-to-service calls only; one arriving from outside is dropped.
  'proxy_set_header X-Service-Key "";',
  // Responses are passed on as they come: SSE events must not wait in a buffer.
  'proxy_buffering off;',
  'proxy_request_buffering off;',
];

function proxyTo(upstream: Upstream, opts: IngressOptions): string[] {
  return opts.resolver
    ? // A variable makes nginx resolve at request time; without a URI part the original request URI is sent.
      [`set $upstream http://${opts.upstreams[upstream]};`, 'proxy_pass $upstream;']
    : [`proxy_pass http://${upstream};`];
}

function proxyLocation(route: IngressRoute, opts: IngressOptions): string[] {
  const body = [...proxyTo(route.upstream, opts), `proxy_read_timeout ${route.streaming ? '1h' : '60s'};`];
  const block = (match: string) => [`location ${match} {`, ...body.map((l) => `  ${l}`), '}'];
  // Kubernetes Prefix matching is element-wise: /v1/auth and /v1/auth/..., never /v1/authx.
  return [...block(`= ${route.prefix}`), ...block(`^~ ${route.prefix}/`)];
}

/** Exact match: wins over the `/v1/auth/` prefix location for this one path only. */
function uploadLocation(opts: IngressOptions): string[] {
  const body = [...proxyTo(UPLOAD_ROUTE.upstream, opts), `client_max_body_size ${UPLOAD_ROUTE.maxBody};`, 'proxy_read_timeout 60s;'];
  return [`location = ${UPLOAD_ROUTE.path} {`, ...body.map((l) => `  ${l}`), '}'];
}

/**
 * Swagger UI of each service through the ingress (`pnpm dev` and the browser tests): `path/` is
 * the service's own `/docs/` (its UI, `json` and `static/` files, which the UI loads by relative
 * URLs), so one origin shows both references and their "Try it out" calls need no CORS.
 */
export const DOCS_ROUTES: readonly { path: string; upstream: Upstream }[] = [
  { path: '/docs/auth', upstream: 'auth' },
  { path: '/docs/meetings', upstream: 'meetings' },
];

function docsLocations(opts: IngressOptions): string[] {
  return DOCS_ROUTES.flatMap(({ path, upstream }) => [
    // The UI's relative URLs need the trailing slash.
    `location = ${path} {`,
    '  absolute_redirect off;',
    `  return 301 ${path}/;`,
    '}',
    `location ^~ ${path}/ {`,
    `  rewrite ^${path}/(.*)$ /docs/$1 break;`,
    ...proxyTo(upstream, opts).map((l) => `  ${l}`),
    '  proxy_read_timeout 60s;',
    '}',
  ]);
}

/**
 * Pages the auth-service's mails link to (the defaults of `EMAIL_VERIFY_PATH` and
 * `PASSWORD_RESET_PATH`, followed by `?token=`): the client's page answers them, so a mailed link
 * never ends on a 404.
 */
export const MAILED_PAGES = ['/verify-email', '/reset-password'] as const;

/** The web client at `/`: its files, the mailed pages, and its security headers. */
function webClientLocations(webRoot: string, pictureOrigins?: readonly string[]): string[] {
  const headers = staticHeaders(pictureOrigins).map((l) => `  ${l}`);
  return [
    ...MAILED_PAGES.flatMap((page) => [`location = ${page} {`, `  root ${webRoot};`, '  try_files /index.html =404;', ...headers, '}']),
    'location / {',
    `  root ${webRoot};`,
    '  index index.html;',
    '  try_files $uri $uri/ =404;',
    ...headers,
    '}',
  ];
}

function staticServer(site: StaticSite, extraLines: string[] = []): string[] {
  return [
    'server {',
    `  listen ${site.listen};`,
    '  server_tokens off;',
    `  root ${site.root};`,
    '  index index.html;',
    ...extraLines.map((l) => `  ${l}`),
    '  location / {',
    '    try_files $uri $uri/ =404;',
    '  }',
    '}',
  ];
}

/**
 * A complete nginx.conf that runs unprivileged: every file it writes is under `runtimeDir`.
 * It leaves `daemon` unset, as nginx images expect: run it with `-g 'daemon off;'`.
 */
export function renderNginxConfig(opts: IngressOptions): string {
  const run = opts.runtimeDir.replace(/\/+$/, '');
  const upstreamBlocks = opts.resolver
    ? [`resolver ${opts.resolver} valid=10s ipv6=off;`]
    : (Object.keys(opts.upstreams) as Upstream[]).flatMap((name) => [
        `upstream ${name} {`,
        `  server ${opts.upstreams[name]};`,
        '  keepalive 16;',
        '}',
      ]);
  const ingressServer = [
    'server {',
    `  listen ${opts.listen};`,
    '  server_tokens off;',
    // Larger than the services' own limit, so an oversized body gets their 413 problem+json.
    '  client_max_body_size 1m;',
    ...PROXY_DEFAULTS.map((l) => `  ${l}`),
    ...INGRESS_ROUTES.flatMap((r) => proxyLocation(r, opts)).map((l) => `  ${l}`),
    ...uploadLocation(opts).map((l) => `  ${l}`),
    ...(opts.docs ? docsLocations(opts) : []).map((l) => `  ${l}`),
    // A service that is down or restarting: answer like the services do (problem details), not
    // with nginx's HTML page. The services' own error responses pass through untouched.
    '  error_page 502 504 = @unavailable;',
    '  location @unavailable {',
    '    default_type application/problem+json;',
    '    add_header Retry-After 5 always;',
    `    return 503 '${UNAVAILABLE_BODY}';`,
    '  }',
    // Explicit, so no later change to `/` can ever expose service-to-service routes.
    '  location ^~ /internal/ {',
    '    return 404;',
    '  }',
    ...webClientLocations(opts.webRoot, opts.pictureOrigins).map((l) => `  ${l}`),
    '}',
  ];
  return httpConfig(run, opts, [...upstreamBlocks, ...ingressServer, ...(opts.extraSites ?? []).flatMap((s) => staticServer(s))]);
}

/** nginx.conf around `servers`: unprivileged, every file it writes under `run`. */
function httpConfig(run: string, opts: { errorLog?: string; accessLog?: boolean }, servers: string[]): string {
  const lines = [
    '# Generated by packages/web-client/src/ingress.ts: edit that file, not this one.',
    'worker_processes 1;',
    `pid ${run}/nginx.pid;`,
    `error_log ${opts.errorLog ?? `${run}/error.log`} warn;`,
    'events {',
    '  worker_connections 1024;',
    '}',
    'http {',
    '  types {',
    '    text/html html;',
    '    text/css css;',
    '    text/javascript js mjs;',
    '    application/json json;',
    '    image/svg+xml svg;',
    '    image/x-icon ico;',
    '  }',
    '  default_type application/octet-stream;',
    '  charset utf-8;',
    '  charset_types text/css text/javascript application/json;',
    `  access_log ${opts.accessLog ? `${run}/access.log` : 'off'};`,
    `  client_body_temp_path ${run}/client-body;`,
    `  proxy_temp_path ${run}/proxy;`,
    `  fastcgi_temp_path ${run}/fastcgi;`,
    `  uwsgi_temp_path ${run}/uwsgi;`,
    `  scgi_temp_path ${run}/scgi;`,
    '  sendfile on;',
    '  keepalive_timeout 65s;',
    ...servers.map((l) => `  ${l}`),
    '}',
    '',
  ];
  return lines.join('\n');
}

/** The configuration docker compose mounts into its ingress container (unprivileged nginx image). */
export const COMPOSE_INGRESS: IngressOptions = {
  listen: '8080',
  upstreams: {
    auth: `${UPSTREAM_SERVICES.auth.name}:${UPSTREAM_SERVICES.auth.port}`,
    meetings: `${UPSTREAM_SERVICES.meetings.name}:${UPSTREAM_SERVICES.meetings.port}`,
  },
  webRoot: '/usr/share/nginx/web-client',
  // The container's root filesystem is read-only; /tmp is its tmpfs.
  runtimeDir: '/tmp',
  resolver: '127.0.0.11',
  accessLog: false,
  errorLog: '/dev/stderr',
};

/** Path of the generated compose configuration, relative to the repository root. */
export const COMPOSE_INGRESS_FILE = 'packages/web-client/ingress/nginx.compose.conf';

export interface WebClientServerOptions {
  listen: string;
  webRoot: string;
  runtimeDir: string;
  errorLog?: string;
}

/**
 * The web client alone, as its own container serves it in Kubernetes (packages/web-client/Dockerfile,
 * behind the Gateway's `/` route): the same files, pages and headers as the ingress's `/`, plus a
 * `/healthz` for the probes.
 */
export function renderWebClientConfig(opts: WebClientServerOptions): string {
  const run = opts.runtimeDir.replace(/\/+$/, '');
  const server = [
    'server {',
    `  listen ${opts.listen};`,
    '  server_tokens off;',
    '  location = /healthz {',
    '    default_type text/plain;',
    "    return 200 'ok';",
    '  }',
    ...webClientLocations(opts.webRoot).map((l) => `  ${l}`),
    '}',
  ];
  return httpConfig(run, { errorLog: opts.errorLog, accessLog: false }, server);
}

/** The configuration baked into the web client's image (unprivileged nginx, read-only root, /tmp writable). */
export const WEB_CLIENT_SERVER: WebClientServerOptions = {
  listen: '8080',
  webRoot: '/usr/share/nginx/web-client',
  runtimeDir: '/tmp',
  errorLog: '/dev/stderr',
};

/** Path of the generated web client configuration, relative to the repository root. */
export const WEB_CLIENT_SERVER_FILE = 'packages/web-client/ingress/nginx.web-client.conf';
