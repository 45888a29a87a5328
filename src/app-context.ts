import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { FieldCipher } from './lib/crypto.js';
import type { PasswordHasher } from './modules/auth/passwords.js';
import type { SmsSender } from './modules/auth/sms.js';

/** What route modules may use; each service function takes only the parts it needs. */
export interface AppContext {
  config: Config;
  db: Db;
  /** Which engine: PGlite is one process by construction, so cross-process job locks are only needed on PostgreSQL. */
  dbKind: 'postgres' | 'pglite';
  hasher: PasswordHasher;
  sms: SmsSender;
  cipher: FieldCipher;
  /** Signs and checks the sandbox channel's callbacks; derived from the data key. Null when the sandbox is off. */
  sandboxSecret: string | null;
}
