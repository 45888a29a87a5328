import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { access } from '../auth/access.js';

/** Where `vite build` puts the console and the H5 (see vite.config.ts). */
export const webDistDir = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

const apps = [
  { prefix: '/admin', index: 'admin/index.html', name: 'console' },
  { prefix: '/m', index: 'm/index.html', name: 'member H5' },
] as const;

/**
 * Serves the built web apps: hashed assets under /assets with a year of cache,
 * and each app's index.html (never cached, so a release is picked up at once)
 * for every path under its prefix, because both are single-page apps with
 * their own routers.
 */
/**
 * The apps' pages may run only their own scripts, talk only to this server,
 * and never be framed by another site (the console moves money: no
 * clickjacking). antd and ECharts set inline styles; previews of chosen
 * photos and downloads are blob: URLs; the favicon is a data: URI.
 */
export const webSecurityHeaders: Record<string, string> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export async function webRoutes(app: FastifyInstance, distDir = webDistDir) {
  const built = fs.existsSync(path.join(distDir, apps[0].index));
  const hidden = { config: { access: access.public }, schema: { hide: true } };

  if (built) {
    await app.register(fastifyStatic, {
      root: path.join(distDir, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      index: false,
      wildcard: true,
      decorateReply: false,
      schemaHide: true,
    });
  }

  for (const spa of apps) {
    const html = built ? fs.readFileSync(path.join(distDir, spa.index), 'utf8') : null;
    const send = async (_req: unknown, reply: FastifyReply) => {
      if (html === null) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send(`The ${spa.name} is not built yet. Run "npm run build:web" (npm start does it for you), then restart.`);
      }
      return reply.headers(webSecurityHeaders).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
    };
    app.get(spa.prefix, hidden, send);
    app.get(`${spa.prefix}/*`, hidden, send);
  }
  app.get('/', hidden, async (_req, reply) => reply.redirect('/admin/'));
}
