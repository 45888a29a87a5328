/**
 * A screenshot of a page, for looking at what was built:
 *
 *   npm run -s shot -- /admin/members out.png --staff admin:admin12345678
 *   npm run -s shot -- /m/ out.png --member 13800000001:demo12345      (375×812)
 *
 * Signs in through the API first (so the cookie is set), then opens the page
 * on BASE_URL (default http://127.0.0.1:5173, the Vite dev server) in Debian's
 * Chromium and saves a full-page PNG. Prints the console errors of the page.
 */
import { chromium } from 'playwright-core';

const [pathArg, out = '/tmp/shot.png', ...rest] = process.argv.slice(2);
if (!pathArg) {
  console.error('usage: shot <path> [out.png] [--staff user:pass | --member phone:pass] [--width N] [--wait ms]');
  process.exit(2);
}
const opt = (name: string) => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};
const base = process.env.BASE_URL ?? 'http://127.0.0.1:5173';
const staff = opt('--staff');
const member = opt('--member');
const mobile = member !== undefined || pathArg.startsWith('/m');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const context = await browser.newContext({
    viewport: mobile ? { width: 375, height: 812 } : { width: Number(opt('--width') ?? 1280), height: 800 },
    deviceScaleFactor: 1,
    isMobile: mobile,
    hasTouch: mobile,
  });
  if (staff) {
    const [username, password] = staff.split(':');
    const res = await context.request.post(`${base}/api/staff/login`, { data: { username, password, client: 'web' } });
    if (!res.ok()) throw new Error(`staff login: ${res.status()} ${await res.text()}`);
  }
  if (member) {
    const [phone, password] = member.split(':');
    const res = await context.request.post(`${base}/api/member/login`, { data: { phone, password, client: 'web' } });
    if (!res.ok()) throw new Error(`member login: ${res.status()} ${await res.text()}`);
  }
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[console.error] ${m.text()}`);
  });
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
  await page.goto(`${base}${pathArg}`, { waitUntil: 'networkidle' });
  await page.waitForTimeout(Number(opt('--wait') ?? 800));
  await page.screenshot({ path: out, fullPage: true });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
}
