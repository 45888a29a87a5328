import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';

const cells = (csv: string) => csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n').slice(1).map((line) => line.split(','));

describe('toCsv', () => {
  it('starts with a BOM and the header, one CRLF line per row, quoting what needs it', () => {
    const csv = toCsv(['名称', '金额'], [['a,b', '1.00'], ['say "hi"', null]]);
    expect(csv.startsWith('\uFEFF名称,金额\r\n')).toBe(true);
    expect(csv).toContain('"a,b",1.00\r\n');
    expect(csv).toContain('"say ""hi""",\r\n');
  });

  it('defuses every cell a spreadsheet would run as a formula, and leaves numbers alone', () => {
    const attacks = ['=1+1', '+1+1', '@SUM(A1)', '\tx', '-1+cmd|\' /C calc\'!A0', '-2+3+cmd', '-A1', '-'];
    for (const attack of attacks) expect(cells(toCsv(['x'], [[attack]]))[0]![0]!.replace(/^"/, '')).toMatch(/^'/);
    for (const plain of ['-12.50', '-3', '12.50', '0', 'abc', '中文']) expect(cells(toCsv(['x'], [[plain]]))[0]![0]).toBe(plain);
    expect(cells(toCsv(['x'], [[-5n]]))[0]![0]).toBe('-5');
  });
});
