import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('./web', import.meta.url));
const apiTarget = process.env.SHANGLIAN_API ?? 'http://127.0.0.1:3000';

/**
 * The console and the H5 are single-page apps under /admin and /m. The server
 * answers deep links with the app's index.html (web.routes.ts); in development
 * this plugin does the same for Vite's dev server.
 */
function spaFallback(): Plugin {
  return {
    name: 'shanglian-spa-fallback',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const url = req.url ?? '/';
        const [path] = url.split('?');
        for (const app of ['admin', 'm']) {
          if ((path === `/${app}` || path!.startsWith(`/${app}/`)) && !/\.[a-z0-9]+$/i.test(path!)) req.url = `/${app}/index.html`;
        }
        next();
      });
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), spaFallback()],
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2_000,
    rollupOptions: {
      input: { admin: `${root}/admin/index.html`, member: `${root}/m/index.html` },
      output: {
        // antd, antd-mobile and echarts change rarely: their own chunks stay cached across releases.
        manualChunks(id) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts';
          if (id.includes('node_modules/antd-mobile')) return 'antd-mobile';
          if (id.includes('node_modules/antd') || id.includes('node_modules/@ant-design') || id.includes('node_modules/rc-')) return 'antd';
          if (id.includes('node_modules/react') || id.includes('node_modules/scheduler')) return 'react';
          return undefined;
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': apiTarget,
      '/sandbox': apiTarget,
      '/health': apiTarget,
      '/docs': apiTarget,
    },
  },
});
