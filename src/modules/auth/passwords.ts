import argon2 from 'argon2';
import { AppError } from '../../lib/errors.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the time of one verification, so unknown accounts answer as slowly as known ones. */
  verifyNothing(password: string): Promise<void>;
}

export function createPasswordHasher(options: { memoryKib: number; timeCost: number }): PasswordHasher {
  const params = { type: argon2.argon2id as 2, memoryCost: options.memoryKib, timeCost: options.timeCost, parallelism: 1 };
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => argon2.hash(password, params),
    async verify(hash, password) {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    },
    async verifyNothing(password) {
      dummy ??= argon2.hash('not-a-real-password', params);
      await argon2.verify(await dummy, password).catch(() => false);
    },
  };
}

/** Members: 8+ characters; staff: 10+. Both need a letter and a digit. */
export function assertStrongPassword(password: string, minLength: number): void {
  const problems: string[] = [];
  if (password.length < minLength) problems.push(`at least ${minLength} characters`);
  if (password.length > 128) problems.push('at most 128 characters');
  if (!/[A-Za-z]/.test(password)) problems.push('a letter');
  if (!/\d/.test(password)) problems.push('a digit');
  if (problems.length > 0) {
    throw new AppError('WEAK_PASSWORD', `Password needs ${problems.join(', ')}`, { field: 'password', needs: problems });
  }
}

export const MEMBER_PASSWORD_MIN = 8;
export const STAFF_PASSWORD_MIN = 10;
