/**
 * The import use cases of the HTTP API: accept an upload (spooled to disk, then its row and its
 * durable job committed together, so an accepted import is always run), and show a tenant its
 * imports. The file is read by the job ({@link IMPORT_JOB}), not by the request.
 */
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Clock } from '../../config/clock.ts';
import type { Database } from '../../database/schema.ts';
import type { Page } from '../../database/pagination.ts';
import { AppError, forbidden, notFound } from '../../errors/app-error.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { enqueueJob } from '../../jobs/enqueue.ts';
import { newImportId } from '../ids.ts';
import type { ImportId } from '../ids.ts';
import type { RequestedBasis } from './formats.ts';
import { IMPORT_JOB } from './job.ts';
import type { ImportJobPayload } from './job.ts';
import { importRepository } from './repository.ts';
import type { CostImport } from './repository.ts';
import type { ImportSpool } from './spool.ts';

export interface ImportServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  spool: ImportSpool;
  /** COST_IMPORT_MAX_BYTES. */
  maxBytes: number;
  /** Called after the job committed, so an in-process worker starts at once. */
  wakeWorkers: () => void;
}

/** An upload spooled to disk, not yet queued. */
export interface ReceivedUpload {
  id: ImportId;
  customerId: string;
  sizeBytes: number;
  receivedAt: Date;
}

/** The tenant of a cost credential: staff hold no cost permission, so this is always a tenant. */
function tenantOf(auth: AuthContext): string {
  const scope = scopeOf(auth);
  if (scope.kind !== 'tenant') throw forbidden('Cost data belongs to a tenant: use a credential of the tenant');
  return scope.customerId;
}

/** Keeps the last path segment and printable characters of a client's file name. */
function cleanFilename(name: string | undefined): string | null {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const clean = base
    // eslint-disable-next-line no-control-regex -- control characters are what is removed
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 255);
  return clean === '' ? null : clean;
}

/** Attempts of an import job: a crash or an outage re-runs it from the start a few times. */
const IMPORT_ATTEMPTS = 5;

export function importService(deps: ImportServiceDeps) {
  return {
    /** Streams an upload into the spool; 413 past the limit (nothing is kept). */
    async receive(auth: AuthContext, file: Readable): Promise<ReceivedUpload> {
      const customerId = tenantOf(auth);
      const receivedAt = deps.clock();
      const id = newImportId(receivedAt);
      const sizeBytes = await deps.spool.receive(id, file, deps.maxBytes);
      return { id, customerId, sizeBytes, receivedAt };
    },

    /** Drops an upload that will not be queued. */
    async discard(upload: ReceivedUpload): Promise<void> {
      await deps.spool.remove(upload.id);
    },

    /**
     * Queues the import of a received upload: its row and its job commit together. An empty file
     * is refused here (422) rather than queued; every other check needs the file read, by the job.
     */
    async queue(
      auth: AuthContext,
      upload: ReceivedUpload,
      details: { filename: string | undefined; basis: RequestedBasis | undefined },
    ): Promise<CostImport> {
      const { id, customerId } = upload;
      try {
        if (upload.sizeBytes === 0) {
          throw new AppError('unprocessable', 'The file is empty', {
            errors: [{ field: 'file', message: 'must not be empty' }],
          });
        }
        const at = upload.receivedAt.toISOString();
        const row: CostImport = {
          id,
          customer_id: customerId,
          status: 'queued',
          format: null,
          cost_basis: details.basis ?? 'billed',
          filename: cleanFilename(details.filename),
          spool_path: deps.spool.pathOf(id),
          bytes_total: upload.sizeBytes,
          bytes_read: 0,
          rows_read: 0,
          rows_imported: 0,
          rows_rejected: 0,
          days_written: 0,
          rejected_sample: '[]',
          summary: null,
          error: null,
          created_by: auth.userId ?? auth.credentialId,
          created_at: at,
          started_at: null,
          finished_at: null,
          updated_at: at,
        };
        const payload: ImportJobPayload = { importId: id, customerId };
        await deps.db.transaction().execute(async (trx) => {
          await importRepository(trx, customerId).insert(row);
          await enqueueJob(trx, { name: IMPORT_JOB, payload, maxAttempts: IMPORT_ATTEMPTS }, upload.receivedAt);
        });
        deps.wakeWorkers();
        return row;
      } catch (error) {
        await deps.spool.remove(id);
        throw error;
      }
    },

    /** One of the tenant's imports; 404 for another tenant's, like a missing one. */
    async get(auth: AuthContext, id: string): Promise<CostImport> {
      const found = await importRepository(deps.db, tenantOf(auth)).find(id as ImportId);
      if (!found) throw notFound('Import');
      return found;
    },

    /** The tenant's imports, newest first. */
    async list(auth: AuthContext, page: { limit?: number; cursor?: string }): Promise<Page<CostImport>> {
      return importRepository(deps.db, tenantOf(auth)).list(page);
    },
  };
}

/** The import service as routes receive it. */
export type ImportService = ReturnType<typeof importService>;
