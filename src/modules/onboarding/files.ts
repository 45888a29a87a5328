import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FieldCipher } from '../../lib/crypto.js';
import { AppError } from '../../lib/errors.js';

/**
 * Onboarding images on disk. The type comes from the bytes, never from the
 * client's Content-Type or file name; the bytes are stored encrypted under
 * a name nobody can guess, in a directory no route serves statically.
 */
export type SniffedType = { mime: 'image/jpeg' | 'image/png' | 'image/webp'; ext: string };

export function sniffImage(bytes: Buffer): SniffedType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { mime: 'image/jpeg', ext: 'jpg' };
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { mime: 'image/png', ext: 'png' };
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return { mime: 'image/webp', ext: 'webp' };
  return null;
}

/** Images smaller than this cannot hold a legible document photo. */
const MIN_IMAGE_BYTES = 1024;

export interface StoredFile {
  mime: SniffedType['mime'];
  size: number;
  sha256: string;
  storageKey: string;
}

export interface FileStore {
  save(memberId: number, bytes: Buffer): Promise<StoredFile>;
  read(storageKey: string): Promise<Buffer>;
  /** For a file whose database row was never written. */
  remove(storageKey: string): Promise<void>;
}

export function createFileStore(dir: string, maxBytes: number, cipher: FieldCipher): FileStore {
  // Keys are ours, but never let one walk out of the directory.
  const inside = (storageKey: string) => {
    const target = path.resolve(dir, storageKey);
    if (!target.startsWith(path.resolve(dir) + path.sep)) throw new Error('storage key outside the upload directory');
    return target;
  };
  return {
    async save(memberId, bytes) {
      if (bytes.length > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', `Images may be at most ${Math.floor(maxBytes / 1024)} KiB`, { maxBytes });
      const type = sniffImage(bytes);
      if (!type) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Upload a JPEG, PNG or WebP image', { accepted: ['image/jpeg', 'image/png', 'image/webp'] });
      if (bytes.length < MIN_IMAGE_BYTES) throw new AppError('BAD_REQUEST', 'The image is too small to be legible', { minBytes: MIN_IMAGE_BYTES });
      const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
      // Random names: knowing a member id or the image's hash does not locate its file.
      const storageKey = path.posix.join(String(memberId), `${crypto.randomBytes(16).toString('hex')}.${type.ext}.enc`);
      const target = path.join(dir, storageKey);
      await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      const temp = `${target}.tmp-${process.pid}`;
      await fs.writeFile(temp, cipher.encryptBytes(bytes), { mode: 0o600 });
      await fs.rename(temp, target);
      return { mime: type.mime, size: bytes.length, sha256, storageKey };
    },
    async read(storageKey) {
      return cipher.decryptBytes(await fs.readFile(inside(storageKey)));
    },
    async remove(storageKey) {
      await fs.rm(inside(storageKey), { force: true });
    },
  };
}
