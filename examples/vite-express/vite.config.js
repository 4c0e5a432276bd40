import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development the API runs in its own process (`npm run dev` starts both); Vite's proxy sends
// /api to it, rewriting Host as usual. The session and confirm endpoints accept that: the browser's
// `Sec-Fetch-Site: same-origin` says the request came from this page.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { '/api': { target: `http://127.0.0.1:${process.env.API_PORT ?? 3001}`, changeOrigin: true } },
  },
});
