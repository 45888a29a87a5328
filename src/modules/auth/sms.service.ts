import crypto from 'node:crypto';
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { smsCodes } from './auth.schema.js';
import type { SmsSender } from './sms.js';
import { enforceLimit } from './throttle.service.js';

export type SmsPurpose = 'register' | 'reset_password';
const MAX_ATTEMPTS = 5;

const hashCode = (phone: string, purpose: SmsPurpose, code: string) =>
  crypto.createHash('sha256').update(`${phone}:${purpose}:${code}`).digest('hex');

export interface SmsSettings {
  ttlSeconds: number;
  phoneIntervalSeconds: number;
  ipPerHour: number;
}

export async function issueSmsCode(
  db: Db,
  sender: SmsSender,
  settings: SmsSettings,
  input: { phone: string; purpose: SmsPurpose; ip: string | null },
): Promise<{ expiresInSeconds: number }> {
  await enforceLimit(db, `sms:ip:${input.ip}`, settings.ipPerHour, 3600, 'Too many codes requested from this address');
  if (settings.phoneIntervalSeconds > 0) {
    await enforceLimit(db, `sms:phone:${input.phone}`, 1, settings.phoneIntervalSeconds, 'Please wait before requesting another code');
  }
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
  await db.insert(smsCodes).values({
    phone: input.phone,
    purpose: input.purpose,
    codeHash: hashCode(input.phone, input.purpose, code),
    expiresAt: new Date(Date.now() + settings.ttlSeconds * 1000),
    ip: input.ip,
  });
  // Sent after the code is stored; a code that was sent but not stored would be useless.
  const text = `【商联】验证码 ${code}，${Math.max(1, Math.floor(settings.ttlSeconds / 60))} 分钟内有效，请勿告诉他人。`;
  await sender.send(input.phone, text, { purpose: input.purpose, code });
  return { expiresInSeconds: settings.ttlSeconds };
}

const invalidCode = () => new AppError('SMS_CODE_INVALID', 'The verification code is wrong or has expired', { field: 'smsCode' });

/**
 * Checks the newest live code for the phone and purpose and returns its id.
 * Runs outside the caller's transaction on purpose: a wrong guess must be
 * counted even though the request then fails (five guesses per code).
 */
export async function checkSmsCode(db: Db, input: { phone: string; purpose: SmsPurpose; code: string }): Promise<number> {
  const [row] = await db
    .select()
    .from(smsCodes)
    .where(and(eq(smsCodes.phone, input.phone), eq(smsCodes.purpose, input.purpose), isNull(smsCodes.consumedAt), gt(smsCodes.expiresAt, sql`now()`)))
    .orderBy(desc(smsCodes.id))
    .limit(1);
  if (!row || row.attempts >= MAX_ATTEMPTS) throw invalidCode();
  const expected = Buffer.from(row.codeHash, 'hex');
  const given = Buffer.from(hashCode(input.phone, input.purpose, input.code), 'hex');
  if (!crypto.timingSafeEqual(expected, given)) {
    await db.update(smsCodes).set({ attempts: sql`${smsCodes.attempts} + 1` }).where(eq(smsCodes.id, row.id));
    throw invalidCode();
  }
  return row.id;
}

/**
 * Spends a checked code inside the transaction that uses it, so a failed
 * registration leaves it usable and two concurrent uses cannot both succeed.
 */
export async function consumeSmsCode(tx: Db, codeId: number): Promise<void> {
  const spent = await tx
    .update(smsCodes)
    .set({ consumedAt: sql`now()` })
    .where(and(eq(smsCodes.id, codeId), isNull(smsCodes.consumedAt)))
    .returning({ id: smsCodes.id });
  if (spent.length === 0) throw invalidCode();
}
