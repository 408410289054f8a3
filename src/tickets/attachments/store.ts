import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromFile } from 'file-type';
import { isUuid } from '../../database/ids.ts';
import type { AttachmentId } from '../ids.ts';
import { TextSniffer } from './content-type.ts';
import type { SniffedFile } from './content-type.ts';

/** A file fully received into the store's incoming area, not yet an attachment. */
export interface ReceivedFile {
  /** Where it waits; only the store reads this. */
  readonly incomingPath: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly sniffed: SniffedFile;
}

/**
 * Attachment files on the local disk under `<data dir>/attachments`: `incoming/` while a request
 * streams one in (hashed, size-counted and checked for text on the way, never held whole in
 * memory), then `files/<first two hex digits>/<attachment id>` once accepted. Paths are built
 * from generated ids only, checked to be UUIDs, so nothing a request sends can name a path.
 * Files are fsynced before their row commits, so a committed attachment has its bytes.
 */
export function attachmentStore(dataDir: string) {
  const root = join(dataDir, 'attachments');
  const incoming = join(root, 'incoming');
  const pathOf = (id: AttachmentId): string => {
    if (!isUuid(id)) throw new Error('attachment ids are UUIDs');
    const name = id.toLowerCase();
    return join(root, 'files', name.slice(0, 2), name);
  };

  return {
    root,

    /**
     * Streams `source` into a new incoming file. Rejects (and leaves nothing behind) when the
     * source fails, e.g. when the multipart parser stops it at the size limit.
     */
    async receive(source: Readable): Promise<ReceivedFile> {
      await mkdir(incoming, { recursive: true });
      const incomingPath = join(incoming, randomUUID());
      const hash = createHash('sha256');
      const text = new TextSniffer();
      let sizeBytes = 0;
      const observe = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          text.push(chunk);
          sizeBytes += chunk.length;
          done(null, chunk);
        },
      });
      const writer = createWriteStream(incomingPath, { flags: 'wx' });
      try {
        await pipeline(source, observe, writer);
        const handle = await open(incomingPath, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        const detected = sizeBytes === 0 ? undefined : await fileTypeFromFile(incomingPath);
        return {
          incomingPath,
          sizeBytes,
          sha256: hash.digest('hex'),
          sniffed: { detected: detected?.mime, isText: text.finish() },
        };
      } catch (error) {
        // A source that fails at once can fail while the file is still being opened: removing it
        // before the stream has closed would let the open create it afterwards, left behind.
        if (!writer.closed) await new Promise<void>((resolve) => writer.once('close', () => resolve()));
        await rm(incomingPath, { force: true });
        throw error;
      }
    },

    /** Moves a received file to its attachment id's place. */
    async keep(file: ReceivedFile, id: AttachmentId): Promise<void> {
      const target = pathOf(id);
      await mkdir(join(target, '..'), { recursive: true });
      await rename(file.incomingPath, target);
    },

    /** Drops a received file that will not be kept. */
    async discard(file: ReceivedFile): Promise<void> {
      await rm(file.incomingPath, { force: true });
    },

    /** The stored bytes of an attachment, or null when its file is gone. */
    async read(id: AttachmentId): Promise<ReadStream | null> {
      try {
        const handle = await open(pathOf(id), 'r');
        return handle.createReadStream();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },

    /** Deletes an attachment's file; a file already gone is fine. */
    async remove(id: AttachmentId): Promise<void> {
      await rm(pathOf(id), { force: true });
    },

    /** Incoming files older than `before` (requests that died mid-upload), removed; returns how many. */
    async sweepIncoming(before: Date): Promise<number> {
      let removed = 0;
      for (const name of await readdir(incoming).catch(() => [] as string[])) {
        const path = join(incoming, name);
        const info = await stat(path).catch(() => null);
        if (info && info.mtime < before) {
          await rm(path, { force: true });
          removed += 1;
        }
      }
      return removed;
    },
  };
}

/** The attachment file store. */
export type AttachmentStore = ReturnType<typeof attachmentStore>;
