import { defineConfig } from 'vite';

// During development the API is the real server (DEJIMA_URL, default http://127.0.0.1:1041),
// reached through Vite's proxy, so the app is same-origin as in production.
const target = process.env.DEJIMA_URL ?? 'http://127.0.0.1:1041';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // Swagger UI (the API reference page, loaded only there) is one 1.6 MB chunk.
    chunkSizeWarningLimit: 1800,
    sourcemap: false,
    rollupOptions: {
      output: {
        // MapLibre's worker module (.mjs) is emitted as .js, so any static server sends a JavaScript type.
        assetFileNames: (info) =>
          (info.names?.[0] ?? '').endsWith('.mjs') ? 'assets/[name]-[hash].js' : 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: {
    proxy: {
      '/ngsi-ld': { target, changeOrigin: false },
      '/dejima': { target, changeOrigin: false },
      '/health': { target, changeOrigin: false },
      '/api': { target, changeOrigin: false },
      '/catalog': { target, changeOrigin: false },
      '/openapi.json': { target, changeOrigin: false },
    },
  },
});
