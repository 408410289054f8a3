/**
 * Streams a billing export into daily aggregates: the bytes are counted (progress), gunzipped when
 * they start with the gzip magic (whatever the file is called), checked to be text, parsed by
 * csv-parse record by record, and each record handed to {@link ExportRows} with the line it starts
 * on. Nothing holds the file: memory is the stream buffers, a record (capped) and the aggregates. Problems with the file as a whole (empty, binary, a
 * damaged gzip, broken CSV, an unknown header) are AppErrors naming the problem; problems with a
 * row are that row's rejection.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { CsvError, parse } from 'csv-parse';
import { AppError } from '../../errors/app-error.ts';
import type { DailyCost } from '../records/store.ts';
import { detectFormat } from './formats.ts';
import type { RequestedBasis } from './formats.ts';
import { ExportRows } from './rows.ts';
import type { ImportReport } from './rows.ts';

/** Largest record accepted: past it, the file is broken (an unclosed quote would swallow it all). */
const MAX_RECORD_CHARS = 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

/** How far an import is: bytes of the source (compressed, as stored) and rows parsed. */
export interface ImportProgress {
  bytesRead: number;
  rowsRead: number;
}

export interface ReadOptions {
  /** FOCUS cost column; CUR files use unblended cost. */
  basis?: RequestedBasis | undefined;
  /** The tenant's currency when it has cost data; otherwise the file's first currency is the import's. */
  currency?: string | undefined;
  /** Usage starting more than a day after this is rejected. */
  now: Date;
  /** Called as source chunks are read (about every 64 KiB), and once at the end with the final counts. */
  onProgress?: (progress: ImportProgress) => void;
}

/** A read export: its daily costs, their currency and what was imported and rejected. */
export interface BillingExport {
  costs: DailyCost[];
  currency: string;
  report: ImportReport;
}

const refuse = (message: string, reason: string, code: 'unprocessable' | 'unsupported_media_type' = 'unprocessable') =>
  new AppError(code, message, { errors: [{ field: 'file', message: reason }] });

/** Recognisable binary files, to say what was sent instead of a CSV. */
const BINARY_SIGNATURES: [number[], string][] = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive (unzip it, or send the .csv or .csv.gz)'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x50, 0x41, 0x52, 0x31], 'a Parquet file (export CSV instead)'],
];

const startsWith = (chunk: Buffer, signature: number[]): boolean => signature.every((byte, i) => chunk[i] === byte);

function binaryFile(chunk: Buffer, offset: number): AppError {
  const what = offset === 0 ? BINARY_SIGNATURES.find(([signature]) => startsWith(chunk, signature))?.[1] : undefined;
  return refuse(
    `The file is not CSV text: ${what ?? `it holds binary data (a NUL byte at offset ${offset + chunk.indexOf(0)})`}`,
    'must be a CSV text file, optionally gzip-compressed',
    'unsupported_media_type',
  );
}

/** The parser's and zlib's errors as what they mean for the file; anything else passes through. */
function fileProblem(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof CsvError) {
    const line = (error as CsvError & { lines?: number }).lines;
    return refuse(
      `The file is not valid CSV${line ? ` (line ${line})` : ''}: ${error.message}`,
      error.code === 'CSV_MAX_RECORD_SIZE'
        ? `has a record over ${MAX_RECORD_CHARS} characters (an unclosed quote?)`
        : 'must be valid CSV',
    );
  }
  const code = (error as { code?: unknown }).code;
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || code === 'Z_NEED_DICT') {
    return refuse('The file is a truncated or damaged gzip stream', 'must be a complete gzip file (or plain CSV)');
  }
  return error;
}

/** Yields the source's chunks, counting bytes for progress. */
async function* counted(
  first: Buffer,
  rest: AsyncIterator<Buffer>,
  progress: ImportProgress,
  onProgress: ReadOptions['onProgress'],
): AsyncGenerator<Buffer> {
  let chunk: Buffer | undefined = first;
  try {
    while (chunk !== undefined) {
      // Object-mode sources (Readable.from) may yield strings.
      if (typeof chunk === 'string') chunk = Buffer.from(chunk);
      progress.bytesRead += chunk.length;
      yield chunk;
      // Reported once the chunk went downstream, so the rows count has caught up with the bytes.
      onProgress?.({ ...progress });
      const next = await rest.next();
      chunk = next.done ? undefined : next.value;
    }
  } finally {
    // A refused file is not read to its end: release the source (its file handle) now.
    await rest.return?.();
  }
}

/** Refuses binary content (NUL bytes never occur in CSV text); passes text through. */
async function* textOnly(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let offset = 0;
  for await (const chunk of source) {
    if (chunk.indexOf(0) >= 0) throw binaryFile(chunk, offset);
    offset += chunk.length;
    yield chunk;
  }
}

/**
 * Reads a billing export (CUR 2.0, legacy CUR or FOCUS; plain or gzip) into daily costs.
 * Throws an AppError when the file as a whole cannot be imported.
 */
export async function readBillingExport(source: Readable, options: ReadOptions): Promise<BillingExport> {
  const input = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let first = await input.next();
  // Skip empty chunks, so the magic bytes are looked at in real data.
  while (!first.done && first.value.length === 0) first = await input.next();
  if (first.done) throw refuse('The file is empty', 'must not be empty');
  const head: Buffer = Buffer.from(first.value);
  const progress: ImportProgress = { bytesRead: 0, rowsRead: 0 };

  let rows: ExportRows | undefined;
  /**
   * Takes the parsed records in order, tracking the physical line each starts on: a record takes
   * one line plus the line breaks inside its quoted fields; a blank line is a record of one empty
   * field (blank lines are counted here rather than skipped by the parser, which would lose them).
   */
  async function consume(records: AsyncIterable<string[]>): Promise<void> {
    let line = 1;
    for await (const record of records) {
      const start = line;
      line += 1;
      for (const cell of record) for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) line += 1;
      if (record.length === 1 && record[0] === '') continue;
      if (rows !== undefined) {
        progress.rowsRead += 1;
        rows.add(record, start);
      } else if (!record.every((cell) => cell.trim() === '')) {
        // Blank lines before the header (a stray \r, spaces) are not a header.
        rows = new ExportRows(detectFormat(record, options.basis), { currency: options.currency, now: options.now });
      }
    }
  }
  const parser = parse({
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  const bytes = counted(head, input, progress, options.onProgress);
  const gzip = startsWith(head, GZIP_MAGIC);
  try {
    if (gzip) await pipeline(bytes, createGunzip(), textOnly, parser, consume);
    else await pipeline(bytes, textOnly, parser, consume);
  } catch (error) {
    throw fileProblem(error);
  }
  options.onProgress?.({ ...progress });
  if (rows === undefined) throw refuse('The file has no header row', 'must start with a header row');
  const result = rows.finish();
  if (result.report.rows_read === 0) throw refuse('The file has a header but no rows', 'must hold at least one row');
  return result;
}
