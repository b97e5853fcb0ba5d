import { serve, serveMetrics } from '@authmeet/http-kit';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

const config = loadConfig();
const app = await buildApp(config);
await serveMetrics(app, { host: config.http.host, port: config.http.metricsPort });
await serve(app, config.http);
