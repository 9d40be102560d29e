/** Builds the dashboards into runtime/ui/dist, which the runtime serves at `/` (runtime/adapters/http/ui-static.ts). */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  // the bundle is served by the runtime: nothing from a CDN, no public dir to copy
  publicDir: false,
  build: {
    outDir: here('../runtime/ui/dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  server: {
    // `npx vite ui` during development: the API of a runtime started on the default port
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
