import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';

export interface ThrottleResult {
  allowed: boolean;
  hits: number;
  retryAfterSeconds: number;
}

/**
 * Counts one hit against `key` in a fixed window and says whether the limit is
 * exceeded. One atomic upsert, so concurrent requests and several server
 * instances see one counter.
 */
export async function hitLimit(db: Db, key: string, limit: number, windowSeconds: number): Promise<ThrottleResult> {
  const window = sql`make_interval(secs => ${windowSeconds})`;
  const [row] = await queryRows<{ hits: number; retry_after: number }>(db, sql`
    insert into rate_limits as r (key, window_start, hits) values (${key}, now(), 1)
    on conflict (key) do update set
      hits = case when r.window_start <= now() - ${window} then 1 else r.hits + 1 end,
      window_start = case when r.window_start <= now() - ${window} then now() else r.window_start end
    returning hits, ceil(extract(epoch from (window_start + ${window} - now())))::int as retry_after`);
  const hits = Number(row!.hits);
  return { allowed: hits <= limit, hits, retryAfterSeconds: Math.max(1, Number(row!.retry_after)) };
}

/** Same as hitLimit, but throws 429 with Retry-After when over the limit. */
export async function enforceLimit(db: Db, key: string, limit: number, windowSeconds: number, message: string) {
  const result = await hitLimit(db, key, limit, windowSeconds);
  if (!result.allowed) {
    throw new AppError('RATE_LIMITED', message, { retryAfterSeconds: result.retryAfterSeconds }, {
      'retry-after': String(result.retryAfterSeconds),
    });
  }
}
