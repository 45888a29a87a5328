import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Encryption at rest for sensitive fields (bank account numbers, ID numbers).
 * AES-256-GCM with a random nonce per value; the stored form is
 * "v1:" + base64(nonce | tag | ciphertext), so the key can be rotated later
 * by adding a version.
 */
export interface FieldCipher {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
  /** The same scheme for files: nonce | tag | ciphertext. */
  encryptBytes(plain: Buffer): Buffer;
  decryptBytes(stored: Buffer): Buffer;
  /**
   * A keyed hash (HMAC-SHA256 under a key derived from the data key) for
   * finding equal values — duplicate ID numbers, blacklist hits — without
   * storing or decrypting them.
   */
  digest(plain: string): string;
}

export function createFieldCipher(key: Buffer): FieldCipher {
  if (key.length !== 32) throw new Error('the data key must be 32 bytes');
  const lookupKey = Buffer.from(crypto.hkdfSync('sha256', key, Buffer.alloc(0), 'shanglian:lookup-digest', 32));
  const seal = (plain: Buffer) => {
    const nonce = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), body]);
  };
  const open = (raw: Buffer) => {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  };
  return {
    encryptBytes: seal,
    decryptBytes: open,
    digest: (plain) => crypto.createHmac('sha256', lookupKey).update(plain, 'utf8').digest('hex'),
    encrypt: (plain) => `v1:${seal(Buffer.from(plain, 'utf8')).toString('base64')}`,
    decrypt(stored) {
      if (!stored.startsWith('v1:')) throw new Error('unknown ciphertext version');
      return open(Buffer.from(stored.slice(3), 'base64')).toString('utf8');
    },
  };
}

/**
 * The data key from configuration (base64 of 32 bytes). Outside production a
 * missing key is generated once and kept in DATA_DIR, so `npm start` works on
 * a fresh machine; production must configure it.
 */
export function resolveDataKey(configured: string | undefined, dataDir: string, production: boolean): Buffer {
  if (configured) return Buffer.from(configured, 'base64');
  if (production) throw new Error('DATA_ENCRYPTION_KEY must be set in production');
  const file = path.join(dataDir, 'data-encryption.key');
  if (fs.existsSync(file)) return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  fs.mkdirSync(dataDir, { recursive: true });
  const key = crypto.randomBytes(32);
  fs.writeFileSync(file, key.toString('base64'), { mode: 0o600 });
  return key;
}

export const maskTail = (value: string, keep = 4) => (value.length <= keep ? '*'.repeat(value.length) : `${'*'.repeat(Math.min(8, value.length - keep))}${value.slice(-keep)}`);
