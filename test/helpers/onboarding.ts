import zlib from 'node:zlib';
import { expect } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { idCheckChar, usccCheckChar } from '../../src/modules/onboarding/identity.js';
import { onboardingApplications } from '../../src/modules/onboarding/onboarding.schema.js';
import { bearer, type TestContext } from './app.js';

/** A well-formed 统一社会信用代码 that differs for each n. */
export function licenceNo(n: number): string {
  const body = `91110108${String(n).padStart(9, '0')}`;
  return body + usccCheckChar(body)!;
}

/** A well-formed 身份证号 (born 1990-01-01 + n days' worth of sequence) that differs for each n. */
export function idNumber(n: number): string {
  const body = `110105199001${String(1 + (n % 28)).padStart(2, '0')}${String(Math.floor(n / 28) % 1000).padStart(3, '0')}`;
  return body + idCheckChar(body)!;
}

/** A real PNG (decodable), padded with a text chunk to about `size` bytes. */
export function pngBytes(size = 4096): Buffer {
  const crc32 = (buf: Buffer) => zlib.crc32(buf);
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const idat = zlib.deflateSync(Buffer.from([0, 255, 0, 0]));
  const head = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat)]);
  const end = chunk('IEND', Buffer.alloc(0));
  const pad = Math.max(0, size - head.length - end.length - 12 - 8);
  return Buffer.concat([head, chunk('tEXt', Buffer.concat([Buffer.from('Comment\0', 'latin1'), Buffer.alloc(pad, 0x61)])), end]);
}

export function formFor(n: number) {
  return {
    businessName: `测试小店${n}`,
    licenceNo: licenceNo(n),
    legalName: '张三',
    idNumber: idNumber(n),
    contactPhone: `139${String(n).padStart(8, '0')}`,
    address: '北京市海淀区中关村大街1号',
    category: '餐饮',
    bankAccountName: `测试小店${n}`,
    bankName: '中国工商银行',
    bankAccountNo: `62220200${String(n).padStart(11, '0')}`,
  };
}

export const fileKinds = ['licence', 'id_front', 'id_back', 'storefront'] as const;

/** Fills the whole form, uploads the four images and submits, as the member would from the H5. */
export async function submitCompleteApplication(ctx: TestContext, token: string, n: number, overrides: Record<string, string> = {}) {
  const saved = await ctx.app.inject({ method: 'PUT', url: '/api/member/onboarding', headers: bearer(token), payload: { ...formFor(n), ...overrides } });
  expect(saved.statusCode, saved.body).toBe(200);
  for (const kind of fileKinds) {
    const up = await ctx.app.inject({ method: 'PUT', url: `/api/member/onboarding/files/${kind}`, headers: { ...bearer(token), 'content-type': 'image/png' }, payload: pngBytes() });
    expect(up.statusCode, up.body).toBe(201);
  }
  const submitted = await ctx.app.inject({ method: 'POST', url: '/api/member/onboarding/submit', headers: bearer(token) });
  expect(submitted.statusCode, submitted.body).toBe(200);
  return submitted.json();
}

/** Puts a member straight into `approved`, for tests about what comes after review (payments). */
export async function markApproved(db: Db, memberId: number) {
  await db.insert(onboardingApplications).values({ memberId, state: 'approved', revision: 1, submittedAt: new Date(), reviewedAt: new Date() });
}

/** Puts a member straight into `active` (entry fee paid), for tests about what onboarded members may do (level purchases). */
export async function markActive(db: Db, memberId: number) {
  await db
    .insert(onboardingApplications)
    .values({ memberId, state: 'active', revision: 1, submittedAt: new Date(), reviewedAt: new Date(), activatedAt: new Date() })
    .onConflictDoUpdate({ target: onboardingApplications.memberId, set: { state: 'active', activatedAt: new Date() } });
}
