import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { expect } from 'vitest';
import { type Db, migrationsFolder } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';

/**
 * For tests of a migration's data changes: an in-memory database migrated
 * up to and including `tag`, written in the old shape by the test, then
 * brought to the current schema with `upgrade`.
 */
export async function databaseAt(tag: string): Promise<{ client: PGlite; db: Db; upgrade: () => Promise<void>; dispose: () => Promise<void> }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-migrations-'));
  // The migrations folder as it was up to `tag`: the journal cut after it.
  fs.cpSync(migrationsFolder, tmp, { recursive: true });
  const journalPath = path.join(tmp, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const last = journal.entries.findIndex((e) => e.tag === tag);
  expect(last).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, last + 1);
  fs.writeFileSync(journalPath, JSON.stringify(journal));

  const client = await PGlite.create('memory://');
  await migrate(drizzle(client, { schema }), { migrationsFolder: tmp });
  return {
    client,
    db: drizzle(client, { schema }) as unknown as Db,
    upgrade: () => migrate(drizzle(client, { schema }), { migrationsFolder }),
    dispose: async () => {
      await client.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
