import { defineConfig } from 'vite';

// Dev server for the demo and the browser test harness pages; `npm run build` is library mode.
export default defineConfig({
  server: {
    port: 5173,
    strictPort: false,
    host: '127.0.0.1',
    // Test and benchmark servers (MGNT_STATIC=1) never reload a page mid-run because a file changed.
    ...(process.env.MGNT_STATIC ? { hmr: false, watch: null } : {}),
  },
  preview: { port: 4173, host: '127.0.0.1' },
  // `npm run build`: <mgnt-canvas> as one ES module, dist/mgnt-canvas.js (the session worker is
  // inlined). public/ is copied to dist/, so the shipped model sits at dist/models/, next to the
  // module that resolves it against import.meta.url.
  build: {
    target: 'es2022',
    lib: { entry: 'src/element/index.ts', formats: ['es'], fileName: () => 'mgnt-canvas.js' },
    copyPublicDir: true,
  },
  worker: { format: 'es' },
});
