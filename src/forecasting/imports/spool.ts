/**
 * Uploaded billing exports wait under `<data dir>/cost-imports/<import id>` until their import job
 * has read them. An upload is streamed to disk (never held in memory) through a byte counter that
 * stops it at the size limit, so an oversized upload is refused after at most `maxBytes` were
 * written; a failed upload leaves nothing behind. Paths are built from generated import ids only.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../errors/app-error.ts';
import type { ImportId } from '../ids.ts';

const IMPORT_ID = /^imp_[0-9a-f]{32}$/;

/**
 * 413 naming the limit. The connection closes after it: the rest of the body is not read, so the
 * socket cannot carry another request.
 */
export function uploadTooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `A billing export may be at most ${maxBytes} bytes`, {
    errors: [{ field: 'file', message: `must be at most ${maxBytes} bytes (COST_IMPORT_MAX_BYTES)` }],
    extra: { max_bytes: maxBytes },
    headers: { connection: 'close' },
  });
}

/** The spool directory of import uploads under the data directory. */
export function importSpool(dataDir: string) {
  const root = join(dataDir, 'cost-imports');
  const pathOf = (id: ImportId): string => {
    if (!IMPORT_ID.test(id)) throw new Error('import ids are imp_ and 32 hex digits');
    return join(root, id);
  };

  return {
    pathOf,

    /**
     * Streams `source` into the import's spool file and fsyncs it; returns its size. Refuses
     * (removing what was written) past `maxBytes`, or when the source fails.
     */
    async receive(id: ImportId, source: Readable, maxBytes: number): Promise<number> {
      await mkdir(root, { recursive: true });
      const path = pathOf(id);
      let size = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          done(size > maxBytes ? uploadTooLarge(maxBytes) : null, chunk);
        },
      });
      try {
        await pipeline(source, limit, createWriteStream(path, { flags: 'wx' }));
        const handle = await open(path, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        return size;
      } catch (error) {
        await rm(path, { force: true });
        throw error;
      }
    },

    /** The spooled files: their import ids and when each was last written. */
    async list(): Promise<{ id: ImportId; modifiedAt: Date }[]> {
      const names = await readdir(root).catch(() => [] as string[]);
      const files: { id: ImportId; modifiedAt: Date }[] = [];
      for (const name of names) {
        const info = IMPORT_ID.test(name) ? await stat(join(root, name)).catch(() => null) : null;
        if (info) files.push({ id: name as ImportId, modifiedAt: info.mtime });
      }
      return files;
    },

    /** Removes an import's spool file; one already gone is fine. */
    async remove(id: ImportId): Promise<void> {
      await rm(pathOf(id), { force: true });
    },
  };
}

/** The import spool. */
export type ImportSpool = ReturnType<typeof importSpool>;
