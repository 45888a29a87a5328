import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import type { PasswordHasher } from './passwords.js';
import { createSession, type NewSession, type SubjectKind } from './sessions.service.js';
import { enforceLimit } from './throttle.service.js';

/** What login needs to know of an account, whichever table it lives in. */
export interface LoginAccount {
  id: number;
  passwordHash: string;
  lockedUntil: Date | null;
  /** Why the account may not log in even with the right password, if it may not. */
  refusal: string | null;
}

export interface AccountStore {
  kind: SubjectKind;
  /** The table that has failed_login_count and locked_until. */
  table: 'members' | 'staff';
  findForLogin(db: Db, login: string): Promise<LoginAccount | null>;
}

export interface LoginPolicy {
  maxFailures: number;
  lockMinutes: number;
  ipPerMinute: number;
  accountPerMinute: number;
  sessionTtlHours: number;
}

export interface LoginInput {
  login: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
}

const lockedError = (until: Date) => {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new AppError(
    'ACCOUNT_LOCKED',
    'Too many failed logins; the account is locked for a while',
    { lockedUntil: until.toISOString(), retryAfterSeconds: seconds },
    { 'retry-after': String(seconds) },
  );
};

/**
 * Password login with throttling per IP and per account and a temporary lock
 * after repeated failures. Unknown accounts cost the same time and get the
 * same answer as a wrong password.
 */
export async function login(
  db: Db,
  hasher: PasswordHasher,
  store: AccountStore,
  policy: LoginPolicy,
  input: LoginInput,
): Promise<NewSession & { accountId: number }> {
  await enforceLimit(db, `login:ip:${input.ip}`, policy.ipPerMinute, 60, 'Too many login attempts from this address; try again later');
  await enforceLimit(db, `login:${store.kind}:${input.login}`, policy.accountPerMinute, 60, 'Too many login attempts for this account; try again later');

  const account = await store.findForLogin(db, input.login);
  if (!account) {
    await hasher.verifyNothing(input.password);
    throw new AppError('INVALID_CREDENTIALS', 'Wrong account or password');
  }
  if (account.lockedUntil && account.lockedUntil.getTime() > Date.now()) throw lockedError(account.lockedUntil);

  if (!(await hasher.verify(account.passwordHash, input.password))) {
    const lockedUntil = await registerFailure(db, store.table, account.id, policy);
    if (lockedUntil) throw lockedError(lockedUntil);
    throw new AppError('INVALID_CREDENTIALS', 'Wrong account or password');
  }
  if (account.refusal) throw new AppError('ACCOUNT_DISABLED', account.refusal);

  await db.execute(sql`update ${sql.identifier(store.table)}
    set failed_login_count = 0, locked_until = null ${store.table === 'staff' ? sql`, last_login_at = now()` : sql``}
    where id = ${account.id}`);
  const session = await createSession(db, {
    kind: store.kind,
    subjectId: account.id,
    ttlHours: policy.sessionTtlHours,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  return { ...session, accountId: account.id };
}

/** Counts a failure atomically; returns the lock end when this failure locked the account. */
async function registerFailure(db: Db, table: 'members' | 'staff', id: number, policy: LoginPolicy): Promise<Date | null> {
  const [row] = await queryRows<{ locked_until: Date | string | null; locked_now: boolean }>(
    db,
    sql`update ${sql.identifier(table)} set
        failed_login_count = case when failed_login_count + 1 >= ${policy.maxFailures} then 0 else failed_login_count + 1 end,
        locked_until = case when failed_login_count + 1 >= ${policy.maxFailures}
          then now() + make_interval(mins => ${policy.lockMinutes}) else locked_until end
      where id = ${id}
      returning locked_until, (locked_until > now()) as locked_now`,
  );
  return row?.locked_now && row.locked_until ? new Date(row.locked_until) : null;
}
