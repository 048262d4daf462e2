import { defineConfig } from 'vite';

// During development the API is the real server (DEJIMA_URL, default http://127.0.0.1:1041),
// reached through Vite's proxy, so the app is same-origin as in production.
const target = process.env.DEJIMA_URL ?? 'http://127.0.0.1:1041';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/ngsi-ld': { target, changeOrigin: false },
      '/dejima': { target, changeOrigin: false },
      '/health': { target, changeOrigin: false },
    },
  },
});
