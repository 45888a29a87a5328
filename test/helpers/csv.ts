/** Reading the CSV files the API sends (UTF-8 with a BOM, CRLF lines). */

/** The lines of a CSV body, header first, without the BOM and the final line break. */
export const csvLines = (body: string) => body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');

/** Splits CSV text into rows of cells (quoted cells may hold commas and doubled quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean)) {
    const cells: string[] = [];
    const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      cells.push(m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!);
      if (m[2] === '') break;
    }
    rows.push(cells);
  }
  return rows;
}
