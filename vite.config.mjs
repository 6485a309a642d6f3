// The members' web app (src/web/), built into dist/web/ and served at / by the service
// (src/web-app.ts). `npm run dev:web` serves it with hot reload, forwarding the API to a service
// started with `npm start` on port 3000.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const api = process.env.ARCHIPEL_URL || 'http://localhost:3000';

export default defineConfig({
  root: 'src/web',
  base: '/',
  plugins: [preact()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: { '/api': api, '/.well-known': api },
  },
});
