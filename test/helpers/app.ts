import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type App, buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { createPasswordHasher } from '../../src/modules/auth/passwords.js';
import { createMemorySmsSender } from '../../src/modules/auth/sms.js';
import type { StaffRole } from '../../src/modules/staff/staff.schema.js';
import { createStaff } from '../../src/modules/staff/staff.service.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestContext {
  app: App;
  database: TestDatabase;
  config: Config;
  sms: ReturnType<typeof createMemorySmsSender>;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
  /** Registers a member through the API and returns its bearer token. */
  registerMember(phone: string, password?: string): Promise<{ token: string; memberId: number }>;
  /** Creates a staff account directly and logs it in through the API. */
  staffToken(roles: StaffRole[], username?: string, password?: string): Promise<{ token: string; staffId: number }>;
}

export const MEMBER_PASSWORD = 'abc12345';
export const STAFF_PASSWORD = 'Staffpass123';
let counter = 0;

/** Test settings: cheap hashing, no SMS interval, silent unless a test reads the logs. */
export async function createTestContext(
  env: Record<string, string> = {},
  /** Extra routes a test needs (e.g. one that throws), added before the app is sealed. */
  extraRoutes?: (app: App) => void,
): Promise<TestContext> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    SMS_PHONE_INTERVAL_SECONDS: '0',
    SMS_IP_PER_HOUR: '10000',
    LOGIN_IP_PER_MINUTE: '10000',
    LOGIN_ACCOUNT_PER_MINUTE: '1000',
    DATA_DIR: '/tmp/shanglian-test-unused',
    DATA_ENCRYPTION_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
    UPLOAD_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'shanglian-uploads-')),
    ...env,
  });
  const database = await createTestDatabase();
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const sms = createMemorySmsSender();
  const hasher = createPasswordHasher({ memoryKib: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST });
  const app = await buildApp({ config, database, logger: createLogger(config.LOG_LEVEL, sink), sms, hasher });
  extraRoutes?.(app);
  await app.ready();

  const ctx: TestContext = {
    app,
    database,
    config,
    sms,
    logs,
    async close() {
      await app.close();
      await database.dispose();
      fs.rmSync(config.uploadDir, { recursive: true, force: true });
    },
    async registerMember(phone, password = MEMBER_PASSWORD) {
      const sent = await app.inject({ method: 'POST', url: '/api/auth/sms-codes', payload: { phone, purpose: 'register' } });
      if (sent.statusCode !== 202) throw new Error(`sms code: ${sent.statusCode} ${sent.body}`);
      const res = await app.inject({
        method: 'POST',
        url: '/api/member/register',
        payload: { phone, password, smsCode: sms.lastCode(phone), client: 'api' },
      });
      if (res.statusCode !== 201) throw new Error(`register: ${res.statusCode} ${res.body}`);
      const body = res.json();
      return { token: body.session.token as string, memberId: body.member.id as number };
    },
    async staffToken(roles, username = `staff${++counter}_${roles.join('_')}`, password = STAFF_PASSWORD) {
      const created = await createStaff(database.db, hasher, systemAuditContext('test'), {
        username,
        displayName: username,
        roles,
        password,
        mustChangePassword: false,
      });
      const res = await app.inject({ method: 'POST', url: '/api/staff/login', payload: { username, password, client: 'api' } });
      if (res.statusCode !== 200) throw new Error(`staff login: ${res.statusCode} ${res.body}`);
      return { token: res.json().session.token as string, staffId: created.id };
    },
  };
  return ctx;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
