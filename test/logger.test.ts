import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: createLogger('info', sink), lines };
}

describe('logged errors', () => {
  it('keep message, code and stack but not the connection objects libraries attach', async () => {
    const { log, lines } = capture();
    // What node-postgres hands the pool's error listener: the error, with the whole client on it.
    const err = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
      client: { connectionParameters: { user: 'postgres', database: 'app' }, connection: { parsedStatements: { s1: 'select 1' } } },
      cause: Object.assign(new Error('socket closed'), { socket: { fd: 12 } }),
    });
    log.error({ err }, 'database pool error');
    await new Promise((r) => setImmediate(r));
    const logged = lines[0]!.err as Record<string, unknown>;
    expect(logged.message).toContain('terminating connection due to administrator command');
    expect(logged.code).toBe('57P01');
    expect(String(logged.stack)).toContain('terminating connection');
    expect(logged).not.toHaveProperty('client');
    expect(JSON.stringify(lines[0])).not.toContain('parsedStatements');
    expect(JSON.stringify(lines[0])).not.toContain('"fd"');
  });

  it('still redact secrets in logged objects', async () => {
    const { log, lines } = capture();
    log.info({ body: { password: 'hunter2', token: 'abc' } }, 'login');
    await new Promise((r) => setImmediate(r));
    expect(JSON.stringify(lines[0])).not.toContain('hunter2');
    expect(JSON.stringify(lines[0])).not.toContain('"abc"');
  });
});
