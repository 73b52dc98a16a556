// The window's build: React + TypeScript into ui/dist, which tauri.conf.json embeds
// (frontendDist). Everything is bundled: no CDN, no remote fonts.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  // Assets are served from the app's own origin (tauri://localhost), so relative URLs suffice.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'safari16',
    // One small bundle; a source map would only grow the binary.
    sourcemap: false,
  },
  server: { port: 1420, strictPort: true },
  test: {
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
