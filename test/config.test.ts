import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs loadConfig and returns the ConfigError it throws (fails the test otherwise). */
function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('EVENT_CONSUMERS: both by default, a chosen list, none, and a typo refused by name', () => {
    expect(loadConfig({}).EVENT_CONSUMERS).toEqual(['performance', 'rewards']);
    expect(loadConfig({ EVENT_CONSUMERS: ' rewards ' }).EVENT_CONSUMERS).toEqual(['rewards']);
    expect(loadConfig({ EVENT_CONSUMERS: 'none' }).EVENT_CONSUMERS).toEqual([]);
    expect(configErrorOf({ EVENT_CONSUMERS: 'rewards,perfomance' }).message).toContain('EVENT_CONSUMERS');
  });

  it('uses the defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.DATA_DIR).toBe('./data');
    expect(path.isAbsolute(config.dataDir)).toBe(true);
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.TRUST_PROXY).toBe(false);
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig({ PORT: '', HOST: '', DATA_DIR: '', LOG_LEVEL: '', DATABASE_URL: '', TRUST_PROXY: '', BOOTSTRAP_OWNER_USERNAME: '', BOOTSTRAP_OWNER_PASSWORD: '' });
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.BOOTSTRAP_OWNER_USERNAME).toBeUndefined();
  });

  it('reads valid values', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      DATA_DIR: '/tmp/shanglian-x',
      LOG_LEVEL: 'warn',
      DATABASE_URL: 'postgresql://u:p@localhost:5432/db',
      TRUST_PROXY: 'yes',
      BOOTSTRAP_OWNER_USERNAME: 'boss',
      BOOTSTRAP_OWNER_PASSWORD: 'Secretpass123',
    });
    expect(config).toMatchObject({ PORT: 0, HOST: '0.0.0.0', dataDir: '/tmp/shanglian-x', LOG_LEVEL: 'warn', TRUST_PROXY: true });
    expect(config.DATABASE_URL).toBe('postgresql://u:p@localhost:5432/db');
    expect(config.BOOTSTRAP_OWNER_USERNAME).toBe('boss');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', /whole number/],
    [{ PORT: '70000' }, 'PORT', /at most 65535/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /expected one of .*"info"/],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /postgres:\/\//],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY', /true or false/],
    [{ BOOTSTRAP_OWNER_USERNAME: 'boss' }, 'BOOTSTRAP_OWNER_PASSWORD', /both or neither/],
    [{ BOOTSTRAP_OWNER_PASSWORD: 'Secretpass123' }, 'BOOTSTRAP_OWNER_USERNAME', /both or neither/],
    [{ BOOTSTRAP_OWNER_USERNAME: 'boss', BOOTSTRAP_OWNER_PASSWORD: 'short1' }, 'BOOTSTRAP_OWNER_PASSWORD', /at least 10 characters/],
  ] as const)('rejects %j naming %s', (env, variable, expected) => {
    const err = configErrorOf(env);
    expect(err.message).toContain(variable);
    expect(err.message).toMatch(expected);
    expect(err.problems.some((p) => p.includes(variable))).toBe(true);
  });

  it('includes the offending value in the message', () => {
    const err = configErrorOf({ PORT: 'abc' });
    expect(err.message).toContain('got "abc"');
    expect(err.name).toBe('ConfigError');
  });
});

describe('server start-up with a bad configuration', () => {
  it('exits with code 78 and names PORT without listening', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: 'abc' };
    delete env.DATABASE_URL;
    const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`server did not exit; stdout: ${stdout} stderr: ${stderr}`));
      }, 60_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(78);
    expect(stderr).toContain('PORT');
    expect(stderr).toMatch(/whole number/);
    expect(stdout).not.toContain('is running at');
  }, 90_000);
});
