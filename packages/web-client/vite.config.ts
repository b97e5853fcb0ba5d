import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

// The client's sources are in app/ (index.html is the entry); `vite build` writes dist/, which
// nginx serves (src/public-dir.ts). The workspace's api-client is bundled from its TypeScript
// sources (the `source` export condition), so it needs no build of its own first.
export default defineConfig({
  root: fileURLToPath(new URL('app', import.meta.url)),
  base: '/',
  publicDir: false,
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2024',
    // No inline <script> or style: the ingress's CSP allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
