/**
 * Billing export imports over HTTP: the upload (multipart or a raw CSV / gzip body, streamed to
 * the spool with its own size limit instead of the JSON body limit), the import's status and
 * progress, and the tenant's list of imports. Thin: read the upload → one service call → view.
 */
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError, invalidField } from '../../errors/app-error.ts';
import { multipartProblem } from '../../http/multipart.ts';
import { listEnvelope } from '../../http/pagination.ts';
import { authOf } from '../../identity/authenticate.ts';
import type { AppContext } from '../../runtime/context.ts';
import { REQUESTED_BASES } from './formats.ts';
import type { RequestedBasis } from './formats.ts';
import { presentImport } from './presenter.ts';
import { ImportListQuery, ImportPage, ImportParams, ImportQuery, ImportView, TAGS, UploadBody } from './schemas.ts';
import { importService } from './service.ts';
import type { ImportService, ReceivedUpload } from './service.ts';
import { importSpool, uploadTooLarge } from './spool.ts';

/** Media types of a raw upload body. */
const RAW_TYPES = ['text/csv', 'application/gzip', 'application/x-gzip', 'application/octet-stream'];
// Room for the multipart framing and the basis field around the file itself.
const FORM_OVERHEAD_BYTES = 64 * 1024;

function basisOf(value: unknown): RequestedBasis {
  if (typeof value === 'string' && (REQUESTED_BASES as readonly string[]).includes(value))
    return value as RequestedBasis;
  throw invalidField('basis', `must be one of ${REQUESTED_BASES.join(', ')}`);
}

/** Reads the form (file streamed to the spool, `basis` in either order); nothing is left behind on failure. */
async function readForm(
  request: FastifyRequest,
  imports: ImportService,
  maxBytes: number,
): Promise<{ upload: ReceivedUpload; filename: string | undefined; basis: RequestedBasis | undefined }> {
  let upload: ReceivedUpload | undefined;
  let filename: string | undefined;
  let basis: RequestedBasis | undefined;
  const auth = authOf(request);
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file' && part.fieldname === 'file') {
        upload = await imports.receive(auth, part.file);
        filename = part.filename;
      } else if (part.type === 'field' && part.fieldname === 'basis') {
        basis = basisOf(part.value);
      } else {
        if (part.type === 'file') part.file.resume();
        throw invalidField(
          part.fieldname || 'body',
          'is not a field of this form (send `file` and optionally `basis`)',
        );
      }
    }
  } catch (error) {
    if (upload) await imports.discard(upload);
    throw multipartProblem(error, () => uploadTooLarge(maxBytes));
  }
  if (!upload) throw invalidField('file', 'is required');
  return { upload, filename, basis };
}

/** Registers the import routes under the caller's prefix (`/v1`). */
export function importRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const maxBytes = ctx.config.costImportMaxBytes;
  const imports = importService({
    db: ctx.database.db,
    clock: ctx.clock,
    spool: importSpool(ctx.config.dataDir),
    maxBytes,
    wakeWorkers: () => ctx.wakeWorkers(),
  });

  return async (app) => {
    await app.register(multipart, {
      limits: { fileSize: maxBytes, files: 1, fields: 2, fieldSize: 64, parts: 4, headerPairs: 100 },
    });
    // A raw body is left unread here: the handler streams `request.raw` to the spool.
    app.addContentTypeParser(RAW_TYPES, (_request, _payload, done) => done(null));

    app.post(
      '/cost/import',
      {
        schema: {
          tags: TAGS,
          operationId: 'importCosts',
          summary: 'Import a billing export (AWS CUR 2.0, legacy CUR or FOCUS; CSV or gzip) as a background job',
          description:
            'Send the file as multipart/form-data (field `file`, optionally `basis`) or as the raw body (`text/csv`, `application/gzip` or `application/octet-stream`, with `?basis=&filename=`). The upload is stored and a durable job imports it: follow `Location` to its status and progress. Files up to COST_IMPORT_MAX_BYTES (413 beyond).',
          consumes: ['multipart/form-data', ...RAW_TYPES.filter((type) => type !== 'application/x-gzip')],
          querystring: ImportQuery,
          body: UploadBody,
          response: { 202: ImportView },
        },
        config: { permission: 'cost:write' },
      },
      async (request, reply) => {
        const auth = authOf(request);
        const declared = Number(request.headers['content-length'] ?? 0);
        let result;
        if (request.isMultipart()) {
          if (declared > maxBytes + FORM_OVERHEAD_BYTES) throw uploadTooLarge(maxBytes);
          const form = await readForm(request, imports, maxBytes);
          result = await imports.queue(auth, form.upload, {
            filename: form.filename ?? request.query.filename,
            basis: form.basis ?? request.query.basis,
          });
        } else {
          if (!RAW_TYPES.includes((request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase())) {
            throw new AppError(
              'unsupported_media_type',
              'Send the file as multipart/form-data or as a text/csv or application/gzip body',
              {
                errors: [{ field: 'file', message: 'is required, as multipart/form-data or a raw CSV or gzip body' }],
              },
            );
          }
          if (declared > maxBytes) throw uploadTooLarge(maxBytes);
          const upload = await imports.receive(auth, request.raw);
          result = await imports.queue(auth, upload, { filename: request.query.filename, basis: request.query.basis });
        }
        return reply.code(202).header('location', `/v1/cost/imports/${result.id}`).send(presentImport(result));
      },
    );

    app.get(
      '/cost/imports/:id',
      {
        schema: {
          tags: TAGS,
          operationId: 'getCostImport',
          summary: 'An import: status, progress, rows imported and rejected (first 100 with line and reason), outcome',
          params: ImportParams,
          response: { 200: ImportView },
        },
        config: { permission: 'cost:read' },
      },
      async (request) => presentImport(await imports.get(authOf(request), request.params.id)),
    );

    app.get(
      '/cost/imports',
      {
        schema: {
          tags: TAGS,
          operationId: 'listCostImports',
          summary: 'Your imports, newest first',
          querystring: ImportListQuery,
          response: { 200: ImportPage },
        },
        config: { permission: 'cost:read' },
      },
      async (request) => listEnvelope('imports', await imports.list(authOf(request), request.query), presentImport),
    );
  };
}
