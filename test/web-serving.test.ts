import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { webRoutes } from '../src/modules/web/web.routes.js';

/** A built web folder as `vite build` lays it out, with marked contents. */
function fakeBuild(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-dist-'));
  for (const [file, body] of Object.entries({ 'admin/index.html': '<p>console</p>', 'm/index.html': '<p>h5</p>', 'assets/app-1a2b.js': 'export {}' })) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), body);
  }
  return dir;
}

describe('serving the web apps', () => {
  const dir = fakeBuild();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers every path under /admin and /m with its app, never cached, never framed, scripts only from itself', async () => {
    const app = Fastify();
    await webRoutes(app, dir);
    for (const [url, body] of [['/admin', 'console'], ['/admin/members/5', 'console'], ['/m/', 'h5'], ['/m/team?tab=2', 'h5']] as const) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain(body);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
    const asset = await app.inject({ url: '/assets/app-1a2b.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
    const root = await app.inject({ url: '/' });
    expect([root.statusCode, root.headers.location]).toEqual([302, '/admin/']);
    await app.close();
  });

  it('says how to build when nothing is built', async () => {
    const app = Fastify();
    await webRoutes(app, path.join(dir, 'nothing-here'));
    const res = await app.inject({ url: '/admin/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:web');
    await app.close();
  });
});
