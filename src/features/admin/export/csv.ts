import { stringify } from 'csv-stringify/sync';

/**
 * A cell a spreadsheet would run as a formula (it begins with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a
 * leading apostrophe, so a name, a note or an account typed by anyone can never run when the file is opened (CSV
 * injection). Applied to every cell of every export, numbers included: they are written as text anyway.
 */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** A cell as written: empty for null or undefined, neutralised text otherwise. */
export function csvCell(value: string | number | bigint | null | undefined): string {
  if (value === null || value === undefined) return '';
  return neutraliseCell(String(value));
}

type Cell = string | number | bigint | null | undefined;

/**
 * CRLF line ends; any cell holding a line break is quoted (csv-stringify quotes only the record delimiter itself, so
 * with CRLF a lone LF or CR in a note would otherwise end the row in a reader).
 */
const OPTIONS = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;

function encode(rows: readonly (readonly Cell[])[]): string {
  return stringify(
    rows.map((row) => row.map(csvCell)),
    OPTIONS,
  );
}

/** The most data rows one export holds; past it the file is cut and the DM says so. */
export const MAX_EXPORT_ROWS = 100_000;
/** The most bytes one export holds (notes can be long): past it the file is cut at a row boundary, likewise. */
export const MAX_EXPORT_BYTES = 50 * 1024 * 1024;

/**
 * A CSV file built a page of rows at a time through csv-stringify (RFC 4180: quoted where needed, CRLF line ends,
 * a UTF-8 byte order mark so spreadsheets read names with accents right), every cell neutralised. Holds the encoded
 * file only (not the rows), and never more than MAX_EXPORT_ROWS rows or about MAX_EXPORT_BYTES: `add` says when to
 * stop reading.
 */
export class CsvFile {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  rows = 0;
  /** Rows were left out: the cap was reached. */
  cut = false;

  constructor(
    header: readonly string[],
    private readonly limits: { maxRows: number; maxBytes: number } = { maxRows: MAX_EXPORT_ROWS, maxBytes: MAX_EXPORT_BYTES },
  ) {
    this.push(stringify([header.map(csvCell)], { ...OPTIONS, bom: true }));
  }

  /** Add rows; false once the file is full (a row past the cap was left out): stop reading then. */
  add(rows: readonly (readonly Cell[])[]): boolean {
    const room = this.limits.maxRows - this.rows;
    const taken = rows.length > room ? rows.slice(0, room) : rows;
    if (taken.length > 0) {
      const page = encode(taken);
      const size = Buffer.byteLength(page, 'utf8');
      if (this.bytes + size <= this.limits.maxBytes) {
        this.push(page, size);
        this.rows += taken.length;
      } else {
        // The page would pass the byte cap: row by row up to it.
        for (const row of taken) {
          const line = encode([row]);
          const lineSize = Buffer.byteLength(line, 'utf8');
          if (this.bytes + lineSize > this.limits.maxBytes) {
            this.cut = true;
            return false;
          }
          this.push(line, lineSize);
          this.rows += 1;
        }
      }
    }
    if (taken.length < rows.length) {
      this.cut = true;
      return false;
    }
    return true;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.bytes);
  }

  private push(text: string, size = Buffer.byteLength(text, 'utf8')): void {
    this.chunks.push(Buffer.from(text, 'utf8'));
    this.bytes += size;
  }
}
