import { defineConfig } from 'vite';

// Dev server for the demo and the browser test harness pages; `npm run build` (library mode)
// is configured by the element issue.
export default defineConfig({
  server: {
    port: 5173,
    strictPort: false,
    host: '127.0.0.1',
    // Test and benchmark servers (MGNT_STATIC=1) never reload a page mid-run because a file changed.
    ...(process.env.MGNT_STATIC ? { hmr: false, watch: null } : {}),
  },
  preview: { port: 4173, host: '127.0.0.1' },
  build: { target: 'es2022' },
});
