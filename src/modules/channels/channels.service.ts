import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import type { FieldCipher } from '../../lib/crypto.js';
import { AppError, notFound } from '../../lib/errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { members } from '../members/members.schema.js';
import { type ChannelKind, channelMerchants, channels } from './channels.schema.js';

/** What each kind of channel needs; validated when saved. */
export const channelSecretsSchema = z
  .object({
    /** Transaction push: the HMAC secrets currently accepted (two during a rotation). */
    pushSecrets: z.array(z.string().min(16).max(200)).min(1).max(2).optional(),
    /** WeChat Pay: the APIv3 key (32 characters) that encrypts notification resources. */
    apiV3Key: z.string().length(32).optional(),
    /** WeChat Pay: the merchant's API private key, to sign requests and the client's pay parameters. */
    merchantPrivateKeyPem: z.string().min(100).max(10_000).optional(),
    /** Alipay: the application private key (应用私钥), to sign requests. */
    appPrivateKeyPem: z.string().min(100).max(10_000).optional(),
  })
  .strict();

/** Non-secret settings each payment channel kind needs, checked when saved. */
export const channelConfigSchemas = {
  push: z.object({}).passthrough(),
  sandbox: z.object({}).passthrough(),
  wechatpay: z.object({
    mchid: z.string().regex(/^\d{6,32}$/),
    appid: z.string().min(4).max(64),
    /** Merchant API certificate serial, sent with our requests. */
    merchantSerial: z.string().min(4).max(100).optional(),
    /** WeChat Pay platform certificates or public keys (PUB_KEY_ID_…), by serial. */
    platformKeys: z.array(z.object({ serial: z.string().min(4).max(100), publicKeyPem: z.string().optional(), certificatePem: z.string().optional() })).min(1),
    apiBase: z.url().optional(),
  }),
  alipay: z.object({
    appId: z.string().min(4).max(64),
    sellerId: z.string().min(4).max(64),
    alipayPublicKeyPem: z.string().min(100),
    gateway: z.url().optional(),
  }),
} as const;
export type ChannelSecrets = z.infer<typeof channelSecretsSchema>;

export interface Channel {
  id: string;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  config: Record<string, unknown>;
  secrets: ChannelSecrets;
}

const mask = (secret: string) => `••••${secret.slice(-4)}`;

export function publicChannel(c: Channel) {
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    enabled: c.enabled,
    config: c.config,
    secrets: Object.fromEntries(Object.entries(c.secrets).map(([k, v]) => [k, Array.isArray(v) ? v.map(mask) : mask(String(v))])),
  };
}

export async function getChannel(db: Db, cipher: FieldCipher, id: string): Promise<Channel | null> {
  const [row] = await db.select().from(channels).where(eq(channels.id, id));
  if (!row) return null;
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    enabled: row.enabled,
    config: row.config as Record<string, unknown>,
    secrets: row.secretsEnc ? (JSON.parse(cipher.decrypt(row.secretsEnc)) as ChannelSecrets) : {},
  };
}

/**
 * Channel settings for the push endpoint, cached per process for a few
 * seconds: every push needs them, and they change rarely. A change made in
 * this process takes effect at once; one made elsewhere within the TTL.
 */
const caches = new WeakMap<object, Map<string, { at: number; channel: Channel | null }>>();
const CACHE_TTL_MS = 5_000;
/** One cache per database handle (tests run several databases in one process). */
function cacheOf(db: Db) {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  return cache;
}

export async function getChannelCached(db: Db, cipher: FieldCipher, id: string): Promise<Channel | null> {
  const cache = cacheOf(db);
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.channel;
  const channel = await getChannel(db, cipher, id);
  cache.set(id, { at: Date.now(), channel });
  return channel;
}

export async function listChannels(db: Db, cipher: FieldCipher): Promise<Channel[]> {
  const rows = await db.select({ id: channels.id }).from(channels).orderBy(asc(channels.id));
  return (await Promise.all(rows.map((r) => getChannel(db, cipher, r.id)))).filter((c): c is Channel => c !== null);
}

function checkSecretsFor(kind: ChannelKind, secrets: ChannelSecrets, config: Record<string, unknown>) {
  const required: Partial<Record<ChannelKind, (keyof ChannelSecrets)[]>> = { push: ['pushSecrets'], wechatpay: ['apiV3Key'], alipay: [] };
  const missing = (required[kind] ?? []).filter((k) => !secrets[k] || (Array.isArray(secrets[k]) && secrets[k].length === 0));
  if (missing.length > 0) {
    throw new AppError('VALIDATION_FAILED', `A ${kind} channel needs ${missing.join(', ')}`, missing.map((k) => ({ field: `body.secrets.${k}`, message: 'required' })));
  }
  const parsed = channelConfigSchemas[kind].safeParse(config);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', `The ${kind} channel settings are not valid`, parsed.error.issues.map((i) => ({ field: ['body', 'config', ...i.path.map(String)].join('.'), message: i.message })));
  }
}

export async function createChannel(
  db: Db,
  cipher: FieldCipher,
  audit: AuditContext,
  input: { id: string; kind: ChannelKind; name: string; enabled: boolean; config: Record<string, unknown>; secrets: ChannelSecrets },
): Promise<Channel> {
  checkSecretsFor(input.kind, input.secrets, input.config);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(channels)
      .values({ id: input.id, kind: input.kind, name: input.name, enabled: input.enabled, config: input.config, secretsEnc: cipher.encrypt(JSON.stringify(input.secrets)) })
      .onConflictDoNothing()
      .returning({ id: channels.id });
    if (!row) throw new AppError('CONFLICT', `Channel "${input.id}" already exists`);
    cacheOf(db).delete(input.id);
    const created = (await getChannel(tx, cipher, input.id))!;
    // The audit keeps only masked secrets.
    await recordAudit(tx, audit, { action: 'channel.created', targetType: 'channel', targetId: input.id, after: publicChannel(created) });
    return created;
  });
}

export async function updateChannel(
  db: Db,
  cipher: FieldCipher,
  audit: AuditContext,
  id: string,
  patch: { name?: string | undefined; enabled?: boolean | undefined; config?: Record<string, unknown> | undefined; secrets?: ChannelSecrets | undefined },
): Promise<Channel> {
  return db.transaction(async (tx) => {
    await tx.select({ id: channels.id }).from(channels).where(eq(channels.id, id)).for('update');
    const before = await getChannel(tx, cipher, id);
    if (!before) throw notFound('Channel');
    const secrets = patch.secrets ? { ...before.secrets, ...patch.secrets } : before.secrets;
    checkSecretsFor(before.kind, secrets, patch.config ?? before.config);
    await tx
      .update(channels)
      .set({
        name: patch.name ?? before.name,
        enabled: patch.enabled ?? before.enabled,
        config: patch.config ?? before.config,
        secretsEnc: cipher.encrypt(JSON.stringify(secrets)),
        updatedAt: sql`now()`,
      })
      .where(eq(channels.id, id));
    const after = (await getChannel(tx, cipher, id))!;
    cacheOf(db).delete(id);
    await recordAudit(tx, audit, { action: 'channel.updated', targetType: 'channel', targetId: id, before: publicChannel(before), after: publicChannel(after) });
    return after;
  });
}

/** Says which member a channel's merchant reference is. Re-binding a reference is refused: transactions already point at its member. */
export async function bindMerchant(db: Db, audit: AuditContext, channelId: string, merchantRef: string, memberId: number) {
  return db.transaction(async (tx) => {
    const [channel] = await tx.select({ id: channels.id }).from(channels).where(eq(channels.id, channelId));
    if (!channel) throw notFound('Channel');
    const [member] = await tx.select({ id: members.id }).from(members).where(eq(members.id, memberId));
    if (!member) throw notFound('Member');
    const [row] = await tx.insert(channelMerchants).values({ channelId, merchantRef, memberId }).onConflictDoNothing().returning();
    if (!row) {
      const [existing] = await tx.select().from(channelMerchants).where(and(eq(channelMerchants.channelId, channelId), eq(channelMerchants.merchantRef, merchantRef)));
      if (existing!.memberId === memberId) return existing!;
      throw new AppError('CONFLICT', `Merchant reference "${merchantRef}" already belongs to member ${existing!.memberId}`);
    }
    await recordAudit(tx, audit, { action: 'channel.merchant_bound', targetType: 'channel', targetId: channelId, after: { merchantRef, memberId } });
    return row;
  });
}

export async function listMerchants(db: Db, channelId: string) {
  return db.select().from(channelMerchants).where(eq(channelMerchants.channelId, channelId)).orderBy(asc(channelMerchants.merchantRef)).limit(1000);
}
