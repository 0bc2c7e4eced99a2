import { defineConfig } from 'vite';

// Dev server for the demo and the browser test harness pages; `npm run build` is library mode.
export default defineConfig(({ mode }) => ({
  server: {
    port: 5173,
    strictPort: false,
    host: '127.0.0.1',
    // Test and benchmark servers (MGNT_STATIC=1) never reload a page mid-run because a file changed.
    ...(process.env.MGNT_STATIC ? { hmr: false, watch: null } : {}),
  },
  preview: { port: 4173, host: '127.0.0.1' },
  build: mode === 'package'
    // `vite build --mode package` (second step of `npm run build`): the npm entries, "." (the
    // library API, dist/index.js) and "./element" (dist/element.js), sharing one chunk, so an app
    // that imports both gets one copy of the code and one MgntError class. Chunks sit next to the
    // entries, so the default model URL (models/… against import.meta.url) means dist/models/.
    ? {
      target: 'es2022',
      lib: { entry: { index: 'src/index.ts', element: 'src/element/index.ts' }, formats: ['es'], fileName: (_format, name) => `${name}.js` },
      rolldownOptions: { output: { chunkFileNames: 'shared-[hash].js' } },
      copyPublicDir: false,
      emptyOutDir: false,
    }
    // `vite build`: <mgnt-canvas> as one ES module, dist/mgnt-canvas.js (the session worker is
    // inlined), for a <script> tag from any origin. public/ is copied to dist/, so the shipped
    // model sits at dist/models/, next to the module that resolves it against import.meta.url.
    : {
      target: 'es2022',
      lib: { entry: 'src/element/index.ts', formats: ['es'], fileName: () => 'mgnt-canvas.js' },
      copyPublicDir: true,
    },
  worker: { format: 'es' },
}));
