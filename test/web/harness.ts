/**
 * Browser tests: a real server process on a fresh PGlite folder seeded by
 * `seed-demo`, the built console and H5, and Debian's Chromium driven by
 * playwright-core. Nothing is downloaded: without /usr/bin/chromium the
 * browser tests are skipped (CI installs it, see .ci/run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = fs.existsSync(CHROMIUM);
/** The browser stories drive one server on PGlite; the PostgreSQL run of the suite covers the API itself. */
export const runBrowserTests = browserAvailable && !process.env.TEST_DATABASE_URL;

const root = fileURLToPath(new URL('../..', import.meta.url));
export const screenshotDir = path.join(root, 'test-results', 'screenshots');

export const OWNER = { username: 'admin', password: 'Owner-pass-2026' };
export const DEMO_PASSWORD = 'demo12345';

/**
 * Builds the web apps once for all test files: the first worker builds under a
 * lock directory, the others wait for it and find the stamp fresh.
 */
export async function ensureWebBuilt(): Promise<void> {
  const lock = path.join(os.tmpdir(), `shanglian-web-build-${Buffer.from(root).toString('hex').slice(-16)}.lock`);
  const started = Date.now();
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A lock older than 5 minutes belongs to a worker that died.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 300_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone already */
      }
      if (Date.now() - started > 400_000) throw new Error('timed out waiting for the web build lock');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    await buildWeb({ ifStale: true, quiet: true });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function run(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(input ?? '');
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

export interface DemoServer {
  url: string;
  dataDir: string;
  /** Log lines of the server, parsed (pino JSON). */
  logs: Record<string, unknown>[];
  /** The last SMS code the development sender logged for a phone. */
  smsCode(phone: string): string | undefined;
  stop(): Promise<void>;
}

/** A server on a fresh PGlite folder with the demo network and an owner. */
export async function startDemoServer(): Promise<DemoServer> {
  await ensureWebBuilt();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-web-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: '',
    DATA_DIR: dataDir,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    // Fewer argon2 rounds: the tests log in often and the machine has 2 cores.
    ARGON2_MEMORY_KIB: '4096',
    ARGON2_TIME_COST: '1',
  };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  // The owner as the README has a person create one (an owner from BOOTSTRAP_* must change its password first).
  await run(['src/cli/main.ts', 'create-owner', '--username', OWNER.username, '--password-stdin'], env, `${OWNER.password}\n`);
  await run(['src/cli/main.ts', 'seed-demo', '--password', DEMO_PASSWORD], env);

  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let text = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${text}`)), 90_000);
    let buffered = '';
    const onData = (d: Buffer) => {
      const s = d.toString();
      text += s;
      buffered += s;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('{')) {
          try {
            logs.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            /* not JSON */
          }
        }
        const m = /running at (http:\/\/[^\s]+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited ${code}:\n${text}`)));
  });
  return {
    url,
    dataDir,
    logs,
    smsCode(phone) {
      const masked = `${phone.slice(0, 3)}****${phone.slice(-4)}`;
      for (let i = logs.length - 1; i >= 0; i--) {
        const sms = logs[i]!.sms as { to?: string; code?: string } | undefined;
        if (sms?.to === masked && sms.code) return sms.code;
      }
      return undefined;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export const consoleSize = { width: 1280, height: 800 };
export const phoneSize = { width: 375, height: 812 };

export async function newConsoleContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport: consoleSize, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
}

export async function newPhoneContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport: phoneSize, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
}

/** Saves the page as it is now under test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  // The page as a person sees it once it has settled: requests answered, spinners gone, animations done.
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  // ECharts animates its series in for about a second.
  await page.waitForTimeout((await page.locator('canvas').count()) > 0 ? 1_200 : 300);
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Uncaught errors in the page and what its CSP blocked (a broken page must not pass because its button was still found). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Something the page's Content-Security-Policy blocked is a broken page too.
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  return errors;
}

/** A page's width must not exceed the viewport: nothing may force horizontal scrolling. */
export async function horizontalOverflow(page: Page): Promise<number> {
  // A string, evaluated in the page: the test code itself is compiled without the DOM types.
  return page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;
}
