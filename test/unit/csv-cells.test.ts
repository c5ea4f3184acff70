/**
 * Export cells: every cell a spreadsheet would run as a formula is neutralised with a leading apostrophe, through the
 * CSV writer (csv-stringify), and read back intact otherwise; the row and byte caps cut at a row boundary.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, CsvFile, neutraliseCell } from '../../src/features/admin/export/csv.js';

const read = (file: CsvFile): string[][] => parse(file.toBuffer(), { bom: true, relax_column_count: false }) as string[][];

describe('neutraliseCell', () => {
  it.each([
    ['=HYPERLINK("http://evil")', `'=HYPERLINK("http://evil")`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ['-', "'-"],
    ['=', "'="],
    ['Ana', 'Ana'],
    ['a=b', 'a=b'],
    [' =1', ' =1'],
    ["'=1", "'=1"],
    ['', ''],
    ['100.00', '100.00'],
    ['Ünïcödé ✓', 'Ünïcödé ✓'],
  ])('%j -> %j', (input, expected) => {
    expect(neutraliseCell(input)).toBe(expected);
  });

  it.each([
    [null, ''],
    [undefined, ''],
    [12, '12'],
    [-5, "'-5"],
    [12n, '12'],
  ])('csvCell(%s) -> %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
});

describe('CsvFile', () => {
  it.each([
    ['=cmd|" /C calc"!A0'],
    ['+SUM(1,2)'],
    ['-10'],
    ['@foo'],
    ['\tindented'],
    ['\rreturn'],
  ])('a cell beginning %j is written neutralised, in every column (header included)', (dangerous) => {
    const file = new CsvFile([dangerous, 'name']);
    file.add([
      [dangerous, 'Ana'],
      ['Ben', dangerous],
    ]);
    expect(read(file)).toEqual([
      [`'${dangerous}`, 'name'],
      [`'${dangerous}`, 'Ana'],
      ['Ben', `'${dangerous}`],
    ]);
  });

  it.each([['a\nb'], ['a\rb'], ['a\r\nb'], ['x, y'], ['say "hi"']])('a cell %j is read back whole', (cell) => {
    const file = new CsvFile(['a', 'b']);
    file.add([[cell, 'next']]);
    expect(read(file)).toEqual([
      ['a', 'b'],
      [cell, 'next'],
    ]);
  });

  it('quotes commas, quotes and line breaks, and writes CRLF line ends after a byte order mark', () => {
    const file = new CsvFile(['a', 'b']);
    file.add([['x, y', 'say "hi"\nthere']]);
    const bytes = file.toBuffer();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toBe('\ufeffa,b\r\n"x, y","say ""hi""\nthere"\r\n');
    expect(read(file)).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"\nthere'],
    ]);
  });

  it.each([
    { pages: [3, 3], maxRows: 4, rows: 4, cut: true },
    { pages: [2, 2], maxRows: 4, rows: 4, cut: false },
    { pages: [4, 1], maxRows: 4, rows: 4, cut: true },
    { pages: [1], maxRows: 4, rows: 1, cut: false },
  ])('caps rows: pages $pages with at most $maxRows -> $rows rows, cut $cut', ({ pages, maxRows, rows, cut }) => {
    const file = new CsvFile(['n'], { maxRows, maxBytes: 1_000_000 });
    let n = 0;
    for (const size of pages) {
      const page = Array.from({ length: size }, () => [String(++n)]);
      if (!file.add(page)) break;
    }
    expect(file.rows).toBe(rows);
    expect(file.cut).toBe(cut);
    expect(read(file).slice(1)).toEqual(Array.from({ length: rows }, (_, i) => [String(i + 1)]));
  });

  it('caps bytes at a row boundary', () => {
    // The header (BOM + "n\r\n") is 6 bytes; each row "xxxxxxxx\r\n" is 10.
    const file = new CsvFile(['n'], { maxRows: 100, maxBytes: 6 + 25 });
    expect(file.add(Array.from({ length: 5 }, () => ['xxxxxxxx']))).toBe(false);
    expect(file.rows).toBe(2);
    expect(file.cut).toBe(true);
    expect(read(file)).toEqual([['n'], ['xxxxxxxx'], ['xxxxxxxx']]);
  });
});
