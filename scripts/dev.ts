/**
 * `npm run dev`: the API server restarted on every change (tsx watch) and the
 * Vite dev server with hot reload for /admin and /m, proxying the API to it.
 * Open http://127.0.0.1:5173/admin/ or /m/. Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const api = spawn(process.execPath, ['--import', 'tsx', '--watch', 'src/main.ts'], { cwd: root, stdio: 'inherit' });

const vite = await createServer({ configFile: `${root}/vite.config.ts` });
await vite.listen();
vite.printUrls();
console.log('  Console: /admin/   Member H5: /m/   (API from the server on PORT, default 3000)\n');

const stop = async () => {
  api.kill('SIGTERM');
  await vite.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
api.on('exit', (code) => {
  if (code !== null && code !== 0) console.error(`API server exited with ${code}`);
});
