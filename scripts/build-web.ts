/**
 * Builds the console and the H5 with Vite into dist/web.
 *
 *   npm run build:web            build now
 *   npm run build:web -- --if-stale   build only when the sources changed (npm start runs this)
 *
 * "Changed" is a hash over web/, vite.config.ts and the lockfile, kept in
 * dist/web/.build-stamp, so a fresh `npm install && npm start` builds once
 * and later starts cost nothing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(root, 'dist', 'web');
const stampFile = path.join(outDir, '.build-stamp');

function* files(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else yield full;
  }
}

export function sourceHash(): string {
  const hash = crypto.createHash('sha256');
  const inputs = [...files(path.join(root, 'web')), path.join(root, 'vite.config.ts'), path.join(root, 'package-lock.json')];
  for (const file of inputs) {
    hash.update(path.relative(root, file));
    hash.update(fs.readFileSync(file));
  }
  return hash.digest('hex');
}

export async function buildWeb(opts: { ifStale?: boolean; quiet?: boolean } = {}): Promise<'built' | 'fresh'> {
  const hash = sourceHash();
  if (opts.ifStale && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8').trim() === hash) return 'fresh';
  const { build } = await import('vite');
  const started = Date.now();
  if (!opts.quiet) console.log('Building the admin console and the member H5 (once per change of the web sources)…');
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: opts.quiet ? 'error' : 'warn' });
  fs.writeFileSync(stampFile, `${hash}\n`);
  if (!opts.quiet) console.log(`Web apps built in ${((Date.now() - started) / 1000).toFixed(1)} s → dist/web`);
  return 'built';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  buildWeb({ ifStale: process.argv.includes('--if-stale') }).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
