/** A fresh key for one withdrawal attempt (kept while the member retries the same request). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `wd-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
