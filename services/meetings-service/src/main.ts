import { serve } from '@authmeet/http-kit';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

const config = loadConfig();
await serve(await buildApp(config), config.http);
