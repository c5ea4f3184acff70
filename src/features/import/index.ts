/**
 * CSV import of deals and activities (the CLI's `import` command). It belongs to both the deals and the
 * logging features, so it has its own folder; it writes their tables the way their own queries do.
 */
export {
  DEFAULT_BATCH_SIZE,
  formatImportError,
  IMPORT_KINDS,
  importCsv,
  importCsvFile,
  type ImportError,
  type ImportKind,
  type ImportOptions,
  type ImportResult,
} from './import-csv.js';
export type { CsvInput } from './csv-records.js';
