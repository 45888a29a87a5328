/** Data lines of a CSV text (header and blank lines not counted). */
export function csvDataLines(text: string): number {
  return Math.max(0, text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim()).length - 1);
}
