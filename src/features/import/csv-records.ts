import { Readable } from 'node:stream';
import { CsvError, parse, type Options } from 'csv-parse';

/** A CSV file's content: a stream (a file being read), or the whole text. */
export type CsvInput = Readable | string | Uint8Array;

/** One record of the file and the physical line it starts on (the header is line 1). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** The file is not valid CSV from `line` on (an unclosed quote, say): nothing after it can be read. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

const LINE_BREAK = /\r\n|\r|\n/g;

function lineBreaks(fields: string[]): number {
  let n = 0;
  for (const f of fields) {
    if (f.length === 0) continue;
    const m = f.match(LINE_BREAK);
    if (m) n += m.length;
  }
  return n;
}

/**
 * The records of a CSV file, streamed (RFC 4180 quoting, a UTF-8 BOM, LF or CRLF), each with the line it starts on.
 * Blank lines, and lines whose cells are all blank (spreadsheets add them), are skipped but still counted.
 *
 * csv-parse's own `info.lines` counts a CRLF inside a quoted field as two lines, so the line is counted here
 * instead: a record starts one line after the previous one ended, plus the empty lines csv-parse skipped
 * between them, and spans as many lines as its field values hold line breaks.
 */
export async function* readCsvRecords(input: CsvInput): AsyncGenerator<CsvRecord> {
  let lastLine = 0;
  let emptyLinesSeen = 0;
  const options: Options<CsvRecord, string[]> = {
    bom: true,
    relax_column_count: true, // a row with too few or too many cells is reported with its line, not fatal
    relax_quotes: true, // a quote inside an unquoted cell (5" screen) is kept as text
    skip_empty_lines: true,
    // Runs as each record is parsed, even for records a later syntax error keeps from being delivered:
    // so `lastLine` is right when that error comes.
    on_record: (fields: string[], context): CsvRecord | null => {
      const line = lastLine + 1 + (context.empty_lines - emptyLinesSeen);
      emptyLinesSeen = context.empty_lines;
      lastLine = line + lineBreaks(fields);
      return fields.every((f) => f.trim() === '') ? null : { line, fields };
    },
  };
  // The overloads type records as string[] without `columns`; on_record makes them CsvRecord.
  const parser = parse(options as unknown as Options);
  const source = typeof input === 'string' || input instanceof Uint8Array ? Readable.from([input]) : input;
  source.on('error', (e) => parser.destroy(e));
  source.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<CsvRecord>) yield record;
  } catch (e) {
    if (e instanceof CsvError) {
      // The error carries the parser's counters at the time: blank lines skipped since the last record count too.
      const emptyLines = Number((e as CsvError & { empty_lines?: number }).empty_lines ?? emptyLinesSeen);
      throw new CsvSyntaxError(lastLine + 1 + Math.max(0, emptyLines - emptyLinesSeen), describeCsvError(e));
    }
    throw e;
  } finally {
    // Also when the reader stops early (a bad header): close the file instead of leaving it open.
    source.unpipe(parser);
    if (!parser.destroyed) parser.destroy();
    if (!source.destroyed) source.destroy();
  }
}

function describeCsvError(e: CsvError): string {
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted value starts here and its closing quote is missing, so the rest of the file cannot be read';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a closing quote is followed by more text in the same cell; write a quote inside a quoted value as two quotes ("")';
    default:
      return `the file is not valid CSV here (${e.message})`;
  }
}
